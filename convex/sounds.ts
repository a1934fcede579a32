// The seven notification sounds of /api/sounds/{sound}. 0.0.71 embeds the WAVs in its binary; Convex
// cannot read that at run time, so an operator (or the demo) uploads them once with `sounds:store`
// (an internal action: bytes → file storage → this table). Until then the route answers 500
// "DeploymentError: ..." naming the missing sound.

import { v } from "convex/values";
import { internal } from "./_generated/api";
import { internalAction, internalMutation, internalQuery } from "./_generated/server";
import { soundName } from "./lib/validators";

export const store = internalAction({
  args: { name: soundName, wav: v.bytes() },
  returns: v.null(),
  handler: async (ctx, { name, wav }) => {
    const digest = await crypto.subtle.digest("SHA-256", wav);
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const storageId = await ctx.storage.store(new Blob([wav], { type: "audio/wav" }));
    await ctx.runMutation(internal.sounds.record, { name, storageId, sizeBytes: wav.byteLength, sha256 });
    return null;
  },
});

export const record = internalMutation({
  args: { name: soundName, storageId: v.id("_storage"), sizeBytes: v.number(), sha256: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const existing = await ctx.db
      .query("sounds")
      .withIndex("by_name", (q) => q.eq("name", args.name))
      .unique();
    if (existing && existing.sha256 === args.sha256) {
      await ctx.storage.delete(args.storageId);
      return null;
    }
    if (existing) {
      await ctx.storage.delete(existing.storageId);
      await ctx.db.replace(existing._id, args);
    } else {
      await ctx.db.insert("sounds", args);
    }
    return null;
  },
});

export const get = internalQuery({
  args: { name: soundName },
  returns: v.union(v.object({ storageId: v.id("_storage"), sizeBytes: v.number() }), v.null()),
  handler: async (ctx, { name }) => {
    const row = await ctx.db
      .query("sounds")
      .withIndex("by_name", (q) => q.eq("name", name))
      .unique();
    return row ? { storageId: row.storageId, sizeBytes: row.sizeBytes } : null;
  },
});
