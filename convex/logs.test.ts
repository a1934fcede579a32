import { convexTest } from "convex-test";
import { describe, expect, test } from "vitest";
import { internal } from "./_generated/api";
import schema from "./schema";
import { modules } from "./test.setup";

const P = "6f1d0c1e-1111-4222-8333-444455556666";
const chunk = (seq: number, content = `line ${seq}\n`, stream: "stdout" | "stderr" = "stdout") => ({
  processId: P,
  stream,
  seq,
  content,
});

describe("logs.append", () => {
  test("stores chunks once: a retried batch inserts nothing", async () => {
    const t = convexTest(schema, modules);
    expect(await t.mutation(internal.logs.append, { chunks: [chunk(0), chunk(1)] })).toEqual({
      inserted: 2,
      duplicates: 0,
    });
    expect(await t.mutation(internal.logs.append, { chunks: [chunk(0), chunk(1)] })).toEqual({
      inserted: 0,
      duplicates: 2,
    });
    // The first write wins, even if a retry carries other content for the same seq.
    await t.mutation(internal.logs.append, { chunks: [chunk(1, "changed")] });
    const page = await t.query(internal.logs.listByProcess, { processId: P });
    expect(page.chunks.map((c) => c.content)).toEqual(["line 0\n", "line 1\n"]);
  });

  test("gaps may be filled later and the listing stays in seq order", async () => {
    const t = convexTest(schema, modules);
    await t.mutation(internal.logs.append, { chunks: [chunk(0), chunk(3, "err\n", "stderr")] });
    await t.mutation(internal.logs.append, { chunks: [chunk(2), chunk(1)] });
    const page = await t.query(internal.logs.listByProcess, { processId: P });
    expect(page.chunks.map((c) => [c.seq, c.stream])).toEqual([
      [0, "stdout"],
      [1, "stdout"],
      [2, "stdout"],
      [3, "stderr"],
    ]);
    expect(page.isDone).toBe(true);
  });

  test("refuses negative or fractional seq and oversized batches", async () => {
    const t = convexTest(schema, modules);
    await expect(t.mutation(internal.logs.append, { chunks: [chunk(-1)] })).rejects.toThrow(/seq/);
    await expect(t.mutation(internal.logs.append, { chunks: [chunk(1.5)] })).rejects.toThrow(/seq/);
    const many = Array.from({ length: 201 }, (_, i) => chunk(i));
    await expect(t.mutation(internal.logs.append, { chunks: many })).rejects.toThrow(/at most 200/);
    expect((await t.query(internal.logs.listByProcess, { processId: P })).chunks).toEqual([]);
  });
});

describe("logs.listByProcess", () => {
  test("pages with a cursor, keeps processes apart", async () => {
    const t = convexTest(schema, modules);
    await t.mutation(internal.logs.append, { chunks: Array.from({ length: 5 }, (_, i) => chunk(i)) });
    await t.mutation(internal.logs.append, { chunks: [{ ...chunk(0), processId: "other" }] });
    const first = await t.query(internal.logs.listByProcess, { processId: P, limit: 2 });
    expect(first.chunks.map((c) => c.seq)).toEqual([0, 1]);
    expect(first).toMatchObject({ nextAfterSeq: 1, isDone: false });
    const second = await t.query(internal.logs.listByProcess, { processId: P, afterSeq: 1, limit: 2 });
    expect(second.chunks.map((c) => c.seq)).toEqual([2, 3]);
    const last = await t.query(internal.logs.listByProcess, { processId: P, afterSeq: 3, limit: 2 });
    expect(last).toMatchObject({ nextAfterSeq: 4, isDone: true });
    const after = await t.query(internal.logs.listByProcess, { processId: P, afterSeq: 4 });
    expect(after).toEqual({ chunks: [], nextAfterSeq: 4, isDone: true });
    expect(await t.query(internal.logs.listByProcess, { processId: "none" })).toEqual({
      chunks: [],
      nextAfterSeq: null,
      isDone: true,
    });
  });
});
