// Runner registry and the nonce ledger of signed requests. Internal only: runnerHttp.ts calls these
// after the signature was checked.
import { v } from "convex/values";
import { internalMutation } from "./_generated/server";

const NONCE_PURGE_BATCH = 500;

/** Creates or refreshes a runner (idempotent: a retried or repeated register changes nothing else). */
export const register = internalMutation({
  args: { runnerId: v.string(), keyId: v.string(), name: v.string(), version: v.string() },
  returns: v.null(),
  handler: async (ctx, { runnerId, keyId, name, version }) => {
    const now = Date.now();
    const existing = await ctx.db
      .query("runners")
      .withIndex("by_runnerId", (q) => q.eq("runnerId", runnerId))
      .unique();
    if (existing === null) {
      await ctx.db.insert("runners", { runnerId, keyId, name, version, registeredAt: now, lastSeenAt: now });
    } else {
      await ctx.db.patch(existing._id, { keyId, name, version, lastSeenAt: now });
    }
    return null;
  },
});

/**
 * Records a nonce as used. Returns false when this key already used it (a replay). The nonce is kept
 * until `expiresAt` (its timestamp plus the replay window); after that the timestamp check refuses it.
 */
export const useNonce = internalMutation({
  args: { keyId: v.string(), nonce: v.string(), expiresAt: v.number() },
  returns: v.boolean(),
  handler: async (ctx, { keyId, nonce, expiresAt }) => {
    const seen = await ctx.db
      .query("runnerNonces")
      .withIndex("by_keyId_and_nonce", (q) => q.eq("keyId", keyId).eq("nonce", nonce))
      .first();
    if (seen !== null) {
      return false;
    }
    await ctx.db.insert("runnerNonces", { keyId, nonce, expiresAt });
    return true;
  },
});

/** Deletes nonces whose replay window has passed (crons.ts). Bounded per run. */
export const purgeNonces = internalMutation({
  args: {},
  returns: v.object({ deleted: v.number(), more: v.boolean() }),
  handler: async (ctx) => {
    const expired = await ctx.db
      .query("runnerNonces")
      .withIndex("by_expiresAt", (q) => q.lt("expiresAt", Date.now()))
      .take(NONCE_PURGE_BATCH);
    for (const row of expired) {
      await ctx.db.delete(row._id);
    }
    return { deleted: expired.length, more: expired.length === NONCE_PURGE_BATCH };
  },
});
