// Tasks (0.0.71 `tasks`) and their image links. Internal functions for the compatibility HTTP layer
// (lib/compat/taskRoutes.ts). Where 0.0.71 fails on a SQLite constraint after part of the work was committed
// (unknown image id after the task insert), the candidate commits the same part and answers the same error.

import { v } from "convex/values";
import { internal } from "./_generated/api";
import { Doc, Id } from "./_generated/dataModel";
import { MutationCtx, internalMutation, internalQuery } from "./_generated/server";
import { blockingChildren, deleteTaskCascade, workspacesOfTask } from "./lib/cascade";
import { nextRowid, recordTaskChange } from "./lib/changes";
import { replayed, remember } from "./lib/idempotency";
import { byLegacyId } from "./lib/legacyIds";
import { MAX_LIST } from "./lib/limits";
import { FK_FAILED, Outcome, apiError, notFound, ok, outcome } from "./lib/outcome";
import { withAttemptStatus } from "./lib/taskStatus";
import { millisTimestamp } from "./lib/time";
import { newLegacyId } from "./lib/uuid";
import { nullableString, taskStatus } from "./lib/validators";
import { TaskWire, taskWire, taskWithStatusWire, toTaskWire } from "./lib/wire/entities";

const DB_FK_FAILED = `DatabaseError: ${FK_FAILED}`;
const DUPLICATE_IMAGE_LINK =
  "DatabaseError: error returned from database: (code: 2067) UNIQUE constraint failed: task_images.task_id, task_images.image_id";

/** TaskImage::associate_many: one insert per id, stopping at the first constraint failure. */
async function linkImages(ctx: MutationCtx, taskId: Id<"tasks">, imageIds: string[]): Promise<string | null> {
  for (const imageLegacyId of imageIds) {
    const image = await byLegacyId(ctx, "images", imageLegacyId);
    if (!image) return DB_FK_FAILED;
    const links = await ctx.db
      .query("taskImages")
      .withIndex("by_imageId", (q) => q.eq("imageId", image._id))
      .take(MAX_LIST);
    if (links.some((link) => link.taskId === taskId)) return DUPLICATE_IMAGE_LINK;
    const nowMs = Date.now();
    await ctx.db.insert("taskImages", { taskId, imageId: image._id, createdAt: millisTimestamp(nowMs), createdMs: nowMs });
  }
  return null;
}

export const listWithStatus = internalQuery({
  args: { projectId: v.string() },
  returns: v.array(taskWithStatusWire),
  handler: async (ctx, { projectId }) => {
    const project = await byLegacyId(ctx, "projects", projectId);
    if (!project) return [];
    const tasks = await ctx.db
      .query("tasks")
      .withIndex("by_projectId_and_createdMs", (q) => q.eq("projectId", project._id))
      .order("desc")
      .take(MAX_LIST);
    return await Promise.all(tasks.map((task) => withAttemptStatus(ctx, task)));
  },
});

export const get = internalQuery({
  args: { id: v.string() },
  returns: v.union(taskWire, v.null()),
  handler: async (ctx, { id }) => {
    const task = await byLegacyId(ctx, "tasks", id);
    return task ? await toTaskWire(ctx, task) : null;
  },
});

export const create = internalMutation({
  args: {
    projectId: v.string(),
    title: v.string(),
    description: nullableString,
    parentTaskAttempt: nullableString,
    imageIds: v.union(v.array(v.string()), v.null()),
    idempotencyKey: v.optional(v.string()),
    legacyIdHint: v.optional(v.string()),
  },
  returns: outcome(taskWire),
  handler: async (ctx, args): Promise<Outcome<TaskWire>> => {
    const replay = await replayed(ctx, args.idempotencyKey);
    if (replay) return replay.result as Outcome<TaskWire>;
    const project = await byLegacyId(ctx, "projects", args.projectId);
    const parent = args.parentTaskAttempt === null ? null : await byLegacyId(ctx, "workspaces", args.parentTaskAttempt);
    if (!project || (args.parentTaskAttempt !== null && !parent)) {
      return await remember(ctx, args.idempotencyKey, apiError(DB_FK_FAILED));
    }
    const nowMs = Date.now();
    const now = millisTimestamp(nowMs);
    const hinted = args.legacyIdHint && !(await byLegacyId(ctx, "tasks", args.legacyIdHint)) ? args.legacyIdHint : null;
    const taskId = await ctx.db.insert("tasks", {
      legacyId: hinted ?? newLegacyId(),
      rowid: await nextRowid(ctx, "tasks"),
      projectId: project._id,
      title: args.title,
      description: args.description,
      status: "todo",
      parentWorkspaceId: parent?._id ?? null,
      createdAt: now,
      updatedAt: now,
      createdMs: nowMs,
    });
    const task = (await ctx.db.get(taskId)) as Doc<"tasks">;
    await recordTaskChange(ctx, "insert", task);
    const linkError = args.imageIds ? await linkImages(ctx, taskId, args.imageIds) : null;
    const result = linkError ? apiError(linkError) : ok(await toTaskWire(ctx, task));
    return await remember(ctx, args.idempotencyKey, result);
  },
});

/** PUT semantics of 0.0.71: absent fields keep their value, and description / parent_task_attempt cannot be
 * cleared (`or` semantics); `updated_at` is not bumped; `image_ids` replaces the links. */
export const update = internalMutation({
  args: {
    id: v.string(),
    title: nullableString,
    description: nullableString,
    status: v.union(taskStatus, v.null()),
    parentTaskAttempt: nullableString,
    imageIds: v.union(v.array(v.string()), v.null()),
  },
  returns: outcome(taskWire),
  handler: async (ctx, args): Promise<Outcome<TaskWire>> => {
    const task = await byLegacyId(ctx, "tasks", args.id);
    if (!task) return notFound();
    let parentWorkspaceId = task.parentWorkspaceId;
    if (args.parentTaskAttempt !== null) {
      const parent = await byLegacyId(ctx, "workspaces", args.parentTaskAttempt);
      if (!parent) return apiError(DB_FK_FAILED);
      parentWorkspaceId = parent._id;
    }
    await ctx.db.patch(task._id, {
      title: args.title ?? task.title,
      description: args.description ?? task.description,
      status: args.status ?? task.status,
      parentWorkspaceId,
    });
    const updated = (await ctx.db.get(task._id)) as Doc<"tasks">;
    await recordTaskChange(ctx, "update", updated);
    if (args.imageIds !== null) {
      const links = await ctx.db
        .query("taskImages")
        .withIndex("by_taskId_and_createdMs", (q) => q.eq("taskId", task._id))
        .take(MAX_LIST);
      for (const link of links) await ctx.db.delete(link._id);
      const linkError = await linkImages(ctx, task._id, args.imageIds);
      if (linkError) return apiError(linkError);
    }
    return ok(await toTaskWire(ctx, updated));
  },
});

/** Deletes the task and its attempts. Their worktrees are removed by the runner (`worktree.remove`,
 * enqueued atomically with the delete). Another task pointing at one of its attempts: 500 FK error. */
export const remove = internalMutation({
  args: { id: v.string() },
  returns: outcome(v.null()),
  handler: async (ctx, { id }): Promise<Outcome<null>> => {
    const task = await byLegacyId(ctx, "tasks", id);
    if (!task) return notFound();
    const workspaces = await workspacesOfTask(ctx, task._id);
    if (await blockingChildren(ctx, workspaces, new Set([task._id]))) return apiError(DB_FK_FAILED);
    for (const workspace of workspaces) {
      if (workspace.containerRef === null) continue;
      await ctx.scheduler.runAfter(0, internal.commands.enqueue, {
        kind: "worktree.remove",
        payload: { attemptId: workspace.legacyId, containerRef: workspace.containerRef, branch: workspace.branch },
        dedupKey: `worktree.remove:${workspace.legacyId}`,
      });
    }
    await deleteTaskCascade(ctx, task);
    return ok(null);
  },
});
