// /api/templates… (0.0.71 routes/task_templates.rs). The global seeds are written on first use.

import { internal } from "../../_generated/api";
import { Json } from "../serde/json";
import { jsonBody, query } from "../http/extract";
import { failureResponse, okJson } from "../http/responses";
import { Handler, Route, route } from "../http/router";
import { TEMPLATE } from "../wire/shapes";
import { CREATE_TEMPLATE, UPDATE_TEMPLATE } from "./bodies";

type Fields = { [key: string]: Json };

const list: Handler = async (ctx, rc) => {
  const q = query<{ global: boolean | null; project_id: string | null }>(rc.url, [
    { name: "global", type: "bool", required: false },
    { name: "project_id", type: "uuid", required: false },
  ]);
  if (!q.ok) return q.response;
  await ctx.runMutation(internal.templates.seedGlobals, {});
  const listed = await ctx.runQuery(internal.templates.list, { global: q.value.global, projectId: q.value.project_id });
  return listed.ok ? okJson(listed.data, TEMPLATE) : failureResponse(listed.failure);
};

const create: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, CREATE_TEMPLATE);
  if (!body.ok) return body.response;
  const b = body.value as Fields;
  const created = await ctx.runMutation(internal.templates.create, {
    projectId: b.project_id as string | null,
    title: b.title as string,
    description: b.description as string | null,
    templateName: b.template_name as string,
  });
  return created.ok ? okJson(created.data, TEMPLATE) : failureResponse(created.failure);
};

const get: Handler = async (_ctx, rc) => okJson(rc.loaded, TEMPLATE);

const update: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, UPDATE_TEMPLATE);
  if (!body.ok) return body.response;
  const b = body.value as Fields;
  const updated = await ctx.runMutation(internal.templates.update, {
    id: rc.params.template_id,
    title: b.title as string | null,
    description: b.description as string | null,
    templateName: b.template_name as string | null,
  });
  return updated.ok ? okJson(updated.data, TEMPLATE) : failureResponse(updated.failure);
};

const remove: Handler = async (ctx, rc) => {
  const removed = await ctx.runMutation(internal.templates.remove, { id: rc.params.template_id });
  return removed.ok ? okJson(null) : failureResponse(removed.failure);
};

export const templateRoutes: Route[] = [
  route("/api/templates", { GET: list, POST: create }),
  route("/api/templates/{template_id}", { GET: get, PUT: update, DELETE: remove }, { loader: "template" }),
];
