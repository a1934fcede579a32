import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { internal } from "./_generated/api";
import { RUNNER_HEADERS, signRunnerMessage, signedMessage } from "./lib/runnerAuth";
import schema from "./schema";
import { modules } from "./test.setup";

const SECRET = "test-secret-0123456789";
let counter = 0;

type SignOptions = { secret?: string; keyId?: string; nowMs?: number; nonce?: string };

async function signed(body: unknown, { secret = SECRET, keyId = "k1", nowMs = Date.now(), nonce }: SignOptions = {}) {
  const text = JSON.stringify(body);
  const timestamp = String(Math.floor(nowMs / 1000));
  const useNonce = nonce ?? `nonce-${Date.now()}-${counter++}-abcdefgh`;
  const signature = await signRunnerMessage(secret, signedMessage(timestamp, useNonce, new TextEncoder().encode(text)));
  return {
    method: "POST",
    body: text,
    headers: {
      "content-type": "application/json",
      [RUNNER_HEADERS.keyId]: keyId,
      [RUNNER_HEADERS.timestamp]: timestamp,
      [RUNNER_HEADERS.nonce]: useNonce,
      [RUNNER_HEADERS.signature]: signature,
    },
  };
}

async function setup() {
  const t = convexTest(schema, modules);
  const response = await t.fetch("/runner/register", await signed({ runnerId: "r1", name: "box", version: "1" }));
  expect(response.status).toBe(200);
  return t;
}

beforeEach(() => {
  vi.stubEnv("RUNNER_HMAC_KEYS", JSON.stringify({ k1: SECRET }));
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe("authentication (nothing runs unless the envelope is good)", () => {
  test("register answers with the lease settings", async () => {
    const t = convexTest(schema, modules);
    const response = await t.fetch("/runner/register", await signed({ runnerId: "r1" }));
    expect(await response.json()).toEqual({ runnerId: "r1", leaseMs: 30_000, maxWaitMs: 20_000 });
    const rows = await t.run((ctx) => ctx.db.query("runners").collect());
    expect(rows).toMatchObject([{ runnerId: "r1", keyId: "k1", name: "r1", version: "unknown" }]);
  });

  test("forged: signed with a wrong secret -> 401, no runner registered", async () => {
    const t = convexTest(schema, modules);
    const response = await t.fetch("/runner/register", await signed({ runnerId: "evil" }, { secret: "guess" }));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "bad signature" });
    expect(await t.run((ctx) => ctx.db.query("runners").collect())).toEqual([]);
  });

  test("tampered: body changed after signing -> 401, command not claimed", async () => {
    const t = await setup();
    await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const init = await signed({ runnerId: "r1", waitMs: 0 });
    const response = await t.fetch("/runner/claim", { ...init, body: JSON.stringify({ runnerId: "r2", waitMs: 0 }) });
    expect(response.status).toBe(401);
    expect(await t.query(internal.commands.hasPending, {})).toBe(true);
  });

  test("replayed: the same signed request twice -> second is 401", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const init = await signed({ runnerId: "r1", waitMs: 0 });
    expect((await t.fetch("/runner/claim", init)).status).toBe(200);
    await t.mutation(internal.commands.enqueue, { kind: "b", payload: null });
    const replay = await t.fetch("/runner/claim", init);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ error: "replayed" });
    expect(await t.query(internal.commands.hasPending, {})).toBe(true);
    expect((await t.query(internal.commands.get, { commandId: id }))?.status).toBe("claimed");
  });

  test("expired: a timestamp outside the 300 s window -> 401", async () => {
    const t = await setup();
    await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const old = await signed({ runnerId: "r1", waitMs: 0 }, { nowMs: Date.now() - 301_000 });
    const response = await t.fetch("/runner/claim", old);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "expired" });
    expect(await t.query(internal.commands.hasPending, {})).toBe(true);
  });

  test("no keys configured: every request is refused", async () => {
    vi.stubEnv("RUNNER_HMAC_KEYS", "");
    const t = convexTest(schema, modules);
    expect((await t.fetch("/runner/register", await signed({ runnerId: "r1" }))).status).toBe(401);
  });

  test("malformed key config is a 500 that says so, not an open door", async () => {
    vi.stubEnv("RUNNER_HMAC_KEYS", "{not json");
    const t = convexTest(schema, modules);
    const response = await t.fetch("/runner/register", await signed({ runnerId: "r1" }));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "runner keys are misconfigured" });
  });

  test("a signed but invalid body is a 400 with the reason", async () => {
    const t = await setup();
    const response = await t.fetch("/runner/heartbeat", await signed({ runnerId: "r1", commandId: "x" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "fencingToken must be a non-negative integer" });
  });
});

describe("claim, heartbeat, complete, logs over HTTP", () => {
  test("the whole life of a command", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "fs.listDirectory", payload: { path: "/w" } });
    const claimed = await t.fetch("/runner/claim", await signed({ runnerId: "r1", waitMs: 0 }));
    expect(claimed.status).toBe(200);
    const { command } = await claimed.json();
    expect(command).toMatchObject({ commandId: id, kind: "fs.listDirectory", payload: { path: "/w" }, fencingToken: 1 });

    const beat = await t.fetch(
      "/runner/heartbeat",
      await signed({ runnerId: "r1", commandId: id, fencingToken: 1 }),
    );
    expect(await beat.json()).toMatchObject({ held: true });

    const body = {
      runnerId: "r1",
      commandId: id,
      fencingToken: 1,
      completionKey: `${id}:1`,
      outcome: { ok: true, result: { entries: [] } },
    };
    const done = await t.fetch("/runner/complete", await signed(body));
    expect(await done.json()).toEqual({ accepted: true, duplicate: false, status: "succeeded", reason: null });
    const again = await t.fetch("/runner/complete", await signed(body));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ accepted: true, duplicate: true });
    expect(await t.query(internal.commands.get, { commandId: id })).toEqual({
      status: "succeeded",
      result: { entries: [] },
      error: null,
    });
  });

  test("a stale fencing token is refused with 409", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    await t.fetch("/runner/claim", await signed({ runnerId: "r1", waitMs: 0 }));
    const response = await t.fetch(
      "/runner/complete",
      await signed({ runnerId: "r1", commandId: id, fencingToken: 7, completionKey: "x", outcome: { ok: true } }),
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ accepted: false, reason: "stale fencing token" });
  });

  test("an error outcome must carry a known kind", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    await t.fetch("/runner/claim", await signed({ runnerId: "r1", waitMs: 0 }));
    const bad = { ok: false, error: { kind: "weird", message: "m" } };
    const response = await t.fetch(
      "/runner/complete",
      await signed({ runnerId: "r1", commandId: id, fencingToken: 1, completionKey: "x", outcome: bad }),
    );
    expect(response.status).toBe(400);
    expect((await t.query(internal.commands.get, { commandId: id }))?.status).toBe("claimed");
  });

  test("claim of an empty queue answers 204 after the wait; an unregistered runner gets 409", async () => {
    const t = await setup();
    const started = Date.now();
    const empty = await t.fetch("/runner/claim", await signed({ runnerId: "r1", waitMs: 300 }));
    expect(empty.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const ghost = await t.fetch("/runner/claim", await signed({ runnerId: "ghost", waitMs: 0 }));
    expect(ghost.status).toBe(409);
    expect(await ghost.json()).toEqual({ error: "runner not registered" });
  });

  test("long poll: a command enqueued while the claim waits is handed over at once", async () => {
    const t = await setup();
    const pending = t.fetch("/runner/claim", await signed({ runnerId: "r1", waitMs: 5000 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const id = await t.mutation(internal.commands.enqueue, { kind: "late", payload: null });
    const response = await pending;
    expect(response.status).toBe(200);
    expect((await response.json()).command.commandId).toEqual(id);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("log chunks: duplicates ignored, bad chunks refused with 400", async () => {
    const t = await setup();
    const chunks = [
      { processId: "p1", stream: "stdout", seq: 0, content: "a" },
      { processId: "p1", stream: "stderr", seq: 1, content: "b" },
    ];
    const first = await t.fetch("/runner/logs", await signed({ runnerId: "r1", chunks }));
    expect(await first.json()).toEqual({ inserted: 2, duplicates: 0 });
    const retry = await t.fetch("/runner/logs", await signed({ runnerId: "r1", chunks }));
    expect(await retry.json()).toEqual({ inserted: 0, duplicates: 2 });
    const bad = await t.fetch(
      "/runner/logs",
      await signed({ runnerId: "r1", chunks: [{ processId: "p1", stream: "video", seq: 2, content: "" }] }),
    );
    expect(bad.status).toBe(400);
    const page = await t.query(internal.logs.listByProcess, { processId: "p1" });
    expect(page.chunks.map((c) => c.content)).toEqual(["a", "b"]);
  });
});

describe("the runner reports its host at registration", () => {
  // What the real 0.0.71 binary reports on this Debian 12 host (GET /api/info), plus a HOME.
  const HOST = { home: "/home/dev", os_type: "Debian", os_version: "12.0.0", os_architecture: "x86_64", bitness: "64-bit" };

  test("/api/info and the HOME-relative paths come from the report", async () => {
    const t = convexTest(schema, modules);
    const before = await (await t.fetch("/api/info")).json();
    expect(before.data.environment.os_type).toBe("Unknown");
    const response = await t.fetch("/runner/register", await signed({ runnerId: "r1", environment: HOST }));
    expect(response.status).toBe(200);
    const info = await (await t.fetch("/api/info")).text();
    expect(info).toContain(
      '"environment":{"os_type":"Debian","os_version":"12.0.0","os_architecture":"x86_64","bitness":"64-bit"}',
    );
    const profiles = await (await t.fetch("/api/profiles")).json();
    expect(profiles.data.path).toBe("/home/dev/.local/share/vibe-kanban/profiles.json");
  });

  test("a later registration without a report keeps the last one; a new report replaces it", async () => {
    const t = convexTest(schema, modules);
    await t.fetch("/runner/register", await signed({ runnerId: "r1", environment: HOST }));
    await t.fetch("/runner/register", await signed({ runnerId: "r2" }));
    expect(await t.query(internal.system.environment, {})).toEqual(HOST);
    const moved = { ...HOST, home: "/srv/runner" };
    await t.fetch("/runner/register", await signed({ runnerId: "r2", environment: moved }));
    expect(await t.query(internal.system.environment, {})).toEqual(moved);
  });

  test.each([
    ["not an object", "Debian"],
    ["a field missing", { ...HOST, bitness: undefined }],
    ["a field not a string", { ...HOST, os_version: 12 }],
    ["an empty field", { ...HOST, home: "" }],
    ["an unknown field", { ...HOST, kernel: "6.1" }],
  ])("a report with %s is refused with 400 and nothing is registered", async (_what, environment) => {
    const t = convexTest(schema, modules);
    const response = await t.fetch("/runner/register", await signed({ runnerId: "r1", environment }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/^environment/);
    expect(await t.run((ctx) => ctx.db.query("runners").collect())).toEqual([]);
    expect((await t.query(internal.system.environment, {})).os_type).toBe("Unknown");
  });
});
