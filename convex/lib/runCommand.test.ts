import { convexTest } from "convex-test";
import { describe, expect, test } from "vitest";
import { internal } from "../_generated/api";
import schema from "../schema";
import { modules } from "../test.setup";
import { runCommand } from "./runCommand";

// A runner stand-in made of the same internal mutations the HTTP actions call.
async function serveOne(t: ReturnType<typeof convexTest>, outcome: { ok: true; result: unknown } | { ok: false; error: { kind: "soft" | "api" | "internal"; message: string } }) {
  await t.mutation(internal.runners.register, { runnerId: "r1", keyId: "k1", name: "r1", version: "t" });
  for (;;) {
    const claimed = await t.mutation(internal.commands.claim, { runnerId: "r1", keyId: "k1" });
    if (claimed !== null && !("unregistered" in claimed)) {
      await t.mutation(internal.commands.complete, {
        runnerId: "r1",
        commandId: claimed.commandId,
        fencingToken: claimed.fencingToken,
        completionKey: `${claimed.commandId}:${claimed.fencingToken}`,
        outcome,
      });
      return claimed;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("runCommand", () => {
  test("returns the runner's result", async () => {
    const t = convexTest(schema, modules);
    const [outcome, claimed] = await Promise.all([
      t.action((ctx) => runCommand(ctx, "fs.listDirectory", { path: "/w" }, { timeoutMs: 5000 })),
      serveOne(t, { ok: true, result: { entries: [], current_path: "/w" } }),
    ]);
    expect(outcome).toEqual({ ok: true, result: { entries: [], current_path: "/w" } });
    expect(claimed).toMatchObject({ kind: "fs.listDirectory", payload: { path: "/w" } });
  });

  test("returns the runner's error as is", async () => {
    const t = convexTest(schema, modules);
    const error = { kind: "soft" as const, message: "Directory does not exist" };
    const [outcome] = await Promise.all([
      t.action((ctx) => runCommand(ctx, "fs.listDirectory", { path: "/nope" }, { timeoutMs: 5000 })),
      serveOne(t, { ok: false, error }),
    ]);
    expect(outcome).toEqual({ ok: false, error });
  });

  test("times out when no runner answers, and the command can no longer run late", async () => {
    const t = convexTest(schema, modules);
    const outcome = await t.action((ctx) => runCommand(ctx, "slow", {}, { timeoutMs: 100 }));
    expect(outcome).toEqual({ ok: false, error: { kind: "internal", message: "no runner finished slow within 100 ms" } });
    expect(await t.query(internal.commands.hasPending, {})).toBe(false);
  });

  test("a dedupKey reuses the finished command instead of running it again", async () => {
    const t = convexTest(schema, modules);
    const run = () => t.action((ctx) => runCommand(ctx, "once", {}, { timeoutMs: 5000, dedupKey: "req-1" }));
    const [first] = await Promise.all([run(), serveOne(t, { ok: true, result: 42 })]);
    const second = await run(); // no runner now: only the stored result can answer
    expect(first).toEqual({ ok: true, result: 42 });
    expect(second).toEqual({ ok: true, result: 42 });
    expect(await t.run((ctx) => ctx.db.query("commands").collect())).toHaveLength(1);
  });
});
