// Task status changes made by the system (0.0.71 `Task::update_status`): they bump `updated_at` with
// CURRENT_TIMESTAMP, i.e. second precision, unlike REST updates which never bump it. And the derived flags
// of TaskWithAttemptStatus (the SQL of `find_by_project_id_with_attempt_status`).

import { Doc } from "../_generated/dataModel";
import { MutationCtx, QueryCtx } from "../_generated/server";
import { recordTaskChange } from "./changes";
import { MAX_PER_PARENT } from "./limits";
import { TaskStatus } from "./validators";
import { TaskWithStatusWire, toTaskWire } from "./wire/entities";
import { secondsTimestamp } from "./time";

export async function setTaskStatus(ctx: MutationCtx, task: Doc<"tasks">, status: TaskStatus): Promise<Doc<"tasks">> {
  await ctx.db.patch(task._id, { status, updatedAt: secondsTimestamp(Date.now()) });
  const updated = (await ctx.db.get(task._id)) as Doc<"tasks">;
  await recordTaskChange(ctx, "update", updated);
  return updated;
}

const ATTEMPT_WORK = new Set(["setupscript", "cleanupscript", "codingagent"]);

/** has_in_progress_attempt / last_attempt_failed / profile over all attempts of the task;
 * has_merged_attempt is always false in 0.0.71. */
export async function withAttemptStatus(ctx: QueryCtx, task: Doc<"tasks">): Promise<TaskWithStatusWire> {
  const workspaces = await ctx.db
    .query("workspaces")
    .withIndex("by_taskId_and_createdMs", (q) => q.eq("taskId", task._id))
    .take(MAX_PER_PARENT);
  let inProgress = false;
  let latest: Doc<"executionProcesses"> | null = null;
  for (const workspace of workspaces) {
    const running = await ctx.db
      .query("executionProcesses")
      .withIndex("by_workspaceId_and_status", (q) => q.eq("workspaceId", workspace._id).eq("status", "running"))
      .take(MAX_PER_PARENT);
    if (running.some((p) => ATTEMPT_WORK.has(p.runReason))) inProgress = true;
    for await (const process of ctx.db
      .query("executionProcesses")
      .withIndex("by_workspaceId_and_createdMs", (q) => q.eq("workspaceId", workspace._id))
      .order("desc")) {
      if (!ATTEMPT_WORK.has(process.runReason)) continue;
      if (latest === null || process.createdMs > latest.createdMs) latest = process;
      break;
    }
  }
  let profile = "";
  const newest = workspaces[workspaces.length - 1];
  if (newest) {
    const session = await ctx.db
      .query("sessions")
      .withIndex("by_workspaceId_and_createdMs", (q) => q.eq("workspaceId", newest._id))
      .first();
    profile = session?.executor ?? "";
  }
  return {
    ...(await toTaskWire(ctx, task)),
    has_in_progress_attempt: inProgress,
    has_merged_attempt: false,
    last_attempt_failed: latest !== null && (latest.status === "failed" || latest.status === "killed"),
    profile,
  };
}
