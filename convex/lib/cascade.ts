// Cascading deletes with 0.0.71's foreign-key semantics (db/migrations): projects → tasks, project
// templates; tasks → attempts (workspaces), task image links; attempts → processes, merges, sessions,
// repo links, workspace image links; processes → repo states, agent turns, approvals, log chunks.
// `tasks.parent_task_attempt` has no ON DELETE action: deleting an attempt another task points at fails,
// unless that task goes in the same delete. The parent's change-feed entry is appended before its
// children's, as the primary's update hook reports a cascade. Loops are bounded per level.

import { Doc, Id } from "../_generated/dataModel";
import { MutationCtx } from "../_generated/server";
import { recordProcessChange, recordTaskChange, recordWorkspaceChange } from "./changes";
import { MAX_LIST, MAX_PER_PARENT } from "./limits";

export async function workspacesOfTask(ctx: MutationCtx, taskId: Id<"tasks">): Promise<Doc<"workspaces">[]> {
  return await ctx.db
    .query("workspaces")
    .withIndex("by_taskId_and_createdMs", (q) => q.eq("taskId", taskId))
    .take(MAX_PER_PARENT);
}

/** Tasks (other than `deleting`) whose parent_task_attempt is one of `workspaces`: the FK would fail. */
export async function blockingChildren(
  ctx: MutationCtx,
  workspaces: Doc<"workspaces">[],
  deleting: Set<Id<"tasks">>,
): Promise<boolean> {
  for (const workspace of workspaces) {
    const children = await ctx.db
      .query("tasks")
      .withIndex("by_parentWorkspaceId", (q) => q.eq("parentWorkspaceId", workspace._id))
      .take(MAX_PER_PARENT);
    if (children.some((child) => !deleting.has(child._id))) return true;
  }
  return false;
}

async function deleteProcess(ctx: MutationCtx, process: Doc<"executionProcesses">): Promise<void> {
  await recordProcessChange(ctx, "delete", process);
  const states = await ctx.db
    .query("executionProcessRepoStates")
    .withIndex("by_executionProcessId", (q) => q.eq("executionProcessId", process._id))
    .take(MAX_PER_PARENT);
  const turns = await ctx.db
    .query("codingAgentTurns")
    .withIndex("by_executionProcessId", (q) => q.eq("executionProcessId", process._id))
    .take(MAX_PER_PARENT);
  const approvals = await ctx.db
    .query("approvals")
    .withIndex("by_executionProcessId_and_state", (q) => q.eq("executionProcessId", process._id))
    .take(MAX_PER_PARENT);
  for (const row of [...states, ...turns, ...approvals]) await ctx.db.delete(row._id);
  for (;;) {
    const chunks = await ctx.db
      .query("logChunks")
      .withIndex("by_processId_and_seq", (q) => q.eq("processId", process.legacyId))
      .take(MAX_LIST);
    for (const chunk of chunks) await ctx.db.delete(chunk._id);
    if (chunks.length < MAX_LIST) break;
  }
  await ctx.db.delete(process._id);
}

async function deleteWorkspace(ctx: MutationCtx, workspace: Doc<"workspaces">): Promise<void> {
  await recordWorkspaceChange(ctx, "delete", workspace);
  const processes = await ctx.db
    .query("executionProcesses")
    .withIndex("by_workspaceId_and_createdMs", (q) => q.eq("workspaceId", workspace._id))
    .take(MAX_LIST);
  for (const process of processes) await deleteProcess(ctx, process);
  const sessions = await ctx.db
    .query("sessions")
    .withIndex("by_workspaceId_and_createdMs", (q) => q.eq("workspaceId", workspace._id))
    .take(MAX_PER_PARENT);
  for (const session of sessions) {
    const queued = await ctx.db
      .query("queuedMessages")
      .withIndex("by_sessionId", (q) => q.eq("sessionId", session._id))
      .take(MAX_PER_PARENT);
    for (const row of queued) await ctx.db.delete(row._id);
    await ctx.db.delete(session._id);
  }
  const repoLinks = await ctx.db
    .query("workspaceRepos")
    .withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspace._id))
    .take(MAX_PER_PARENT);
  const merges = await ctx.db
    .query("merges")
    .withIndex("by_workspaceId_and_createdMs", (q) => q.eq("workspaceId", workspace._id))
    .take(MAX_LIST);
  const images = await ctx.db
    .query("workspaceImages")
    .withIndex("by_workspaceId_and_imageId", (q) => q.eq("workspaceId", workspace._id))
    .take(MAX_LIST);
  for (const row of [...repoLinks, ...merges, ...images]) await ctx.db.delete(row._id);
  await ctx.db.delete(workspace._id);
}

/** Deletes a task and everything below it. The caller checked `blockingChildren` first. */
export async function deleteTaskCascade(ctx: MutationCtx, task: Doc<"tasks">): Promise<void> {
  await recordTaskChange(ctx, "delete", task);
  for (const workspace of await workspacesOfTask(ctx, task._id)) await deleteWorkspace(ctx, workspace);
  const links = await ctx.db
    .query("taskImages")
    .withIndex("by_taskId_and_createdMs", (q) => q.eq("taskId", task._id))
    .take(MAX_LIST);
  for (const link of links) await ctx.db.delete(link._id);
  await ctx.db.delete(task._id);
}

export async function tasksOfProject(ctx: MutationCtx, projectId: Id<"projects">): Promise<Doc<"tasks">[]> {
  return await ctx.db
    .query("tasks")
    .withIndex("by_projectId_and_createdMs", (q) => q.eq("projectId", projectId))
    .take(MAX_LIST);
}

/** Deletes a project, its tasks (and below), its templates and its repository link (and the repository if
 * no other project uses it). The caller checked that no task outside the project blocks the cascade. */
export async function deleteProjectCascade(ctx: MutationCtx, project: Doc<"projects">): Promise<void> {
  for (const task of await tasksOfProject(ctx, project._id)) await deleteTaskCascade(ctx, task);
  const templates = await ctx.db
    .query("taskTemplates")
    .withIndex("by_projectId_and_templateName", (q) => q.eq("projectId", project._id))
    .take(MAX_LIST);
  for (const template of templates) await ctx.db.delete(template._id);
  const links = await ctx.db
    .query("projectRepos")
    .withIndex("by_projectId", (q) => q.eq("projectId", project._id))
    .take(MAX_PER_PARENT);
  for (const link of links) {
    await ctx.db.delete(link._id);
    const others = await ctx.db
      .query("projectRepos")
      .withIndex("by_repoId", (q) => q.eq("repoId", link.repoId))
      .first();
    const users = await ctx.db
      .query("workspaceRepos")
      .withIndex("by_repoId", (q) => q.eq("repoId", link.repoId))
      .first();
    if (!others && !users) await ctx.db.delete(link.repoId);
  }
  await ctx.db.delete(project._id);
}
