// PLACEHOLDER until the runner-host helper's `convex/commands.ts` lands (it replaces this file at merge).
// The agreed interface, minimal: `enqueue` (idempotent per dedupKey) and `get`. `complete` is the
// runner's side of a command reduced to its essence, for tests that play the runner through the protocol.

import { v } from "convex/values";
import { internalMutation, internalQuery } from "./_generated/server";
import { commandError, commandStatus } from "./lib/runnerTables";

export const enqueue = internalMutation({
  args: { kind: v.string(), payload: v.any(), dedupKey: v.optional(v.string()) },
  returns: v.id("commands"),
  handler: async (ctx, { kind, payload, dedupKey }) => {
    if (dedupKey !== undefined) {
      const existing = await ctx.db
        .query("commands")
        .withIndex("by_dedupKey", (q) => q.eq("dedupKey", dedupKey))
        .first();
      if (existing) return existing._id;
    }
    return await ctx.db.insert("commands", { kind, payload, dedupKey, status: "pending", result: null, error: null });
  },
});

export const get = internalQuery({
  args: { commandId: v.id("commands") },
  returns: v.object({ status: commandStatus, result: v.any(), error: v.union(commandError, v.null()) }),
  handler: async (ctx, { commandId }) => {
    const command = await ctx.db.get(commandId);
    if (!command) return { status: "expired" as const, result: null, error: { kind: "internal" as const, message: "unknown command" } };
    return { status: command.status, result: command.result ?? null, error: command.error };
  },
});

export const complete = internalMutation({
  args: { commandId: v.id("commands"), result: v.optional(v.any()), error: v.optional(commandError) },
  returns: v.null(),
  handler: async (ctx, { commandId, result, error }) => {
    const command = await ctx.db.get(commandId);
    if (!command || command.status === "succeeded" || command.status === "failed") return null;
    await ctx.db.patch(commandId, error ? { status: "failed", error } : { status: "succeeded", result: result ?? null });
    return null;
  },
});
