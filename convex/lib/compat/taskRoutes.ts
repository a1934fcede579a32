// /api/tasks… (0.0.71 routes/tasks.rs). create-and-start uses the configured executor profile and the
// repository's current branch (asked of the runner), marks the task `inprogress` and enqueues
// `attempt.start`; its answer hard-codes the attempt flags exactly as 0.0.71 does.

import { internal } from "../../_generated/api";
import { Json } from "../serde/json";
import { jsonBody, query } from "../http/extract";
import { apiErrorJson, commandFailure, failureResponse, okJson } from "../http/responses";
import { Handler, Route, route } from "../http/router";
import { TASK, TASK_WITH_STATUS } from "../wire/shapes";
import { CREATE_TASK, UPDATE_TASK } from "./bodies";
import { askRunner } from "./runner";
import { TaskStatus } from "../validators";

type Fields = { [key: string]: Json };

const list: Handler = async (ctx, rc) => {
  const q = query<{ project_id: string }>(rc.url, [{ name: "project_id", type: "uuid", required: true }]);
  if (!q.ok) return q.response;
  return okJson(await ctx.runQuery(internal.tasks.listWithStatus, { projectId: q.value.project_id }), TASK_WITH_STATUS);
};

function createArgs(b: Fields, rc: { idempotencyKey?: string; legacyIdHint?: string }) {
  return {
    projectId: b.project_id as string,
    title: b.title as string,
    description: b.description as string | null,
    parentTaskAttempt: b.parent_task_attempt as string | null,
    imageIds: b.image_ids as string[] | null,
    idempotencyKey: rc.idempotencyKey,
    legacyIdHint: rc.legacyIdHint,
  };
}

const create: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, CREATE_TASK);
  if (!body.ok) return body.response;
  const created = await ctx.runMutation(internal.tasks.create, createArgs(body.value as Fields, rc));
  return created.ok ? okJson(created.data, TASK) : failureResponse(created.failure);
};

const createAndStart: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, CREATE_TASK);
  if (!body.ok) return body.response;
  const created = await ctx.runMutation(internal.tasks.create, createArgs(body.value as Fields, rc));
  if (!created.ok) return failureResponse(created.failure);
  const config = await ctx.runQuery(internal.config.get, {});
  const project = await ctx.runQuery(internal.projects.get, { id: created.data.project_id });
  if (!project) return apiErrorJson(500, "DatabaseError: no rows returned by a query that expected to return at least one row");
  const branches = await askRunner(ctx, "git.branches", { repoPath: project.git_repo_path }, rc.idempotencyKey);
  if (!branches.ok) return commandFailure(branches.error);
  const current = (branches.result as Array<{ name: string; is_current: boolean }>).find((b) => b.is_current);
  if (!current) return apiErrorJson(500, `GitServiceError: no current branch in ${project.git_repo_path}`);
  const executorProfileId = config.executor_profile;
  const attempt = await ctx.runMutation(internal.workspaces.create, {
    taskId: created.data.id,
    executor: executorProfileId.executor,
    baseBranch: current.name,
    idempotencyKey: rc.idempotencyKey ? `${rc.idempotencyKey}:attempt` : undefined,
  });
  if (!attempt.ok) return failureResponse(attempt.failure);
  const started = await ctx.runMutation(internal.workspaces.start, { id: attempt.data.id, executorProfileId });
  if (!started.ok) return failureResponse(started.failure);
  const flags = { has_in_progress_attempt: true, has_merged_attempt: false, last_attempt_failed: false, profile: attempt.data.profile };
  return okJson({ ...started.data, ...flags }, TASK_WITH_STATUS);
};

const get: Handler = async (_ctx, rc) => okJson(rc.loaded, TASK);

const update: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, UPDATE_TASK);
  if (!body.ok) return body.response;
  const b = body.value as Fields;
  const updated = await ctx.runMutation(internal.tasks.update, {
    id: rc.params.task_id,
    title: b.title as string | null,
    description: b.description as string | null,
    status: b.status as TaskStatus | null,
    parentTaskAttempt: b.parent_task_attempt as string | null,
    imageIds: b.image_ids as string[] | null,
  });
  return updated.ok ? okJson(updated.data, TASK) : failureResponse(updated.failure);
};

const remove: Handler = async (ctx, rc) => {
  const removed = await ctx.runMutation(internal.tasks.remove, { id: rc.params.task_id });
  return removed.ok ? okJson(null) : failureResponse(removed.failure);
};

export const taskRoutes: Route[] = [
  route("/api/tasks", { GET: list, POST: create }),
  route("/api/tasks/create-and-start", { POST: createAndStart }),
  route("/api/tasks/{task_id}", { GET: get, PUT: update, DELETE: remove }, { loader: "task" }),
];
