// Projects (0.0.71 `projects`), stored as a project + its repository (`repos`, which holds the path and the
// scripts) + the link between them, as in the migration plan. All functions are internal: the
// compatibility HTTP layer calls them (lib/compat/projectRoutes.ts).

import { v } from "convex/values";
import { Doc } from "./_generated/dataModel";
import { MutationCtx, QueryCtx, internalMutation, internalQuery } from "./_generated/server";
import { blockingChildren, deleteProjectCascade, tasksOfProject, workspacesOfTask } from "./lib/cascade";
import { replayed, remember } from "./lib/idempotency";
import { byLegacyId } from "./lib/legacyIds";
import { MAX_LIST } from "./lib/limits";
import { Outcome, bare, notFound, ok, outcome, soft } from "./lib/outcome";
import { millisTimestamp } from "./lib/time";
import { newLegacyId } from "./lib/uuid";
import { nullableString } from "./lib/validators";
import { ProjectWire, projectWire, repoOfProject, toProjectWire } from "./lib/wire/entities";

const DUPLICATE_PATH = "A project with this git repository path already exists";

/** The project (other than `except`) whose repository is at `path`, if any. */
async function projectAtPath(ctx: QueryCtx, path: string, except?: Doc<"projects">): Promise<Doc<"projects"> | null> {
  const repo = await ctx.db
    .query("repos")
    .withIndex("by_path", (q) => q.eq("path", path))
    .first();
  if (!repo) return null;
  const links = await ctx.db
    .query("projectRepos")
    .withIndex("by_repoId", (q) => q.eq("repoId", repo._id))
    .take(10);
  for (const link of links) {
    if (except && link.projectId === except._id) continue;
    const project = await ctx.db.get(link.projectId);
    if (project) return project;
  }
  return null;
}

export const list = internalQuery({
  args: {},
  returns: v.array(projectWire),
  handler: async (ctx) => {
    const projects = await ctx.db.query("projects").withIndex("by_createdMs").order("desc").take(MAX_LIST);
    return await Promise.all(projects.map((p) => toProjectWire(ctx, p)));
  },
});

export const get = internalQuery({
  args: { id: v.string() },
  returns: v.union(projectWire, v.null()),
  handler: async (ctx, { id }) => {
    const project = await byLegacyId(ctx, "projects", id);
    return project ? await toProjectWire(ctx, project) : null;
  },
});

/** Whether a project already uses `path` (checked before the runner prepares the repository). */
export const pathTaken = internalQuery({
  args: { path: v.string() },
  returns: v.boolean(),
  handler: async (ctx, { path }) => (await projectAtPath(ctx, path)) !== null,
});

const scripts = {
  setupScript: nullableString,
  devScript: nullableString,
  cleanupScript: nullableString,
  copyFiles: nullableString,
};

export const create = internalMutation({
  args: {
    name: v.string(),
    gitRepoPath: v.string(),
    ...scripts,
    idempotencyKey: v.optional(v.string()),
    legacyIdHint: v.optional(v.string()),
  },
  returns: outcome(projectWire),
  handler: async (ctx, args): Promise<Outcome<ProjectWire>> => {
    const replay = await replayed(ctx, args.idempotencyKey);
    if (replay) return replay.result as Outcome<ProjectWire>;
    if (await projectAtPath(ctx, args.gitRepoPath)) return await remember(ctx, args.idempotencyKey, soft(DUPLICATE_PATH));
    const nowMs = Date.now();
    const now = millisTimestamp(nowMs);
    const legacyId = await freshLegacyId(ctx, args.legacyIdHint);
    const projectId = await ctx.db.insert("projects", { legacyId, name: args.name, createdAt: now, updatedAt: now, createdMs: nowMs });
    const repoFields = {
      setupScript: args.setupScript,
      cleanupScript: args.cleanupScript,
      devServerScript: args.devScript,
      copyFiles: args.copyFiles,
    };
    const existing = await ctx.db
      .query("repos")
      .withIndex("by_path", (q) => q.eq("path", args.gitRepoPath))
      .first();
    const repoId = existing
      ? (await ctx.db.patch(existing._id, { ...repoFields, updatedAt: now }), existing._id)
      : await ctx.db.insert("repos", {
          path: args.gitRepoPath,
          name: basename(args.gitRepoPath),
          displayName: basename(args.gitRepoPath),
          ...repoFields,
          archiveScript: null,
          parallelSetupScript: false,
          defaultTargetBranch: null,
          defaultWorkingDir: null,
          createdAt: now,
          updatedAt: now,
        });
    await ctx.db.insert("projectRepos", { projectId, repoId });
    const project = (await ctx.db.get(projectId)) as Doc<"projects">;
    return await remember(ctx, args.idempotencyKey, ok(await toProjectWire(ctx, project)));
  },
});

/** PUT semantics of 0.0.71: name/path keep their value when absent; scripts and copy_files are replaced
 * (absent clears them); `updated_at` is not bumped (CONTRACT-CORRECTIONS item 11); the path is not checked. */
export const update = internalMutation({
  args: { id: v.string(), name: nullableString, gitRepoPath: nullableString, ...scripts },
  returns: outcome(projectWire),
  handler: async (ctx, args): Promise<Outcome<ProjectWire>> => {
    const project = await byLegacyId(ctx, "projects", args.id);
    if (!project) return notFound();
    const repo = await repoOfProject(ctx, project._id);
    if (!repo) return bare(500);
    if (args.gitRepoPath !== null && args.gitRepoPath !== repo.path && (await projectAtPath(ctx, args.gitRepoPath, project))) {
      return soft(DUPLICATE_PATH);
    }
    if (args.name !== null) await ctx.db.patch(project._id, { name: args.name });
    await ctx.db.patch(repo._id, {
      path: args.gitRepoPath ?? repo.path,
      setupScript: args.setupScript,
      devServerScript: args.devScript,
      cleanupScript: args.cleanupScript,
      copyFiles: args.copyFiles,
    });
    return ok(await toProjectWire(ctx, (await ctx.db.get(project._id)) as Doc<"projects">));
  },
});

/** Deletes the project and everything below it. Worktrees and running processes are left alone, as in
 * 0.0.71. A task of another project pointing at one of these attempts makes SQLite's FK fail: bare 500. */
export const remove = internalMutation({
  args: { id: v.string() },
  returns: outcome(v.null()),
  handler: async (ctx, { id }): Promise<Outcome<null>> => {
    const project = await byLegacyId(ctx, "projects", id);
    if (!project) return notFound();
    const tasks = await tasksOfProject(ctx, project._id);
    const inProject = new Set(tasks.map((t) => t._id));
    for (const task of tasks) {
      if (await blockingChildren(ctx, await workspacesOfTask(ctx, task._id), inProject)) return bare(500);
    }
    await deleteProjectCascade(ctx, project);
    return ok(null);
  },
});

function basename(path: string): string {
  const parts = path.split("/").filter((p) => p !== "");
  return parts.length ? parts[parts.length - 1] : path;
}

/** The honoured id hint (opt-in: the tee may ask the candidate to reuse the primary's id), else a new v4. */
async function freshLegacyId(ctx: MutationCtx, hint: string | undefined): Promise<string> {
  if (hint && !(await byLegacyId(ctx, "projects", hint))) return hint;
  return newLegacyId();
}
