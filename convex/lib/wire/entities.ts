// The 0.0.71 wire entities built from the candidate's documents (CONTRACT.md §2): one validator per entity
// (used as `returns` by the functions that serve it) and one builder that resolves the joins the wire shape
// needs (legacy ids of related rows, the repo behind a project, the session behind an attempt).

import { Infer, v } from "convex/values";
import { Doc, Id } from "../../_generated/dataModel";
import { QueryCtx } from "../../_generated/server";
import { nullableString, processStatus, runReason, taskStatus } from "../validators";

export const projectWire = v.object({
  id: v.string(),
  name: v.string(),
  git_repo_path: v.string(),
  setup_script: nullableString,
  dev_script: nullableString,
  cleanup_script: nullableString,
  copy_files: nullableString,
  created_at: v.string(),
  updated_at: v.string(),
});
export type ProjectWire = Infer<typeof projectWire>;

const taskFields = {
  id: v.string(),
  project_id: v.string(),
  title: v.string(),
  description: nullableString,
  status: taskStatus,
  parent_task_attempt: nullableString,
  created_at: v.string(),
  updated_at: v.string(),
};
export const taskWire = v.object(taskFields);
export type TaskWire = Infer<typeof taskWire>;

export const taskWithStatusWire = v.object({
  ...taskFields,
  has_in_progress_attempt: v.boolean(),
  has_merged_attempt: v.boolean(),
  last_attempt_failed: v.boolean(),
  profile: v.string(),
});
export type TaskWithStatusWire = Infer<typeof taskWithStatusWire>;

export const attemptWire = v.object({
  id: v.string(),
  task_id: v.string(),
  container_ref: nullableString,
  branch: nullableString,
  base_branch: v.string(),
  profile: v.string(),
  worktree_deleted: v.boolean(),
  setup_completed_at: nullableString,
  created_at: v.string(),
  updated_at: v.string(),
});
export type AttemptWire = Infer<typeof attemptWire>;

export const processWire = v.object({
  id: v.string(),
  task_attempt_id: v.string(),
  run_reason: runReason,
  executor_action: v.any(),
  status: processStatus,
  exit_code: v.union(v.number(), v.null()),
  started_at: v.string(),
  completed_at: nullableString,
  created_at: v.string(),
  updated_at: v.string(),
});
export type ProcessWire = Infer<typeof processWire>;

export const templateWire = v.object({
  id: v.string(),
  project_id: nullableString,
  title: v.string(),
  description: nullableString,
  template_name: v.string(),
  created_at: v.string(),
  updated_at: v.string(),
});
export type TemplateWire = Infer<typeof templateWire>;

export const imageWire = v.object({
  id: v.string(),
  file_path: v.string(),
  original_name: v.string(),
  mime_type: nullableString,
  size_bytes: v.number(),
  hash: v.string(),
  created_at: v.string(),
  updated_at: v.string(),
});
export type ImageWire = Infer<typeof imageWire>;

/** The repository behind a project (0.0.71 data always has exactly one). */
export async function repoOfProject(ctx: QueryCtx, projectId: Id<"projects">): Promise<Doc<"repos"> | null> {
  const link = await ctx.db
    .query("projectRepos")
    .withIndex("by_projectId", (q) => q.eq("projectId", projectId))
    .first();
  return link ? await ctx.db.get(link.repoId) : null;
}

export async function toProjectWire(ctx: QueryCtx, project: Doc<"projects">): Promise<ProjectWire> {
  const repo = await repoOfProject(ctx, project._id);
  return {
    id: project.legacyId,
    name: project.name,
    git_repo_path: repo?.path ?? "",
    setup_script: repo?.setupScript ?? null,
    dev_script: repo?.devServerScript ?? null,
    cleanup_script: repo?.cleanupScript ?? null,
    copy_files: repo?.copyFiles ?? null,
    created_at: project.createdAt,
    updated_at: project.updatedAt,
  };
}

async function legacyIdOf(ctx: QueryCtx, id: Id<"projects"> | Id<"tasks"> | Id<"workspaces"> | null): Promise<string | null> {
  if (id === null) return null;
  const doc = await ctx.db.get(id);
  return doc ? doc.legacyId : null;
}

export async function toTaskWire(ctx: QueryCtx, task: Doc<"tasks">): Promise<TaskWire> {
  return {
    id: task.legacyId,
    project_id: (await legacyIdOf(ctx, task.projectId)) ?? "",
    title: task.title,
    description: task.description,
    status: task.status,
    parent_task_attempt: await legacyIdOf(ctx, task.parentWorkspaceId),
    created_at: task.createdAt,
    updated_at: task.updatedAt,
  };
}

export async function toAttemptWire(ctx: QueryCtx, workspace: Doc<"workspaces">): Promise<AttemptWire> {
  const workspaceRepo = await ctx.db
    .query("workspaceRepos")
    .withIndex("by_workspaceId", (q) => q.eq("workspaceId", workspace._id))
    .first();
  const session = await ctx.db
    .query("sessions")
    .withIndex("by_workspaceId_and_createdMs", (q) => q.eq("workspaceId", workspace._id))
    .first();
  return {
    id: workspace.legacyId,
    task_id: (await legacyIdOf(ctx, workspace.taskId)) ?? "",
    container_ref: workspace.containerRef,
    branch: workspace.branch,
    base_branch: workspaceRepo?.targetBranch ?? "",
    profile: session?.executor ?? "",
    worktree_deleted: workspace.worktreeDeleted,
    setup_completed_at: workspace.setupCompletedAt,
    created_at: workspace.createdAt,
    updated_at: workspace.updatedAt,
  };
}

export async function toProcessWire(ctx: QueryCtx, process: Doc<"executionProcesses">): Promise<ProcessWire> {
  return {
    id: process.legacyId,
    task_attempt_id: (await legacyIdOf(ctx, process.workspaceId)) ?? "",
    run_reason: process.runReason,
    executor_action: process.executorAction,
    status: process.status,
    exit_code: process.exitCode,
    started_at: process.startedAt,
    completed_at: process.completedAt,
    created_at: process.createdAt,
    updated_at: process.updatedAt,
  };
}

export async function toTemplateWire(ctx: QueryCtx, template: Doc<"taskTemplates">): Promise<TemplateWire> {
  return {
    id: template.legacyId,
    project_id: await legacyIdOf(ctx, template.projectId),
    title: template.title,
    description: template.description,
    template_name: template.templateName,
    created_at: template.createdAt,
    updated_at: template.updatedAt,
  };
}

export function toImageWire(image: Doc<"images">): ImageWire {
  return {
    id: image.legacyId,
    file_path: `.vibe-images/${image.fileName}`,
    original_name: image.originalName,
    mime_type: image.mimeType,
    size_bytes: image.sizeBytes,
    hash: image.hash,
    created_at: image.createdAt,
    updated_at: image.updatedAt,
  };
}
