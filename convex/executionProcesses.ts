// Execution processes of an attempt (0.0.71 `execution_processes`), with the task-status rules of the
// chain (CONTRACT-CORRECTIONS item 25): starting any non-devserver process sets the task `inprogress`; a
// non-devserver process that exits with no next action (whatever its status), or whose chain the runner
// ends early (cleanup skipped), finalizes the task to `inreview`. `create`/`finish` are for the runner.

import { v } from "convex/values";
import { Doc } from "./_generated/dataModel";
import { internalMutation, internalQuery } from "./_generated/server";
import { nextRowid, recordProcessChange } from "./lib/changes";
import { byLegacyId } from "./lib/legacyIds";
import { MAX_LIST } from "./lib/limits";
import { setTaskStatus } from "./lib/taskStatus";
import { millisTimestamp } from "./lib/time";
import { newLegacyId } from "./lib/uuid";
import { runReason } from "./lib/validators";
import { processWire, repoOfProject, toProcessWire } from "./lib/wire/entities";

/** Oldest first, as 0.0.71 lists them; an unknown attempt gives []. */
export const list = internalQuery({
  args: { taskAttemptId: v.string() },
  returns: v.array(processWire),
  handler: async (ctx, { taskAttemptId }) => {
    const workspace = await byLegacyId(ctx, "workspaces", taskAttemptId);
    if (!workspace) return [];
    const processes = await ctx.db
      .query("executionProcesses")
      .withIndex("by_workspaceId_and_createdMs", (q) => q.eq("workspaceId", workspace._id))
      .take(MAX_LIST);
    return await Promise.all(processes.map((p) => toProcessWire(ctx, p)));
  },
});

export const get = internalQuery({
  args: { id: v.string() },
  returns: v.union(processWire, v.null()),
  handler: async (ctx, { id }) => {
    const process = await byLegacyId(ctx, "executionProcesses", id);
    return process ? await toProcessWire(ctx, process) : null;
  },
});

/** The runner started a process of the attempt's chain. */
export const create = internalMutation({
  args: { taskAttemptId: v.string(), runReason, executorAction: v.any(), beforeHeadCommit: v.optional(v.string()) },
  returns: v.union(processWire, v.null()),
  handler: async (ctx, args) => {
    const workspace = await byLegacyId(ctx, "workspaces", args.taskAttemptId);
    const task = workspace ? await ctx.db.get(workspace.taskId) : null;
    const session = workspace
      ? await ctx.db
          .query("sessions")
          .withIndex("by_workspaceId_and_createdMs", (q) => q.eq("workspaceId", workspace._id))
          .first()
      : null;
    if (!workspace || !task || !session) return null;
    if (task.status !== "inprogress" && args.runReason !== "devserver") await setTaskStatus(ctx, task, "inprogress");
    const nowMs = Date.now();
    const now = millisTimestamp(nowMs);
    const processId = await ctx.db.insert("executionProcesses", {
      legacyId: newLegacyId(),
      rowid: await nextRowid(ctx, "executionProcesses"),
      sessionId: session._id,
      workspaceId: workspace._id,
      runReason: args.runReason,
      executorAction: args.executorAction,
      status: "running",
      exitCode: null,
      dropped: false,
      startedAt: now,
      completedAt: null,
      createdAt: now,
      updatedAt: now,
      createdMs: nowMs,
    });
    const repo = await repoOfProject(ctx, task.projectId);
    if (repo) {
      await ctx.db.insert("executionProcessRepoStates", {
        executionProcessId: processId,
        repoId: repo._id,
        beforeHeadCommit: args.beforeHeadCommit ?? null,
        afterHeadCommit: null,
        mergeCommit: null,
        createdAt: now,
        updatedAt: now,
      });
    }
    const prompt = args.executorAction?.typ?.prompt;
    if (typeof prompt === "string") {
      await ctx.db.insert("codingAgentTurns", {
        executionProcessId: processId,
        agentSessionId: null,
        agentMessageId: null,
        prompt,
        summary: null,
        seen: false,
        createdAt: now,
        updatedAt: now,
      });
    }
    const process = (await ctx.db.get(processId)) as Doc<"executionProcesses">;
    await recordProcessChange(ctx, "insert", process);
    return await toProcessWire(ctx, process);
  },
});

/** The runner saw the process exit (or killed it). `updated_at` is not bumped, as in 0.0.71. */
export const finish = internalMutation({
  args: {
    id: v.string(),
    status: v.union(v.literal("completed"), v.literal("failed"), v.literal("killed")),
    exitCode: v.union(v.number(), v.null()),
    chainEnded: v.optional(v.boolean()),
  },
  returns: v.union(processWire, v.null()),
  handler: async (ctx, { id, status, exitCode, chainEnded }) => {
    const process = await byLegacyId(ctx, "executionProcesses", id);
    if (!process) return null;
    if (process.status !== "running") return await toProcessWire(ctx, process);
    await ctx.db.patch(process._id, { status, exitCode, completedAt: millisTimestamp(Date.now()) });
    const updated = (await ctx.db.get(process._id)) as Doc<"executionProcesses">;
    await recordProcessChange(ctx, "update", updated);
    const lastOfChain = chainEnded === true || process.executorAction?.next_action == null;
    if (process.runReason !== "devserver" && lastOfChain) {
      const workspace = await ctx.db.get(process.workspaceId);
      const task = workspace ? await ctx.db.get(workspace.taskId) : null;
      if (task) await setTaskStatus(ctx, task, "inreview");
    }
    return await toProcessWire(ctx, updated);
  },
});
