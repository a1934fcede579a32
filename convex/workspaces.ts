// Workspaces: 0.0.71 task attempts (a workspace + its workspaceRepo holding `base_branch` + the session
// holding `profile`). Starting an attempt marks the task `inprogress` like the primary and enqueues the
// runner command `attempt.start`, which creates the worktree and runs the chain (a later issue: until a
// runner implements it, the command stays pending and the attempt keeps container_ref/branch null).

import { v } from "convex/values";
import { internal } from "./_generated/api";
import { Doc } from "./_generated/dataModel";
import { internalMutation, internalQuery } from "./_generated/server";
import { nextRowid, recordWorkspaceChange } from "./lib/changes";
import { replayed, remember } from "./lib/idempotency";
import { byLegacyId } from "./lib/legacyIds";
import { MAX_LIST, MAX_PER_PARENT } from "./lib/limits";
import { FK_FAILED, Outcome, apiError, notFound, ok, outcome } from "./lib/outcome";
import { setTaskStatus } from "./lib/taskStatus";
import { millisTimestamp } from "./lib/time";
import { newLegacyId } from "./lib/uuid";
import { attemptDirName, taskPrompt } from "./lib/attempt";
import { AttemptWire, TaskWire, attemptWire, repoOfProject, taskWire, toAttemptWire, toTaskWire } from "./lib/wire/entities";

export const list = internalQuery({
  args: { taskId: v.union(v.string(), v.null()) },
  returns: v.array(attemptWire),
  handler: async (ctx, { taskId }) => {
    let workspaces: Doc<"workspaces">[];
    if (taskId === null) {
      workspaces = await ctx.db.query("workspaces").withIndex("by_createdMs").order("desc").take(MAX_LIST);
    } else {
      const task = await byLegacyId(ctx, "tasks", taskId);
      if (!task) return [];
      workspaces = await ctx.db
        .query("workspaces")
        .withIndex("by_taskId_and_createdMs", (q) => q.eq("taskId", task._id))
        .order("desc")
        .take(MAX_LIST);
    }
    return await Promise.all(workspaces.map((w) => toAttemptWire(ctx, w)));
  },
});

export const get = internalQuery({
  args: { id: v.string() },
  returns: v.union(attemptWire, v.null()),
  handler: async (ctx, { id }) => {
    const workspace = await byLegacyId(ctx, "workspaces", id);
    return workspace ? await toAttemptWire(ctx, workspace) : null;
  },
});

/** `Task::find_related_tasks_by_attempt_id` including its operator-precedence bug (CONTRACT-CORRECTIONS
 * item 15): the attempt's children, plus every task owning an attempt that some task uses as parent, except
 * the attempt's own task; newest first. */
export const children = internalQuery({
  args: { id: v.string() },
  returns: v.union(v.array(taskWire), v.null()),
  handler: async (ctx, { id }) => {
    const workspace = await byLegacyId(ctx, "workspaces", id);
    if (!workspace) return null;
    const related = new Map<string, Doc<"tasks">>();
    const direct = await ctx.db
      .query("tasks")
      .withIndex("by_parentWorkspaceId", (q) => q.eq("parentWorkspaceId", workspace._id))
      .take(MAX_LIST);
    for (const task of direct) related.set(task._id, task);
    const withParent = await ctx.db
      .query("tasks")
      .withIndex("by_parentWorkspaceId", (q) => q.gt("parentWorkspaceId", null))
      .take(MAX_LIST);
    for (const child of withParent) {
      const parentAttempt = child.parentWorkspaceId ? await ctx.db.get(child.parentWorkspaceId) : null;
      if (!parentAttempt || parentAttempt.taskId === workspace.taskId) continue;
      const owner = await ctx.db.get(parentAttempt.taskId);
      if (owner) related.set(owner._id, owner);
    }
    const ordered = [...related.values()].sort((a, b) => b.createdMs - a.createdMs);
    return await Promise.all(ordered.map((task) => toTaskWire(ctx, task)));
  },
});

export const containerInfo = internalQuery({
  args: { containerRef: v.string() },
  returns: v.union(v.object({ attempt_id: v.string(), task_id: v.string(), project_id: v.string() }), v.null()),
  handler: async (ctx, { containerRef }) => {
    const workspace = await ctx.db
      .query("workspaces")
      .withIndex("by_containerRef", (q) => q.eq("containerRef", containerRef))
      .first();
    const task = workspace ? await ctx.db.get(workspace.taskId) : null;
    const project = task ? await ctx.db.get(task.projectId) : null;
    if (!workspace || !task || !project) return null;
    return { attempt_id: workspace.legacyId, task_id: task.legacyId, project_id: project.legacyId };
  },
});

/** The attempt row, as inserted before any git work (container_ref and branch null). */
export const create = internalMutation({
  args: {
    taskId: v.string(),
    executor: v.string(),
    baseBranch: v.string(),
    idempotencyKey: v.optional(v.string()),
    legacyIdHint: v.optional(v.string()),
  },
  returns: outcome(attemptWire),
  handler: async (ctx, args): Promise<Outcome<AttemptWire>> => {
    const replay = await replayed(ctx, args.idempotencyKey);
    if (replay) return replay.result as Outcome<AttemptWire>;
    const task = await byLegacyId(ctx, "tasks", args.taskId);
    const repo = task ? await repoOfProject(ctx, task.projectId) : null;
    if (!task || !repo) return await remember(ctx, args.idempotencyKey, apiError(`TaskAttemptError: ${FK_FAILED}`));
    const nowMs = Date.now();
    const now = millisTimestamp(nowMs);
    const hinted = args.legacyIdHint && !(await byLegacyId(ctx, "workspaces", args.legacyIdHint)) ? args.legacyIdHint : null;
    const workspaceId = await ctx.db.insert("workspaces", {
      legacyId: hinted ?? newLegacyId(),
      rowid: await nextRowid(ctx, "workspaces"),
      taskId: task._id,
      containerRef: null,
      branch: null,
      setupCompletedAt: null,
      worktreeDeleted: false,
      archived: false,
      pinned: false,
      name: null,
      createdAt: now,
      updatedAt: now,
      createdMs: nowMs,
    });
    await ctx.db.insert("workspaceRepos", { workspaceId, repoId: repo._id, targetBranch: args.baseBranch, createdAt: now, updatedAt: now });
    await ctx.db.insert("sessions", {
      legacyId: newLegacyId(),
      workspaceId,
      executor: args.executor,
      agentWorkingDir: null,
      name: null,
      createdAt: now,
      updatedAt: now,
      createdMs: nowMs,
    });
    const workspace = (await ctx.db.get(workspaceId)) as Doc<"workspaces">;
    await recordWorkspaceChange(ctx, "insert", workspace);
    return await remember(ctx, args.idempotencyKey, ok(await toAttemptWire(ctx, workspace)));
  },
});

/** `start_attempt` up to the point the primary answers: the task goes `inprogress` (s-precision
 * updated_at) and the runner is asked to create the worktree and run setup → agent → cleanup. Returns the
 * task as re-read afterwards. */
export const start = internalMutation({
  args: { id: v.string(), executorProfileId: v.object({ executor: v.string(), variant: v.optional(v.string()) }) },
  returns: outcome(taskWire),
  handler: async (ctx, { id, executorProfileId }): Promise<Outcome<TaskWire>> => {
    const workspace = await byLegacyId(ctx, "workspaces", id);
    const task = workspace ? await ctx.db.get(workspace.taskId) : null;
    const project = task ? await ctx.db.get(task.projectId) : null;
    const repo = project ? await repoOfProject(ctx, project._id) : null;
    if (!workspace || !task || !project || !repo) return notFound();
    const attempt = await toAttemptWire(ctx, workspace);
    const images = await ctx.db
      .query("taskImages")
      .withIndex("by_taskId_and_createdMs", (q) => q.eq("taskId", task._id))
      .take(MAX_PER_PARENT);
    const imageIds = await Promise.all(images.map(async (link) => (await ctx.db.get(link.imageId))?.legacyId));
    await ctx.scheduler.runAfter(0, internal.commands.enqueue, {
      kind: "attempt.start",
      dedupKey: `attempt.start:${workspace.legacyId}`,
      payload: {
        attemptId: workspace.legacyId,
        taskId: task.legacyId,
        projectId: project.legacyId,
        repoPath: repo.path,
        baseBranch: attempt.base_branch,
        branch: attemptDirName(workspace.legacyId, task.title),
        executorProfileId,
        prompt: taskPrompt(task),
        setupScript: repo.setupScript,
        cleanupScript: repo.cleanupScript,
        copyFiles: repo.copyFiles,
        imageIds: imageIds.filter((i): i is string => typeof i === "string"),
      },
    });
    const current = task.status === "inprogress" ? task : await setTaskStatus(ctx, task, "inprogress");
    return ok(await toTaskWire(ctx, current));
  },
});

/** For the runner (after `attempt.start` created the worktree): record where it is. */
export const setContainer = internalMutation({
  args: { id: v.string(), containerRef: v.string(), branch: v.string() },
  returns: v.union(attemptWire, v.null()),
  handler: async (ctx, { id, containerRef, branch }) => {
    const workspace = await byLegacyId(ctx, "workspaces", id);
    if (!workspace) return null;
    await ctx.db.patch(workspace._id, { containerRef, branch, updatedAt: millisTimestamp(Date.now()) });
    const updated = (await ctx.db.get(workspace._id)) as Doc<"workspaces">;
    await recordWorkspaceChange(ctx, "update", updated);
    return await toAttemptWire(ctx, updated);
  },
});
