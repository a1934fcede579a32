// The runner's work queue. Everything here is internal: the compatibility layer enqueues and polls
// (see lib/runCommand.ts), runnerHttp.ts calls claim/heartbeat/complete after checking the signature,
// and crons.ts runs the sweeper. Every mutation is idempotent: HTTP actions are not retried by Convex,
// so the runner retries, and a retry must not change the outcome.
import { v } from "convex/values";
import { internalMutation, internalQuery } from "./_generated/server";
import type { Doc } from "./_generated/dataModel";
import type { MutationCtx } from "./_generated/server";
import { commandError, commandStatus } from "./lib/runnerTables";
import { leaseMs, maxAttempts } from "./lib/runnerConfig";

const SWEEP_BATCH = 100;

const TERMINAL = new Set<Doc<"commands">["status"]>(["succeeded", "failed", "expired"]);

export const outcome = v.union(
  v.object({ ok: v.literal(true), result: v.any() }),
  v.object({ ok: v.literal(false), error: commandError }),
);

const claimedCommand = v.object({
  commandId: v.id("commands"),
  kind: v.string(),
  payload: v.any(),
  fencingToken: v.number(),
  attempt: v.number(),
  leaseExpiresAt: v.number(),
});

/** Adds a command, or returns the existing one with the same dedupKey. */
export const enqueue = internalMutation({
  args: { kind: v.string(), payload: v.any(), dedupKey: v.optional(v.string()) },
  returns: v.id("commands"),
  handler: async (ctx, { kind, payload, dedupKey }) => {
    if (dedupKey !== undefined) {
      const existing = await ctx.db
        .query("commands")
        .withIndex("by_dedupKey", (q) => q.eq("dedupKey", dedupKey))
        .first();
      if (existing !== null) {
        return existing._id;
      }
    }
    return await ctx.db.insert("commands", {
      kind,
      payload,
      dedupKey,
      status: "pending",
      attempts: 0,
      fencingToken: 0,
      result: null,
      error: null,
    });
  },
});

export const get = internalQuery({
  args: { commandId: v.id("commands") },
  returns: v.union(
    v.null(),
    v.object({ status: commandStatus, result: v.any(), error: v.union(commandError, v.null()) }),
  ),
  handler: async (ctx, { commandId }) => {
    const command = await ctx.db.get(commandId);
    if (command === null) {
      return null;
    }
    return { status: command.status, result: command.result ?? null, error: command.error };
  },
});

/** Cheap check the long-poll loop makes before it tries a (conflicting) claim. */
export const hasPending = internalQuery({
  args: {},
  returns: v.boolean(),
  handler: async (ctx) => {
    const first = await ctx.db
      .query("commands")
      .withIndex("by_status", (q) => q.eq("status", "pending"))
      .first();
    return first !== null;
  },
});

/** Leases the oldest pending command to a registered runner; null when the queue is empty. */
export const claim = internalMutation({
  args: { runnerId: v.string(), keyId: v.string() },
  returns: v.union(v.null(), claimedCommand, v.object({ unregistered: v.literal(true) })),
  handler: async (ctx, { runnerId, keyId }) => {
    const runner = await ctx.db
      .query("runners")
      .withIndex("by_runnerId", (q) => q.eq("runnerId", runnerId))
      .unique();
    if (runner === null || runner.keyId !== keyId) {
      return { unregistered: true as const };
    }
    const command = await ctx.db
      .query("commands")
      .withIndex("by_status", (q) => q.eq("status", "pending"))
      .first();
    if (command === null) {
      return null;
    }
    const fencingToken = command.fencingToken + 1;
    const attempt = command.attempts + 1;
    const leaseExpiresAt = Date.now() + leaseMs();
    await ctx.db.patch(command._id, {
      status: "claimed",
      runnerId,
      fencingToken,
      attempts: attempt,
      leaseExpiresAt,
    });
    return { commandId: command._id, kind: command.kind, payload: command.payload, fencingToken, attempt, leaseExpiresAt };
  },
});

async function loadCommand(ctx: MutationCtx, commandId: string): Promise<Doc<"commands"> | null> {
  const id = ctx.db.normalizeId("commands", commandId);
  return id === null ? null : await ctx.db.get(id);
}

/** Extends the lease while the holder (same runner, same fencing token) still has it. */
export const heartbeat = internalMutation({
  args: { runnerId: v.string(), commandId: v.string(), fencingToken: v.number() },
  returns: v.object({ held: v.boolean(), leaseExpiresAt: v.union(v.number(), v.null()) }),
  handler: async (ctx, { runnerId, commandId, fencingToken }) => {
    const command = await loadCommand(ctx, commandId);
    if (
      command === null ||
      command.status !== "claimed" ||
      command.fencingToken !== fencingToken ||
      command.runnerId !== runnerId
    ) {
      return { held: false, leaseExpiresAt: null };
    }
    const leaseExpiresAt = Date.now() + leaseMs();
    await ctx.db.patch(command._id, { leaseExpiresAt });
    return { held: true, leaseExpiresAt };
  },
});

const completionAck = v.object({
  accepted: v.boolean(),
  duplicate: v.boolean(),
  status: v.union(commandStatus, v.null()),
  reason: v.union(v.string(), v.null()),
});

/**
 * Records the outcome of one claim. The same completionKey twice gives the first answer again; a
 * fencing token other than the current one is refused (a newer claim owns the command). A holder whose
 * lease ran out may still complete while nobody re-claimed the command (its token is still current).
 */
export const complete = internalMutation({
  args: {
    runnerId: v.string(),
    commandId: v.string(),
    fencingToken: v.number(),
    completionKey: v.string(),
    outcome,
  },
  returns: completionAck,
  handler: async (ctx, { runnerId, commandId, fencingToken, completionKey, outcome }) => {
    const command = await loadCommand(ctx, commandId);
    if (command === null) {
      return { accepted: false, duplicate: false, status: null, reason: "unknown command" };
    }
    if (TERMINAL.has(command.status)) {
      if (command.completionKey === completionKey) {
        return { accepted: true, duplicate: true, status: command.status, reason: null };
      }
      return { accepted: false, duplicate: false, status: command.status, reason: "already completed" };
    }
    if (command.fencingToken !== fencingToken || command.runnerId !== runnerId) {
      return { accepted: false, duplicate: false, status: command.status, reason: "stale fencing token" };
    }
    const status = outcome.ok ? ("succeeded" as const) : ("failed" as const);
    await ctx.db.patch(command._id, {
      status,
      result: outcome.ok ? outcome.result : null,
      error: outcome.ok ? null : outcome.error,
      completionKey,
      completedAt: Date.now(),
      leaseExpiresAt: undefined,
    });
    return { accepted: true, duplicate: false, status, reason: null };
  },
});

/**
 * The orphan sweeper (crons.ts): claimed commands whose lease ran out go back to pending, or to
 * `expired` once they used up their attempts. Bounded per run; it says whether more may be waiting.
 */
export const sweep = internalMutation({
  args: {},
  returns: v.object({ requeued: v.number(), expired: v.number(), more: v.boolean() }),
  handler: async (ctx) => {
    const now = Date.now();
    const limit = maxAttempts();
    const stale = await ctx.db
      .query("commands")
      .withIndex("by_status_and_leaseExpiresAt", (q) => q.eq("status", "claimed").lt("leaseExpiresAt", now))
      .take(SWEEP_BATCH);
    let requeued = 0;
    let expired = 0;
    for (const command of stale) {
      if (command.attempts >= limit) {
        await ctx.db.patch(command._id, {
          status: "expired",
          error: { kind: "internal", message: `runner lease expired ${command.attempts} times` },
          completedAt: now,
          leaseExpiresAt: undefined,
        });
        expired += 1;
      } else {
        // runnerId and fencingToken stay: the old holder may still complete until someone re-claims.
        await ctx.db.patch(command._id, { status: "pending", leaseExpiresAt: undefined });
        requeued += 1;
      }
    }
    return { requeued, expired, more: stale.length === SWEEP_BATCH };
  },
});

/** Gives up on a command nobody claimed yet (runCommand's timeout), so it never runs late. */
export const cancelIfPending = internalMutation({
  args: { commandId: v.id("commands"), message: v.string() },
  returns: v.boolean(),
  handler: async (ctx, { commandId, message }) => {
    const command = await ctx.db.get(commandId);
    if (command === null || command.status !== "pending") {
      return false;
    }
    await ctx.db.patch(commandId, {
      status: "failed",
      error: { kind: "internal", message },
      completedAt: Date.now(),
    });
    return true;
  },
});
