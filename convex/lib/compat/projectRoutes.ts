// /api/projects… (0.0.71 routes/projects.rs). Git work goes to the runner: `project.prepare` (existing-repo
// checks or `git init` with `main`), `git.branches`, `project.search`; opening the editor is `editor.open`.

import { internal } from "../../_generated/api";
import { editorCommand, withOverride } from "../editor";
import { Json } from "../serde/json";
import { queryMap } from "../serde/query";
import { jsonBody } from "../http/extract";
import { commandFailure, emptyResponse, failureResponse, okJson, softError } from "../http/responses";
import { Handler, Route, route } from "../http/router";
import { ProjectWire } from "../wire/entities";
import { GIT_BRANCH, PROJECT, SEARCH_RESULT } from "../wire/shapes";
import { CREATE_PROJECT, OPEN_PROJECT_EDITOR, UPDATE_PROJECT } from "./bodies";
import { askRunner } from "./runner";

type Fields = { [key: string]: Json };

const list: Handler = async (ctx) => okJson(await ctx.runQuery(internal.projects.list, {}), PROJECT);

const create: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, CREATE_PROJECT);
  if (!body.ok) return body.response;
  const b = body.value as Fields;
  const path = b.git_repo_path as string;
  if (await ctx.runQuery(internal.projects.pathTaken, { path })) {
    return softError("A project with this git repository path already exists");
  }
  const prepared = await askRunner(ctx, "project.prepare", { path, useExisting: b.use_existing_repo }, rc.idempotencyKey);
  if (!prepared.ok) return commandFailure(prepared.error);
  const created = await ctx.runMutation(internal.projects.create, {
    name: b.name as string,
    gitRepoPath: path,
    setupScript: b.setup_script as string | null,
    devScript: b.dev_script as string | null,
    cleanupScript: b.cleanup_script as string | null,
    copyFiles: b.copy_files as string | null,
    idempotencyKey: rc.idempotencyKey,
    legacyIdHint: rc.legacyIdHint,
  });
  return created.ok ? okJson(created.data, PROJECT) : failureResponse(created.failure);
};

const get: Handler = async (_ctx, rc) => okJson(rc.loaded, PROJECT);

const update: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, UPDATE_PROJECT);
  if (!body.ok) return body.response;
  const b = body.value as Fields;
  const updated = await ctx.runMutation(internal.projects.update, {
    id: rc.params.id,
    name: b.name as string | null,
    gitRepoPath: b.git_repo_path as string | null,
    setupScript: b.setup_script as string | null,
    devScript: b.dev_script as string | null,
    cleanupScript: b.cleanup_script as string | null,
    copyFiles: b.copy_files as string | null,
  });
  return updated.ok ? okJson(updated.data, PROJECT) : failureResponse(updated.failure);
};

const remove: Handler = async (ctx, rc) => {
  const removed = await ctx.runMutation(internal.projects.remove, { id: rc.params.id });
  return removed.ok ? okJson(null) : failureResponse(removed.failure);
};

const branches: Handler = async (ctx, rc) => {
  const project = rc.loaded as ProjectWire;
  const result = await askRunner(ctx, "git.branches", { repoPath: project.git_repo_path });
  return result.ok ? okJson(result.result, GIT_BRANCH) : commandFailure(result.error);
};

/** `q` is trimmed and required (shape A); a failing walk is a bare 500 (CONTRACT-CORRECTIONS item 4). */
const search: Handler = async (ctx, rc) => {
  const project = rc.loaded as ProjectWire;
  const q = (queryMap(rc.url.search).get("q") ?? "").trim();
  if (q === "") return softError("Query parameter 'q' is required and cannot be empty");
  const result = await askRunner(ctx, "project.search", { repoPath: project.git_repo_path, q });
  if (result.ok) return okJson(result.result, SEARCH_RESULT);
  return result.error.kind === "internal" ? commandFailure(result.error) : emptyResponse(500);
};

/** The configured editor (or the request's `editor_type`) on the repository path. Every failure to start it
 * is 0.0.71's bare empty 500 (CONTRACT-CORRECTIONS items 4 and 24), and so is a blank custom command, which
 * never reaches the runner. */
const openEditor: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, OPEN_PROJECT_EDITOR);
  if (!body.ok) return body.response;
  const requested = (body.value as Fields | null)?.editor_type as string | null | undefined;
  const config = await ctx.runQuery(internal.config.get, {});
  const command = editorCommand(withOverride(config.editor, requested));
  if (command.length === 0) return emptyResponse(500);
  const project = rc.loaded as ProjectWire;
  const opened = await askRunner(ctx, "editor.open", { repoPath: project.git_repo_path, command }, rc.idempotencyKey);
  if (opened.ok) return okJson(null);
  return opened.error.kind === "internal" ? commandFailure(opened.error) : emptyResponse(500);
};

export const projectRoutes: Route[] = [
  route("/api/projects", { GET: list, POST: create }),
  route("/api/projects/{id}", { GET: get, PUT: update, DELETE: remove }, { loader: "project" }),
  route("/api/projects/{id}/branches", { GET: branches }, { loader: "project" }),
  route("/api/projects/{id}/search", { GET: search }, { loader: "project" }),
  route("/api/projects/{id}/open-editor", { POST: openEditor }, { loader: "project" }),
];
