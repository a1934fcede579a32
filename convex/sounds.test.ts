// /api/sounds/{sound}: names validated like serde (400 text), bytes served from storage once uploaded.
import { describe, expect, test } from "vitest";
import { internal } from "./_generated/api";
import { json, newBackend } from "./test.setup";

describe("sounds", () => {
  test("an unknown or lower-case name is axum's 400 text", async () => {
    const res = await newBackend().fetch("/api/sounds/cow");
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(
      "Invalid URL: unknown variant `cow`, expected one of `ABSTRACT_SOUND1`, `ABSTRACT_SOUND2`, `ABSTRACT_SOUND3`, `ABSTRACT_SOUND4`, `COW_MOOING`, `PHONE_VIBRATION`, `ROOSTER`",
    );
  });

  test("not uploaded yet: a DeploymentError naming the sound; uploaded: audio/wav bytes", async () => {
    const t = newBackend();
    const missing = await t.fetch("/api/sounds/ROOSTER");
    expect(missing.status).toBe(500);
    expect((await json(missing)).message).toBe("DeploymentError: sound ROOSTER has not been uploaded to this deployment (sounds:store)");
    const wav = new TextEncoder().encode("RIFF....WAVEfmt ");
    await t.action(internal.sounds.store, { name: "ROOSTER", wav: wav.buffer as ArrayBuffer });
    await t.action(internal.sounds.store, { name: "ROOSTER", wav: wav.buffer as ArrayBuffer });
    const res = await t.fetch("/api/sounds/ROOSTER");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(res.headers.get("content-length")).toBe(String(wav.byteLength));
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(wav);
    const blobs = await t.run(async (ctx) => (await ctx.db.system.query("_storage").take(10)).length);
    expect(blobs).toBe(1);
  });
});
