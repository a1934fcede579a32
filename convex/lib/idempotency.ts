// Idempotency for writes the shadow tee may retry: a mutation given an Idempotency-Key first replays the
// result stored under it, and stores its own result in the same transaction, so a retry never repeats.

import { MutationCtx } from "../_generated/server";

export async function replayed(ctx: MutationCtx, key: string | null | undefined): Promise<{ result: unknown } | null> {
  if (!key) return null;
  const row = await ctx.db
    .query("idempotencyKeys")
    .withIndex("by_key", (q) => q.eq("key", key))
    .unique();
  return row ? { result: row.result } : null;
}

export async function remember<T>(ctx: MutationCtx, key: string | null | undefined, result: T): Promise<T> {
  if (key) await ctx.db.insert("idempotencyKeys", { key, result });
  return result;
}
