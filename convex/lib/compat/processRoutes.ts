// /api/execution-processes… (0.0.71 routes/execution_processes.rs). Served: list and get; stop and the
// two log streams need the runner's process control and log chunks (a later issue): 501 until then.

import { internal } from "../../_generated/api";
import { query } from "../http/extract";
import { okJson } from "../http/responses";
import { Handler, Route, notImplemented, route } from "../http/router";
import { PROCESS } from "../wire/shapes";

const list: Handler = async (ctx, rc) => {
  const q = query<{ task_attempt_id: string }>(rc.url, [{ name: "task_attempt_id", type: "uuid", required: true }]);
  if (!q.ok) return q.response;
  return okJson(await ctx.runQuery(internal.executionProcesses.list, { taskAttemptId: q.value.task_attempt_id }), PROCESS);
};

const get: Handler = async (_ctx, rc) => okJson(rc.loaded, PROCESS);

export const processRoutes: Route[] = [
  route("/api/execution-processes", { GET: list }),
  route("/api/execution-processes/{id}", { GET: get }, { loader: "process" }),
  route("/api/execution-processes/{id}/stop", { POST: notImplemented("POST /api/execution-processes/{id}/stop") }, { loader: "process" }),
  route("/api/execution-processes/{id}/raw-logs", { GET: notImplemented("GET /api/execution-processes/{id}/raw-logs") }, { loader: "process" }),
  route(
    "/api/execution-processes/{id}/normalized-logs",
    { GET: notImplemented("GET /api/execution-processes/{id}/normalized-logs") },
    { loader: "process" },
  ),
];
