// Process output chunks from the runner, unique by (processId, seq). Appends are idempotent: a chunk
// already stored is skipped, so a retried batch changes nothing; a gap may be filled by a later batch.
import { v } from "convex/values";
import { internalMutation, internalQuery } from "./_generated/server";
import { logChunk, logStream } from "./lib/runnerTables";

const MAX_CHUNKS_PER_APPEND = 200;
const MAX_CHUNK_CHARS = 256 * 1024;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

export const append = internalMutation({
  args: { chunks: v.array(logChunk) },
  returns: v.object({ inserted: v.number(), duplicates: v.number() }),
  handler: async (ctx, { chunks }) => {
    if (chunks.length > MAX_CHUNKS_PER_APPEND) {
      throw new Error(`at most ${MAX_CHUNKS_PER_APPEND} chunks per append, got ${chunks.length}`);
    }
    let inserted = 0;
    let duplicates = 0;
    for (const chunk of chunks) {
      if (!Number.isInteger(chunk.seq) || chunk.seq < 0) {
        throw new Error(`seq must be a non-negative integer, got ${chunk.seq}`);
      }
      if (chunk.content.length > MAX_CHUNK_CHARS) {
        throw new Error(`chunk content over ${MAX_CHUNK_CHARS} characters`);
      }
      const existing = await ctx.db
        .query("logChunks")
        .withIndex("by_processId_and_seq", (q) => q.eq("processId", chunk.processId).eq("seq", chunk.seq))
        .first();
      if (existing !== null) {
        duplicates += 1;
        continue;
      }
      await ctx.db.insert("logChunks", chunk);
      inserted += 1;
    }
    return { inserted, duplicates };
  },
});

/**
 * One page of a process's chunks in seq order, after `afterSeq` (exclusive; omit to start at the
 * beginning). `nextAfterSeq` is the cursor for the next page; `isDone` says nothing more is stored now.
 */
export const listByProcess = internalQuery({
  args: { processId: v.string(), afterSeq: v.optional(v.number()), limit: v.optional(v.number()) },
  returns: v.object({
    chunks: v.array(v.object({ stream: logStream, seq: v.number(), content: v.string() })),
    nextAfterSeq: v.union(v.number(), v.null()),
    isDone: v.boolean(),
  }),
  handler: async (ctx, { processId, afterSeq, limit }) => {
    const pageSize = Math.max(1, Math.min(Math.floor(limit ?? DEFAULT_PAGE), MAX_PAGE));
    const rows = await ctx.db
      .query("logChunks")
      .withIndex("by_processId_and_seq", (q) =>
        afterSeq === undefined ? q.eq("processId", processId) : q.eq("processId", processId).gt("seq", afterSeq),
      )
      .take(pageSize + 1);
    const page = rows.slice(0, pageSize);
    return {
      chunks: page.map(({ stream, seq, content }) => ({ stream, seq, content })),
      nextAfterSeq: page.length > 0 ? page[page.length - 1].seq : (afterSeq ?? null),
      isDone: rows.length <= pageSize,
    };
  },
});
