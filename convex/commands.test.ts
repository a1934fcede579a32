import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { internal } from "./_generated/api";
import schema from "./schema";
import { modules } from "./test.setup";

const LEASE_MS = 30_000; // the default of lib/runnerConfig.ts

async function setup() {
  const t = convexTest(schema, modules);
  for (const runnerId of ["r1", "r2"]) {
    await t.mutation(internal.runners.register, { runnerId, keyId: "k1", name: runnerId, version: "test" });
  }
  return t;
}

type T = Awaited<ReturnType<typeof setup>>;

async function claim(t: T, runnerId: string) {
  const claimed = await t.mutation(internal.commands.claim, { runnerId, keyId: "k1" });
  if (claimed === null || "unregistered" in claimed) {
    throw new Error(`nothing claimed: ${JSON.stringify(claimed)}`);
  }
  return claimed;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("enqueue and get", () => {
  test("a new command is pending with no result", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "fs.listDirectory", payload: { path: null } });
    expect(await t.query(internal.commands.get, { commandId: id })).toEqual({
      status: "pending",
      result: null,
      error: null,
    });
  });

  test("the same dedupKey gives the same command, without a second row", async () => {
    const t = await setup();
    const first = await t.mutation(internal.commands.enqueue, { kind: "a", payload: 1, dedupKey: "x" });
    const again = await t.mutation(internal.commands.enqueue, { kind: "a", payload: 1, dedupKey: "x" });
    const other = await t.mutation(internal.commands.enqueue, { kind: "a", payload: 1, dedupKey: "y" });
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(await t.run((ctx) => ctx.db.query("commands").collect())).toHaveLength(2);
  });
});

describe("claim", () => {
  test("leases the oldest pending command, bumping the fencing token and attempt", async () => {
    const t = await setup();
    const older = await t.mutation(internal.commands.enqueue, { kind: "first", payload: { n: 1 } });
    await t.mutation(internal.commands.enqueue, { kind: "second", payload: { n: 2 } });
    const claimed = await claim(t, "r1");
    expect(claimed).toEqual({
      commandId: older,
      kind: "first",
      payload: { n: 1 },
      fencingToken: 1,
      attempt: 1,
      leaseExpiresAt: Date.now() + LEASE_MS,
    });
    expect((await claim(t, "r2")).kind).toBe("second");
    expect(await t.mutation(internal.commands.claim, { runnerId: "r1", keyId: "k1" })).toBeNull();
  });

  test("an unregistered runner, or one using another key, gets nothing", async () => {
    const t = await setup();
    await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    expect(await t.mutation(internal.commands.claim, { runnerId: "ghost", keyId: "k1" })).toEqual({
      unregistered: true,
    });
    expect(await t.mutation(internal.commands.claim, { runnerId: "r1", keyId: "k9" })).toEqual({
      unregistered: true,
    });
    expect(await t.query(internal.commands.hasPending, {})).toBe(true);
  });

  test("the lease length comes from the deployment env", async () => {
    vi.stubEnv("RUNNER_LEASE_MS", "500");
    const t = await setup();
    await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    expect((await claim(t, "r1")).leaseExpiresAt).toBe(Date.now() + 500);
  });
});

describe("heartbeat", () => {
  test("extends the lease only for the current holder", async () => {
    const t = await setup();
    await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const c = await claim(t, "r1");
    vi.advanceTimersByTime(10_000);
    const held = await t.mutation(internal.commands.heartbeat, {
      runnerId: "r1",
      commandId: c.commandId,
      fencingToken: c.fencingToken,
    });
    expect(held).toEqual({ held: true, leaseExpiresAt: Date.now() + LEASE_MS });
    for (const [runnerId, fencingToken] of [
      ["r2", c.fencingToken],
      ["r1", c.fencingToken + 1],
    ] as const) {
      expect(
        await t.mutation(internal.commands.heartbeat, { runnerId, commandId: c.commandId, fencingToken }),
      ).toEqual({ held: false, leaseExpiresAt: null });
    }
    expect(
      await t.mutation(internal.commands.heartbeat, { runnerId: "r1", commandId: "not-an-id", fencingToken: 1 }),
    ).toEqual({ held: false, leaseExpiresAt: null });
  });
});

describe("complete", () => {
  test("records the result; the same completion key again returns the first outcome", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const c = await claim(t, "r1");
    const args = { runnerId: "r1", commandId: id, fencingToken: c.fencingToken, completionKey: `${id}:1` };
    const first = await t.mutation(internal.commands.complete, { ...args, outcome: { ok: true, result: { n: 1 } } });
    expect(first).toEqual({ accepted: true, duplicate: false, status: "succeeded", reason: null });
    // A retry (e.g. the first response was lost), even carrying a different outcome, changes nothing.
    const again = await t.mutation(internal.commands.complete, {
      ...args,
      outcome: { ok: false, error: { kind: "internal", message: "retried differently" } },
    });
    expect(again).toEqual({ accepted: true, duplicate: true, status: "succeeded", reason: null });
    expect(await t.query(internal.commands.get, { commandId: id })).toEqual({
      status: "succeeded",
      result: { n: 1 },
      error: null,
    });
  });

  test("an error outcome makes the command failed with that error", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const c = await claim(t, "r1");
    const error = { kind: "soft" as const, message: "Directory does not exist" };
    await t.mutation(internal.commands.complete, {
      runnerId: "r1",
      commandId: id,
      fencingToken: c.fencingToken,
      completionKey: "k",
      outcome: { ok: false, error },
    });
    expect(await t.query(internal.commands.get, { commandId: id })).toEqual({ status: "failed", result: null, error });
  });

  test("a completion with another key after the first is refused", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const c = await claim(t, "r1");
    const base = { runnerId: "r1", commandId: id, fencingToken: c.fencingToken, outcome: { ok: true as const, result: 1 } };
    await t.mutation(internal.commands.complete, { ...base, completionKey: "one" });
    expect(await t.mutation(internal.commands.complete, { ...base, completionKey: "two" })).toEqual({
      accepted: false,
      duplicate: false,
      status: "succeeded",
      reason: "already completed",
    });
  });

  test("an unknown command id is refused, not thrown", async () => {
    const t = await setup();
    expect(
      await t.mutation(internal.commands.complete, {
        runnerId: "r1",
        commandId: "nope",
        fencingToken: 1,
        completionKey: "k",
        outcome: { ok: true, result: null },
      }),
    ).toEqual({ accepted: false, duplicate: false, status: null, reason: "unknown command" });
  });
});

describe("lease expiry, sweeper and fencing", () => {
  test("an expired lease is re-queued; the re-claim gets a higher token and the old holder is fenced off", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const first = await claim(t, "r1");

    vi.advanceTimersByTime(LEASE_MS - 1);
    expect(await t.mutation(internal.commands.sweep, {})).toEqual({ requeued: 0, expired: 0, more: false });
    vi.advanceTimersByTime(2);
    expect(await t.mutation(internal.commands.sweep, {})).toEqual({ requeued: 1, expired: 0, more: false });
    expect((await t.query(internal.commands.get, { commandId: id }))?.status).toBe("pending");

    const second = await claim(t, "r2");
    expect(second.commandId).toEqual(id);
    expect(second.fencingToken).toBe(first.fencingToken + 1);
    expect(second.attempt).toBe(2);

    const stale = await t.mutation(internal.commands.complete, {
      runnerId: "r1",
      commandId: id,
      fencingToken: first.fencingToken,
      completionKey: `${id}:${first.fencingToken}`,
      outcome: { ok: true, result: "late" },
    });
    expect(stale).toEqual({ accepted: false, duplicate: false, status: "claimed", reason: "stale fencing token" });
    const heartbeat = await t.mutation(internal.commands.heartbeat, {
      runnerId: "r1",
      commandId: id,
      fencingToken: first.fencingToken,
    });
    expect(heartbeat.held).toBe(false);

    const fresh = await t.mutation(internal.commands.complete, {
      runnerId: "r2",
      commandId: id,
      fencingToken: second.fencingToken,
      completionKey: `${id}:${second.fencingToken}`,
      outcome: { ok: true, result: "done" },
    });
    expect(fresh.accepted).toBe(true);
    expect(await t.query(internal.commands.get, { commandId: id })).toMatchObject({ status: "succeeded", result: "done" });
  });

  test("a holder whose lease ran out may still complete while nobody re-claimed", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const c = await claim(t, "r1");
    vi.advanceTimersByTime(LEASE_MS + 1);
    await t.mutation(internal.commands.sweep, {});
    const late = await t.mutation(internal.commands.complete, {
      runnerId: "r1",
      commandId: id,
      fencingToken: c.fencingToken,
      completionKey: "late",
      outcome: { ok: true, result: 1 },
    });
    expect(late.accepted).toBe(true);
    expect(await t.mutation(internal.commands.claim, { runnerId: "r2", keyId: "k1" })).toBeNull();
  });

  test("heartbeats keep a long command's lease alive across sweeps", async () => {
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    const c = await claim(t, "r1");
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(LEASE_MS / 2);
      await t.mutation(internal.commands.heartbeat, { runnerId: "r1", commandId: id, fencingToken: c.fencingToken });
      expect((await t.mutation(internal.commands.sweep, {})).requeued).toBe(0);
    }
    expect((await t.query(internal.commands.get, { commandId: id }))?.status).toBe("claimed");
  });

  test("after the last allowed attempt the command expires with an internal error", async () => {
    vi.stubEnv("RUNNER_MAX_ATTEMPTS", "2");
    const t = await setup();
    const id = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    await claim(t, "r1");
    vi.advanceTimersByTime(LEASE_MS + 1);
    expect((await t.mutation(internal.commands.sweep, {})).requeued).toBe(1);
    await claim(t, "r2");
    vi.advanceTimersByTime(LEASE_MS + 1);
    expect(await t.mutation(internal.commands.sweep, {})).toEqual({ requeued: 0, expired: 1, more: false });
    expect(await t.query(internal.commands.get, { commandId: id })).toEqual({
      status: "expired",
      result: null,
      error: { kind: "internal", message: "runner lease expired 2 times" },
    });
    expect(await t.mutation(internal.commands.claim, { runnerId: "r1", keyId: "k1" })).toBeNull();
  });

  test("the sweeper leaves pending and finished commands alone", async () => {
    const t = await setup();
    await t.mutation(internal.commands.enqueue, { kind: "pending", payload: null });
    vi.advanceTimersByTime(10 * LEASE_MS);
    expect(await t.mutation(internal.commands.sweep, {})).toEqual({ requeued: 0, expired: 0, more: false });
  });
});

describe("cancelIfPending", () => {
  test("fails a command nobody claimed, and leaves a claimed one alone", async () => {
    const t = await setup();
    const lonely = await t.mutation(internal.commands.enqueue, { kind: "a", payload: null });
    expect(await t.mutation(internal.commands.cancelIfPending, { commandId: lonely, message: "timed out" })).toBe(true);
    expect(await t.query(internal.commands.get, { commandId: lonely })).toEqual({
      status: "failed",
      result: null,
      error: { kind: "internal", message: "timed out" },
    });
    const busy = await t.mutation(internal.commands.enqueue, { kind: "b", payload: null });
    await claim(t, "r1");
    expect(await t.mutation(internal.commands.cancelIfPending, { commandId: busy, message: "x" })).toBe(false);
    expect((await t.query(internal.commands.get, { commandId: busy }))?.status).toBe("claimed");
  });
});
