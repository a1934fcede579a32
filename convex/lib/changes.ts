// The ordered change feed behind /api/events. Every mutation that writes a task, a workspace (0.0.71 task
// attempt) or an execution process appends one entry in the same transaction, so the feed is in commit order
// and never shows a state that was not committed (unlike 0.0.71's asynchronous re-read, NOISE.md §2).
// `sequence` is max + 1 (a serializable read of the index tail, not a hot counter document); the HTTP
// stream numbers its `/entries/<n>` with it, so a reconnecting reader resumes after the last n it saw.

import { Doc } from "../_generated/dataModel";
import { MutationCtx } from "../_generated/server";
import { ChangeOp, ChangeTable } from "./validators";
import { toAttemptWire, toProcessWire, toTaskWire } from "./wire/entities";

/** SQLite's rowid for a table without AUTOINCREMENT: max(rowid) + 1. */
export async function nextRowid(ctx: MutationCtx, table: ChangeTable): Promise<number> {
  let last: { rowid: number } | null;
  if (table === "tasks") last = await ctx.db.query("tasks").withIndex("by_rowid").order("desc").first();
  else if (table === "workspaces") last = await ctx.db.query("workspaces").withIndex("by_rowid").order("desc").first();
  else last = await ctx.db.query("executionProcesses").withIndex("by_rowid").order("desc").first();
  return (last?.rowid ?? 0) + 1;
}

async function append(
  ctx: MutationCtx,
  table: ChangeTable,
  op: ChangeOp,
  row: { legacyId: string; rowid: number },
  record: unknown,
): Promise<void> {
  const last = await ctx.db.query("changes").withIndex("by_sequence").order("desc").first();
  await ctx.db.insert("changes", {
    sequence: (last?.sequence ?? 0) + 1,
    table,
    op,
    legacyId: row.legacyId,
    rowid: row.rowid,
    record,
  });
}

export async function recordTaskChange(ctx: MutationCtx, op: ChangeOp, task: Doc<"tasks">): Promise<void> {
  await append(ctx, "tasks", op, task, op === "delete" ? null : await toTaskWire(ctx, task));
}

export async function recordWorkspaceChange(ctx: MutationCtx, op: ChangeOp, workspace: Doc<"workspaces">): Promise<void> {
  await append(ctx, "workspaces", op, workspace, op === "delete" ? null : await toAttemptWire(ctx, workspace));
}

export async function recordProcessChange(
  ctx: MutationCtx,
  op: ChangeOp,
  process: Doc<"executionProcesses">,
): Promise<void> {
  await append(ctx, "executionProcesses", op, process, op === "delete" ? null : await toProcessWire(ctx, process));
}
