// The whole 0.0.71 route table and its model loaders, as one dispatcher for http.ts.

import { internal } from "../../_generated/api";
import { ActionCtx } from "../../_generated/server";
import { LoaderKind, Loader, dispatcher } from "../http/router";
import { attemptRoutes } from "./attemptRoutes";
import { eventRoutes } from "./eventRoutes";
import { imageRoutes } from "./imageRoutes";
import { processRoutes } from "./processRoutes";
import { projectRoutes } from "./projectRoutes";
import { systemRoutes } from "./systemRoutes";
import { taskRoutes } from "./taskRoutes";
import { templateRoutes } from "./templateRoutes";

const loaders: Record<LoaderKind, Loader> = {
  project: async (ctx: ActionCtx, id: string) => await ctx.runQuery(internal.projects.get, { id }),
  task: async (ctx: ActionCtx, id: string) => await ctx.runQuery(internal.tasks.get, { id }),
  template: async (ctx: ActionCtx, id: string) => await ctx.runQuery(internal.templates.get, { id }),
  attempt: async (ctx: ActionCtx, id: string) => await ctx.runQuery(internal.workspaces.get, { id }),
  process: async (ctx: ActionCtx, id: string) => await ctx.runQuery(internal.executionProcesses.get, { id }),
};

export const ROUTES = [
  ...systemRoutes,
  ...projectRoutes,
  ...taskRoutes,
  ...attemptRoutes,
  ...processRoutes,
  ...templateRoutes,
  ...imageRoutes,
  ...eventRoutes,
];

export const compatDispatch = dispatcher(ROUTES, loaders);
