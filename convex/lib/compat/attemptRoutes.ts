// /api/task-attempts… (0.0.71 routes/task_attempts.rs). Served: list, get, create (rows + `attempt.start`),
// children. The rest drives git and processes through runner work of a later issue: 501 until then.

import { internal } from "../../_generated/api";
import { Json } from "../serde/json";
import { jsonBody, query } from "../http/extract";
import { apiErrorJson, commandFailure, failureResponse, okJson } from "../http/responses";
import { Handler, Route, notImplemented, route } from "../http/router";
import { ATTEMPT, TASK } from "../wire/shapes";
import { CREATE_TASK_ATTEMPT } from "./bodies";
import { askRunner } from "./runner";

type Fields = { [key: string]: Json };

const list: Handler = async (ctx, rc) => {
  const q = query<{ task_id: string | null }>(rc.url, [{ name: "task_id", type: "uuid", required: false }]);
  if (!q.ok) return q.response;
  return okJson(await ctx.runQuery(internal.workspaces.list, { taskId: q.value.task_id }), ATTEMPT);
};

/** Validates the executor, inserts the attempt, checks the base branch (0.0.71 leaves the row behind when
 * it does not exist), then starts it. Answers the row as inserted (container_ref/branch null). */
const create: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, CREATE_TASK_ATTEMPT);
  if (!body.ok) return body.response;
  const b = body.value as Fields;
  const profileId = b.executor_profile_id as { executor: string; variant: string | null };
  const lookup = await ctx.runQuery(internal.profiles.lookupExecutor, { executor: profileId.executor });
  if (!lookup.exists) return apiErrorJson(500, `TaskAttemptError: Validation error: Executor profile not found: ${profileId.executor}`);
  const baseBranch = b.base_branch as string;
  const created = await ctx.runMutation(internal.workspaces.create, {
    taskId: b.task_id as string,
    executor: profileId.executor,
    baseBranch,
    idempotencyKey: rc.idempotencyKey,
    legacyIdHint: rc.legacyIdHint,
  });
  if (!created.ok) return failureResponse(created.failure);
  const task = await ctx.runQuery(internal.tasks.get, { id: created.data.task_id });
  const project = task ? await ctx.runQuery(internal.projects.get, { id: task.project_id }) : null;
  if (!project) return apiErrorJson(500, "DatabaseError: no rows returned by a query that expected to return at least one row");
  const branches = await askRunner(ctx, "git.branches", { repoPath: project.git_repo_path }, rc.idempotencyKey);
  if (!branches.ok) return commandFailure(branches.error);
  if (!(branches.result as Array<{ name: string }>).some((branch) => branch.name === baseBranch)) {
    return apiErrorJson(500, `ContainerError: Branch not found: ${baseBranch}`);
  }
  const executorProfileId = profileId.variant === null ? { executor: profileId.executor } : { executor: profileId.executor, variant: profileId.variant };
  const started = await ctx.runMutation(internal.workspaces.start, { id: created.data.id, executorProfileId });
  return started.ok ? okJson(created.data, ATTEMPT) : failureResponse(started.failure);
};

const get: Handler = async (_ctx, rc) => okJson(rc.loaded, ATTEMPT);

const children: Handler = async (ctx, rc) => okJson(await ctx.runQuery(internal.workspaces.children, { id: rc.params.id }), TASK);

const later = (what: string) => notImplemented(`${what} /api/task-attempts/{id}/…`);

export const attemptRoutes: Route[] = [
  route("/api/task-attempts", { GET: list, POST: create }),
  route("/api/task-attempts/{id}", { GET: get }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/follow-up", { POST: later("POST follow-up") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/start-dev-server", { POST: later("POST start-dev-server") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/branch-status", { GET: later("GET branch-status") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/diff", { GET: later("GET diff") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/merge", { POST: later("POST merge") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/push", { POST: later("POST push") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/rebase", { POST: later("POST rebase") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/pr", { POST: later("POST pr") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/open-editor", { POST: later("POST open-editor") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/delete-file", { POST: later("POST delete-file") }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/children", { GET: children }, { loader: "attempt" }),
  route("/api/task-attempts/{id}/stop", { POST: later("POST stop") }, { loader: "attempt" }),
];
