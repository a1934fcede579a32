// PLACEHOLDER until the runner-host helper's `convex/lib/runnerTables.ts` lands (it replaces this file at
// merge). It mirrors the subset of their tables the compatibility layer touches: the command queue that
// `commands.ts` / `lib/runCommand.ts` use, and the log chunks a cascade delete removes.
import { defineTable } from "convex/server";
import { v } from "convex/values";

export const commandStatus = v.union(
  v.literal("pending"),
  v.literal("claimed"),
  v.literal("succeeded"),
  v.literal("failed"),
  v.literal("expired"),
);

export const commandError = v.object({
  kind: v.union(v.literal("soft"), v.literal("api"), v.literal("internal")),
  message: v.string(),
});

export const logStream = v.union(v.literal("stdout"), v.literal("stderr"));

export const runnerTables = {
  commands: defineTable({
    kind: v.string(),
    payload: v.any(),
    dedupKey: v.optional(v.string()),
    status: commandStatus,
    result: v.any(),
    error: v.union(commandError, v.null()),
  })
    .index("by_dedupKey", ["dedupKey"])
    .index("by_status", ["status"]),

  logChunks: defineTable({
    processId: v.string(),
    stream: logStream,
    seq: v.number(),
    content: v.string(),
  }).index("by_processId_and_seq", ["processId", "seq"]),
};
