// Health, info, config, profiles, sounds, MCP config, GitHub auth, containers and the filesystem browser
// (0.0.71 routes/{health,config,auth,containers,filesystem}.rs). Host-local work (the agent's MCP file, the
// directory listings) is done by the runner, which confines paths to its allowed roots.

import { internal } from "../../_generated/api";
import { CONFIG_SPEC, toConfigDocument } from "../config";
import { jsonBody, query } from "../http/extract";
import { apiErrorJson, commandFailure, okJson, softError, textResponse } from "../http/responses";
import { Handler, Route, notImplemented, route } from "../http/router";
import { MCP_BY_AGENT } from "../mcp";
import { oneOf } from "../serde/errors";
import { ROW_NOT_FOUND } from "../outcome";
import { SOUND_NAMES } from "../validators";
import { CONFIG, CONTAINER_INFO, DIRECTORY_ENTRY, DIRECTORY_LISTING, ENVIRONMENT, sortKeysDeep } from "../wire/shapes";
import { UPDATE_MCP_SERVERS } from "./bodies";
import { askRunner } from "./runner";

const health: Handler = async () => okJson("OK");

const info: Handler = async (ctx) => {
  const { config, executors, environment } = await ctx.runQuery(internal.system.info, {});
  const { home: _home, ...env } = environment;
  return okJson({ config, executors: JSON.parse(executors), environment: env }, { config: CONFIG, executors: true, environment: ENVIRONMENT });
};

const putConfig: Handler = async (ctx, rc) => {
  const body = await jsonBody(rc.request, CONFIG_SPEC);
  if (!body.ok) return body.response;
  return okJson(await ctx.runMutation(internal.config.put, { config: toConfigDocument(body.value) }), CONFIG);
};

const sound: Handler = async (ctx, rc) => {
  const name = rc.params.sound;
  if (!(SOUND_NAMES as readonly string[]).includes(name)) {
    return textResponse(400, `Invalid URL: unknown variant \`${name}\`, expected ${oneOf(SOUND_NAMES)}`);
  }
  const stored = await ctx.runQuery(internal.sounds.get, { name: name as (typeof SOUND_NAMES)[number] });
  const blob = stored ? await ctx.storage.get(stored.storageId) : null;
  if (!blob) return apiErrorJson(500, `DeploymentError: sound ${name} has not been uploaded to this deployment (sounds:store)`);
  return new Response(blob, { status: 200, headers: { "content-type": "audio/wav", "content-length": String(blob.size) } });
};

async function mcpAgent(ctx: Parameters<Handler>[0], profile: string): Promise<{ agent: string } | Response> {
  const lookup = await ctx.runQuery(internal.profiles.lookupExecutor, { executor: profile });
  if (!lookup.exists) return apiErrorJson(500, `ConfigError: Validation error: Executor profile not found: ${profile}`);
  if (!lookup.defaultAgent || !MCP_BY_AGENT[lookup.defaultAgent]) return softError("This executor does not support MCP servers");
  return { agent: lookup.defaultAgent };
}

/** Servers arrive from the runner as serde_json text (keys sorted, numbers in their own form: 1.0, 1e20), and
 * keys may be anything a user wrote ("$schema", non-ASCII), which Convex values cannot hold; so the text is
 * spliced into the envelope as it is. The placeholder cannot occur elsewhere: JSON.stringify escapes quotes. */
const SERVERS_PLACEHOLDER = JSON.stringify("\u0000servers\u0000");

function mcpConfigResponse(serversJson: string, mcp: (typeof MCP_BY_AGENT)[string], configPath: string): Response {
  const text = JSON.stringify({
    success: true,
    data: {
      mcp_config: {
        servers: JSON.parse(SERVERS_PLACEHOLDER),
        servers_path: mcp.serversPath,
        template: sortKeysDeep(mcp.template),
        vibe_kanban: sortKeysDeep(mcp.vibeKanban),
        is_toml_config: mcp.isToml,
      },
      config_path: configPath,
    },
    error_data: null,
    message: null,
  });
  return new Response(text.replace(SERVERS_PLACEHOLDER, () => serversJson), {
    status: 200,
    headers: { "content-type": "application/json" },
  });
}

/** What every MCP command carries: where the agent's file is and what a missing file reads as. User JSON
 * travels as text (Convex values refuse "$"-prefixed and non-ASCII keys). */
function mcpPayload(agent: string, mcp: (typeof MCP_BY_AGENT)[string]) {
  return {
    agent,
    relativePath: mcp.relativePath,
    serversPath: mcp.serversPath,
    isToml: mcp.isToml,
    templateJson: JSON.stringify(mcp.template),
  };
}

const getMcp: Handler = async (ctx, rc) => {
  const q = query<{ profile: string }>(rc.url, [{ name: "profile", type: "string", required: true }]);
  if (!q.ok) return q.response;
  const resolved = await mcpAgent(ctx, q.value.profile);
  if (resolved instanceof Response) return resolved;
  const mcp = MCP_BY_AGENT[resolved.agent];
  const read = await askRunner(ctx, "mcp.readServers", mcpPayload(resolved.agent, mcp));
  if (!read.ok) return commandFailure(read.error);
  const { serversJson, config_path } = read.result as { serversJson: unknown; config_path: unknown };
  if (typeof serversJson !== "string" || typeof config_path !== "string") {
    return apiErrorJson(500, "RunnerError: mcp.readServers answered without serversJson/config_path");
  }
  return mcpConfigResponse(serversJson, mcp, config_path);
};

const postMcp: Handler = async (ctx, rc) => {
  const q = query<{ profile: string }>(rc.url, [{ name: "profile", type: "string", required: true }]);
  if (!q.ok) return q.response;
  // The body as the client wrote it goes to the runner, so numbers keep their form (1.0 is not 1).
  const bodyJson = await rc.request.clone().text();
  const body = await jsonBody(rc.request, UPDATE_MCP_SERVERS);
  if (!body.ok) return body.response;
  const resolved = await mcpAgent(ctx, q.value.profile);
  if (resolved instanceof Response) return resolved;
  const mcp = MCP_BY_AGENT[resolved.agent];
  const written = await askRunner(
    ctx,
    "mcp.writeServers",
    { ...mcpPayload(resolved.agent, mcp), bodyJson },
    rc.idempotencyKey,
  );
  return written.ok ? okJson(written.result as string) : commandFailure(written.error);
};

const getProfiles: Handler = async (ctx) => {
  const content = await ctx.runQuery(internal.profiles.get, {});
  const { home } = await ctx.runQuery(internal.system.environment, {});
  return okJson({ content, path: `${home}/.local/share/vibe-kanban/profiles.json` });
};

/** Any content type (the handler takes the raw body as a String). */
const putProfiles: Handler = async (ctx, rc) => {
  const saved = await ctx.runMutation(internal.profiles.put, { body: await rc.request.arrayBuffer() });
  return saved.ok ? okJson("Executor profiles updated successfully") : softError(saved.message);
};

/** No token: "INVALID" without a network call. With one: GitHub says (a true external call). */
const githubCheck: Handler = async (ctx) => {
  const token = await ctx.runQuery(internal.system.githubTokenOf, {});
  if (token === null) return okJson("INVALID");
  try {
    const res = await fetch("https://api.github.com/user", { headers: { authorization: `Bearer ${token}`, "user-agent": "vibe-kanban" } });
    if (res.ok) return okJson("VALID");
    if (res.status === 401 || res.status === 403) return okJson("INVALID");
    return apiErrorJson(500, `GitHubServiceError: GitHub API error: ${res.status}`);
  } catch (e) {
    return apiErrorJson(500, `GitHubServiceError: ${githubTransportError(e)}`);
  }
};

// Failures to reach a host at all (name resolution, refused, unreachable, connect timeout), as undici
// reports them in `fetch`'s error cause.
const CONNECT_CODES = new Set([
  "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT",
]);

/** 0.0.71's text for a request to GitHub that failed below HTTP (octocrab over hyper): a connect failure is
 *  "Service Error: client error (Connect)"; anything else keeps the runtime's own words after "Service Error: ".
 *  (The primary appends a backtrace; the profile masks it.) */
export function githubTransportError(error: unknown): string {
  const cause = error instanceof Error ? (error as Error & { cause?: { code?: unknown } }).cause : undefined;
  if (cause && typeof cause.code === "string" && CONNECT_CODES.has(cause.code)) {
    return "Service Error: client error (Connect)";
  }
  return `Service Error: ${error instanceof Error ? error.message : String(error)}`;
}

/** The candidate never starts a device flow (start needs github.com, not served yet), so poll says so. */
const devicePoll: Handler = async () => apiErrorJson(500, "AuthError: Device flow not started");

const containerInfo: Handler = async (ctx, rc) => {
  const q = query<{ ref: string }>(rc.url, [{ name: "ref", type: "string", required: true }]);
  if (!q.ok) return q.response;
  const found = await ctx.runQuery(internal.workspaces.containerInfo, { containerRef: q.value.ref });
  return found ? okJson(found, CONTAINER_INFO) : apiErrorJson(500, ROW_NOT_FOUND);
};

const listDirectory: Handler = async (ctx, rc) => {
  const q = query<{ path: string | null }>(rc.url, [{ name: "path", type: "string", required: false }]);
  if (!q.ok) return q.response;
  const listed = await askRunner(ctx, "fs.listDirectory", { path: q.value.path });
  return listed.ok ? okJson(listed.result, DIRECTORY_LISTING) : commandFailure(listed.error);
};

const gitRepos: Handler = async (ctx, rc) => {
  const q = query<{ path: string | null }>(rc.url, [{ name: "path", type: "string", required: false }]);
  if (!q.ok) return q.response;
  const listed = await askRunner(ctx, "fs.gitRepos", { path: q.value.path });
  return listed.ok ? okJson(listed.result, DIRECTORY_ENTRY) : commandFailure(listed.error);
};

export const systemRoutes: Route[] = [
  route("/api/health", { GET: health }),
  route("/api/info", { GET: info }),
  route("/api/config", { PUT: putConfig }),
  route("/api/sounds/{sound}", { GET: sound }, { textParams: ["sound"] }),
  route("/api/mcp-config", { GET: getMcp, POST: postMcp }),
  route("/api/profiles", { GET: getProfiles, PUT: putProfiles }),
  route("/api/auth/github/device/start", { POST: notImplemented("POST /api/auth/github/device/start") }),
  route("/api/auth/github/device/poll", { POST: devicePoll }),
  route("/api/auth/github/check", { GET: githubCheck }),
  route("/api/containers/info", { GET: containerInfo }),
  route("/api/filesystem/directory", { GET: listDirectory }),
  route("/api/filesystem/git-repos", { GET: gitRepos }),
];
