import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { internal } from "./_generated/api";
import schema from "./schema";
import { modules } from "./test.setup";

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
});
afterEach(() => vi.useRealTimers());

describe("runners.register", () => {
  test("creates once and refreshes on repeat", async () => {
    const t = convexTest(schema, modules);
    const args = { runnerId: "r1", keyId: "k1", name: "box", version: "1" };
    await t.mutation(internal.runners.register, args);
    const registeredAt = Date.now();
    vi.advanceTimersByTime(5000);
    await t.mutation(internal.runners.register, { ...args, version: "2" });
    const rows = await t.run((ctx) => ctx.db.query("runners").collect());
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: "2", registeredAt, lastSeenAt: registeredAt + 5000 });
  });
});

describe("runners.useNonce and purgeNonces", () => {
  test("a nonce is accepted once per key", async () => {
    const t = convexTest(schema, modules);
    const use = (keyId: string, nonce: string) =>
      t.mutation(internal.runners.useNonce, { keyId, nonce, expiresAt: Date.now() + 1000 });
    expect(await use("k1", "n-1")).toBe(true);
    expect(await use("k1", "n-1")).toBe(false);
    expect(await use("k2", "n-1")).toBe(true);
  });

  test("purge forgets only nonces past their expiry", async () => {
    const t = convexTest(schema, modules);
    await t.mutation(internal.runners.useNonce, { keyId: "k", nonce: "old", expiresAt: Date.now() + 1000 });
    await t.mutation(internal.runners.useNonce, { keyId: "k", nonce: "new", expiresAt: Date.now() + 60_000 });
    vi.advanceTimersByTime(2000);
    expect(await t.mutation(internal.runners.purgeNonces, {})).toEqual({ deleted: 1, more: false });
    const left = await t.run((ctx) => ctx.db.query("runnerNonces").collect());
    expect(left.map((row) => row.nonce)).toEqual(["new"]);
  });
});
