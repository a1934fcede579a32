// convex-test host: a TEST/DEMO STAND-IN for a Convex deployment, for machines where the real backend
// cannot run. One in-memory `convexTest(schema, modules)` instance, served on loopback:
//
//   --api-port   Convex's public HTTP API (the ".convex.cloud" side): POST /api/query|mutation|action
//                {"path":"module:fn","args":{...},"format":"json"} -> {"status":"success","value":...} or
//                HTTP 200 {"status":"error","errorMessage":...}. Internal functions only with
//                "Authorization: Convex <admin key>" (CONVEX_TEST_HOST_ADMIN_KEY). GET /version answers.
//   --site-port  the HTTP actions (the ".convex.site" side: the /api/... compatibility routes and
//                /runner/...), each request passed to `t.fetch`; response bodies are piped chunk by chunk,
//                so SSE streams stay live.
//
// Deployment env vars (RUNNER_HMAC_KEYS, ...) are this process's environment. convex-test never fires
// crons, so the host stands in for the scheduler: every `crons.interval` job in convex/crons.ts runs on a
// timer (CONVEX_TEST_HOST_CRON_MS overrides all intervals, for tests). Data lives in memory and is gone
// when the process ends. Nothing here is a Convex guarantee: transactions run one at a time, no OCC.
//
// When both servers listen it prints one JSON line on stdout: {"ready":true,"apiUrl":...,"siteUrl":...}.
import { convexTest } from "convex-test";
import { makeFunctionReference } from "convex/server";
import { convexToJson, jsonToConvex } from "convex/values";
import type { Value } from "convex/values";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
// @ts-expect-error: provided by build.mjs (the explicit module map)
import { modules, schema } from "virtual:convex-modules";

const NAME = "convex-test-host (test/demo stand-in, not a Convex deployment)";
const USAGE = `usage: node dist/host.mjs [--host 127.0.0.1] [--api-port N] [--site-port N]

${NAME}.
  --api-port   Convex public HTTP API: POST /api/query|mutation|action (0 = any free port)
  --site-port  HTTP actions: every request goes to the app's httpRouter (0 = any free port)
Environment: CONVEX_TEST_HOST_ADMIN_KEY (admin key for internal functions), CONVEX_TEST_HOST_CRON_MS
(run every cron at this interval instead of its own), anything else is visible to functions as a
deployment env var (e.g. RUNNER_HMAC_KEYS).`;

type FunctionKind = "query" | "mutation" | "action";
type RegisteredFunction = {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
};
type ModuleMap = Record<string, () => Promise<Record<string, unknown>>>;

function log(message: string): void {
  process.stderr.write(`[convex-test-host stand-in] ${message}\n`);
}

const t = convexTest(schema, modules as ModuleMap);
const adminKey = process.env.CONVEX_TEST_HOST_ADMIN_KEY ?? "";

// ---------------------------------------------------------------- function lookup

async function loadFunction(path: string): Promise<RegisteredFunction | null> {
  const [rawModule, exportName = "default"] = path.split(":");
  const modulePath = rawModule.replace(/\.js$/, "");
  for (const [key, load] of Object.entries(modules as ModuleMap)) {
    if (key.replace(/\.[^./]+$/, "") === `/convex/${modulePath}`) {
      const fn = (await load())[exportName] as RegisteredFunction | undefined;
      return fn && typeof fn === "function" ? fn : null;
    }
  }
  return null;
}

function kindOf(fn: RegisteredFunction): FunctionKind | null {
  return fn.isQuery ? "query" : fn.isMutation ? "mutation" : fn.isAction ? "action" : null;
}

async function callFunction(kind: FunctionKind, path: string, args: Record<string, Value>): Promise<unknown> {
  const ref = makeFunctionReference(path.replace(/\.js:/, ":")) as never;
  if (kind === "query") return await t.query(ref, args as never);
  if (kind === "mutation") return await t.mutation(ref, args as never);
  return await t.action(ref, args as never);
}

// ---------------------------------------------------------------- JSON with Convex's number format

// The real backend writes float64 values that are whole numbers as `5.0`; the Python client's decoder
// depends on it (CONVEX-NOTES.md). JSON.stringify would write `5`.
function toConvexWireJson(value: unknown): string {
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) < 1e21) return `${value}.0`;
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(toConvexWireJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${toConvexWireJson(v)}`);
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value);
}

// ---------------------------------------------------------------- HTTP plumbing

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: string, contentType = "application/json"): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function functionError(message: string, data?: unknown): string {
  const error: Record<string, unknown> = { status: "error", errorMessage: message, logLines: [] };
  if (data !== undefined) error.errorData = convexToJson(data as Value);
  return toConvexWireJson(error);
}

async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://host");
  if (req.method === "GET" && url.pathname === "/version") {
    return send(res, 200, NAME, "text/plain; charset=utf-8");
  }
  const match = /^\/api\/(query|mutation|action)$/.exec(url.pathname);
  if (req.method !== "POST" || match === null) {
    return send(res, 404, JSON.stringify({ code: "NotFound", message: `${NAME}: no route ${req.method} ${url.pathname}` }));
  }
  const endpoint = match[1] as FunctionKind;
  let request: { path?: unknown; args?: unknown };
  try {
    request = JSON.parse((await readBody(req)).toString("utf8"));
  } catch {
    return send(res, 400, JSON.stringify({ code: "BadJsonBody", message: "request body is not JSON" }));
  }
  const path = request.path;
  if (typeof path !== "string" || path === "") {
    return send(res, 400, JSON.stringify({ code: "BadRequest", message: "missing function path" }));
  }
  const rawArgs = Array.isArray(request.args) ? request.args[0] : (request.args ?? {});
  const fn = await loadFunction(path);
  const isAdmin = adminKey !== "" && req.headers.authorization === `Convex ${adminKey}`;
  if (fn === null || (!fn.isPublic && !isAdmin)) {
    const visibility = isAdmin ? "" : "public ";
    return send(res, 200, functionError(`Could not find ${visibility}function for '${path}'.`));
  }
  const kind = kindOf(fn);
  if (kind !== endpoint && !(endpoint === "action" && kind !== null)) {
    return send(res, 200, functionError(`Trying to execute ${path} as ${endpoint}, but it is defined as ${kind}.`));
  }
  try {
    const args = jsonToConvex(rawArgs as never) as Record<string, Value>;
    const value = await callFunction(kind as FunctionKind, path, args);
    send(res, 200, toConvexWireJson({ status: "success", value: convexToJson((value ?? null) as Value), logLines: [] }));
  } catch (error) {
    const data = (error as { data?: unknown }).data;
    send(res, 200, functionError(error instanceof Error ? error.message : String(error), data));
  }
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "content-length", "expect", "upgrade"]);

async function handleSite(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
  const response = await t.fetch(req.url ?? "/", { method, headers, body, signal: abort.signal });
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // A length the action declared is kept (e.g. a sound's bytes): the body is then sent as is, not chunked.
    if (!HOP_BY_HOP.has(name) || name === "content-length") outHeaders[name] = value;
  });
  res.writeHead(response.status, outHeaders);
  res.flushHeaders();
  if (response.body === null || method === "HEAD") {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  abort.signal.addEventListener("abort", () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
  } catch (error) {
    if (!abort.signal.aborted) log(`stream of ${method} ${req.url} failed: ${String(error)}`);
  }
  res.end();
}

function serve(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Server {
  return createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      log(`${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) send(res, 500, "Internal Server Error", "text/plain; charset=utf-8");
      else res.end();
    });
  });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

// ---------------------------------------------------------------- the cron stand-in

type CronJob = { name: string; args: unknown[]; schedule: { type: string; seconds?: number; minutes?: number; hours?: number } };

async function startCrons(): Promise<NodeJS.Timeout[]> {
  const cronModule = Object.keys(modules as ModuleMap).find((key) => /^\/convex\/crons\.[^./]+$/.test(key));
  if (cronModule === undefined) return [];
  const crons = ((await (modules as ModuleMap)[cronModule]()).default ?? {}) as { crons?: Record<string, CronJob> };
  const override = Number(process.env.CONVEX_TEST_HOST_CRON_MS ?? "");
  const timers: NodeJS.Timeout[] = [];
  for (const [id, job] of Object.entries(crons.crons ?? {})) {
    const { schedule } = job;
    if (schedule.type !== "interval") {
      log(`cron "${id}": only interval schedules are run by this stand-in; skipped`);
      continue;
    }
    const ownMs = ((schedule.seconds ?? 0) + 60 * (schedule.minutes ?? 0) + 3600 * (schedule.hours ?? 0)) * 1000;
    const everyMs = override > 0 ? override : ownMs;
    const fn = await loadFunction(job.name);
    const kind = fn ? kindOf(fn) : null;
    if (kind === null || kind === "query") {
      log(`cron "${id}": ${job.name} is not a mutation or action; skipped`);
      continue;
    }
    let running = false; // crons run one at a time, like the real scheduler's
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        const args = jsonToConvex((job.args[0] ?? {}) as never) as Record<string, Value>;
        await callFunction(kind, job.name, args);
      } catch (error) {
        log(`cron "${id}" failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        running = false;
      }
    };
    timers.push(setInterval(() => void tick(), everyMs));
    log(`cron "${id}" -> ${job.name} every ${everyMs} ms`);
  }
  return timers;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      "api-port": { type: "string", default: "0" },
      "site-port": { type: "string", default: "0" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const host = values.host ?? "127.0.0.1";
  const apiServer = serve(handleApi);
  const siteServer = serve(handleSite);
  const apiPort = await listen(apiServer, host, Number(values["api-port"]));
  const sitePort = await listen(siteServer, host, Number(values["site-port"]));
  const timers = await startCrons();
  if (adminKey === "") log("CONVEX_TEST_HOST_ADMIN_KEY is not set: only public functions are callable on the API port");

  const shutdown = (signal: string) => {
    log(`${signal}: stopping`);
    for (const timer of timers) clearInterval(timer);
    for (const server of [apiServer, siteServer]) {
      server.close();
      server.closeAllConnections();
    }
    process.exit(0);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  const apiUrl = `http://${host}:${apiPort}`;
  const siteUrl = `http://${host}:${sitePort}`;
  log(`${NAME}: Convex API on ${apiUrl}, HTTP actions on ${siteUrl}`);
  process.stdout.write(`${JSON.stringify({ ready: true, apiUrl, siteUrl, pid: process.pid })}\n`);
}

main().catch((error: unknown) => {
  log(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
