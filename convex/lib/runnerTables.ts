// The runner protocol's tables, spread into schema.ts (`defineSchema({ ...runnerTables, ... })`).
// Validators shared with function args live here too, so schema and functions cannot drift.
import { defineTable } from "convex/server";
import { v } from "convex/values";

export const commandStatus = v.union(
  v.literal("pending"),
  v.literal("claimed"),
  v.literal("succeeded"),
  v.literal("failed"),
  v.literal("expired"),
);

// soft: the primary's shape A (200, success:false, message); api: shape C ("<Kind>Error: ..."); internal:
// the runner or the protocol failed (bad payload, unknown kind, lease expired too often, timeout).
export const commandError = v.object({
  kind: v.union(v.literal("soft"), v.literal("api"), v.literal("internal")),
  message: v.string(),
});

export const logStream = v.union(v.literal("stdout"), v.literal("stderr"));

export const logChunk = v.object({
  processId: v.string(), // the legacy execution-process UUID, as on the wire
  stream: logStream,
  seq: v.number(),
  content: v.string(),
});

export const runnerTables = {
  // Runners that registered with a valid key; lastSeenAt is bumped on register, claim and heartbeat.
  runners: defineTable({
    runnerId: v.string(),
    keyId: v.string(),
    name: v.string(),
    version: v.string(),
    registeredAt: v.number(),
    lastSeenAt: v.number(),
  }).index("by_runnerId", ["runnerId"]),

  // The work queue. pending -> claimed (runnerId, fencingToken+1, leaseExpiresAt) -> succeeded | failed;
  // a lease that runs out goes back to pending (attempts counts claims) or to expired after maxAttempts.
  commands: defineTable({
    kind: v.string(),
    payload: v.any(),
    dedupKey: v.optional(v.string()),
    status: commandStatus,
    attempts: v.number(),
    fencingToken: v.number(),
    runnerId: v.optional(v.string()),
    leaseExpiresAt: v.optional(v.number()),
    result: v.any(),
    error: v.union(commandError, v.null()),
    // The completion that was accepted: a retry with the same key gets the same answer.
    completionKey: v.optional(v.string()),
    completedAt: v.optional(v.number()),
  })
    .index("by_dedupKey", ["dedupKey"])
    .index("by_status", ["status"])
    .index("by_status_and_leaseExpiresAt", ["status", "leaseExpiresAt"]),

  // Process output, unique by (processId, seq); gaps may be filled later, duplicates are ignored.
  logChunks: defineTable({
    processId: v.string(),
    stream: logStream,
    seq: v.number(),
    content: v.string(),
  }).index("by_processId_and_seq", ["processId", "seq"]),

  // Nonces of accepted signed requests, kept until their timestamp leaves the replay window.
  runnerNonces: defineTable({
    keyId: v.string(),
    nonce: v.string(),
    expiresAt: v.number(),
  })
    .index("by_keyId_and_nonce", ["keyId", "nonce"])
    .index("by_expiresAt", ["expiresAt"]),
};
