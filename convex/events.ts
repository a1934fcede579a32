// Reads of the change feed (lib/changes.ts) for the /api/events stream, by sequence.

import { v } from "convex/values";
import { internalQuery } from "./_generated/server";
import { EVENTS_BATCH } from "./lib/limits";
import { changeOp, changeTable } from "./lib/validators";

export const after = internalQuery({
  args: { sequence: v.number(), limit: v.optional(v.number()) },
  returns: v.array(v.object({ sequence: v.number(), table: changeTable, op: changeOp, rowid: v.number(), record: v.any() })),
  handler: async (ctx, { sequence, limit }) => {
    const rows = await ctx.db
      .query("changes")
      .withIndex("by_sequence", (q) => q.gt("sequence", sequence))
      .take(Math.min(limit ?? EVENTS_BATCH, EVENTS_BATCH));
    return rows.map(({ sequence: s, table, op, rowid, record }) => ({ sequence: s, table, op, rowid, record }));
  },
});
