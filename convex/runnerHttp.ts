// HTTP actions of the runner protocol (routed in http.ts under /runner/...). Each one authenticates the
// signed envelope (lib/runnerAuth.ts + the nonce ledger), parses the JSON body, and calls one idempotent
// internal mutation; it never does the work itself. Refusals are short JSON: {"error": "..."}.
//
//   POST /runner/register   {runnerId, name?, version?, environment?} -> {runnerId, leaseMs, maxWaitMs}
//                           environment: {home, os_type, os_version, os_architecture, bitness}, the runner's host
//                           (served by /api/info and used for HOME-relative paths; the last report wins)
//   POST /runner/claim      {runnerId, waitMs?}                     -> 200 {command} | 204 (nothing within waitMs)
//   POST /runner/heartbeat  {runnerId, commandId, fencingToken}     -> {held, leaseExpiresAt}
//   POST /runner/complete   {runnerId, commandId, fencingToken, completionKey, outcome}
//                                                                   -> 200 {accepted, duplicate, status} | 409
//   POST /runner/logs       {runnerId, chunks: [{processId, stream, seq, content}]} -> {inserted, duplicates}
import { httpAction } from "./_generated/server";
import type { ActionCtx } from "./_generated/server";
import { internal } from "./_generated/api";
import { verifyRunnerRequest } from "./lib/runnerAuth";
import { leaseMs, replayWindowMs, runnerSecrets } from "./lib/runnerConfig";
import type { EnvironmentDocument } from "./lib/validators";

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_WAIT_MS = 20_000;
const CLAIM_POLL_MS = 100;

type Body = Record<string, unknown>;

class BadRequest extends Error {}

function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
}

function refuse(status: number, error: string): Response {
  return json(status, { error });
}

function requireString(body: Body, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || value.length === 0 || value.length > 200) {
    throw new BadRequest(`${key} must be a non-empty string`);
  }
  return value;
}

function optionalString(body: Body, key: string, fallback: string): string {
  return body[key] === undefined ? fallback : requireString(body, key);
}

function requireInteger(body: Body, key: string): number {
  const value = body[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new BadRequest(`${key} must be a non-negative integer`);
  }
  return value;
}

type Authenticated = { keyId: string; body: Body };

/** Signature, then single use of the nonce, then JSON; a Response means "refused, send this". */
async function authenticate(ctx: ActionCtx, request: Request): Promise<Authenticated | Response> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES) {
    return refuse(413, "body too large");
  }
  let secrets: Map<string, string>;
  try {
    secrets = runnerSecrets();
  } catch (error) {
    console.error(String(error));
    return refuse(500, "runner keys are misconfigured");
  }
  const windowMs = replayWindowMs();
  const auth = await verifyRunnerRequest(request.headers, bytes, secrets, Date.now(), windowMs);
  if (!auth.ok) {
    return refuse(401, auth.reason);
  }
  const fresh = await ctx.runMutation(internal.runners.useNonce, {
    keyId: auth.keyId,
    nonce: auth.nonce,
    expiresAt: auth.timestampMs + windowMs,
  });
  if (!fresh) {
    return refuse(401, "replayed");
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return refuse(400, "body is not JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return refuse(400, "body must be a JSON object");
  }
  return { keyId: auth.keyId, body: body as Body };
}

/** Wraps a handler with authentication and turns BadRequest into 400. */
function runnerAction(handle: (ctx: ActionCtx, request: Request, auth: Authenticated) => Promise<Response>) {
  return httpAction(async (ctx, request) => {
    const auth = await authenticate(ctx, request);
    if (auth instanceof Response) {
      return auth;
    }
    try {
      return await handle(ctx, request, auth);
    } catch (error) {
      if (error instanceof BadRequest) {
        return refuse(400, error.message);
      }
      throw error;
    }
  });
}

const ENVIRONMENT_FIELDS = ["home", "os_type", "os_version", "os_architecture", "bitness"] as const;
const MAX_ENVIRONMENT_FIELD = 4096;

/** The host description a runner reports (all five fields, strings, nothing else), or undefined if absent. */
function optionalEnvironment(body: Body): EnvironmentDocument | undefined {
  const raw = body.environment;
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new BadRequest("environment must be an object");
  }
  const fields = raw as Body;
  const unknown = Object.keys(fields).filter((key) => !(ENVIRONMENT_FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) throw new BadRequest(`environment has unknown fields: ${unknown.join(", ")}`);
  for (const key of ENVIRONMENT_FIELDS) {
    const value = fields[key];
    if (typeof value !== "string" || value.length === 0 || value.length > MAX_ENVIRONMENT_FIELD) {
      throw new BadRequest(`environment.${key} must be a non-empty string`);
    }
  }
  const [home, os_type, os_version, os_architecture, bitness] = ENVIRONMENT_FIELDS.map((key) => fields[key] as string);
  return { home, os_type, os_version, os_architecture, bitness };
}

export const register = runnerAction(async (ctx, _request, { keyId, body }) => {
  const runnerId = requireString(body, "runnerId");
  const environment = optionalEnvironment(body);
  await ctx.runMutation(internal.runners.register, {
    runnerId,
    keyId,
    name: optionalString(body, "name", runnerId),
    version: optionalString(body, "version", "unknown"),
  });
  if (environment !== undefined) {
    await ctx.runMutation(internal.system.setEnvironment, { environment });
  }
  return json(200, { runnerId, leaseMs: leaseMs(), maxWaitMs: MAX_WAIT_MS });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Long poll: holds the request up to waitMs (at most 20 s) until a command can be claimed. It looks with
 * a query first, so an idle runner costs reads, not conflicting writes. It stops early if the client went
 * away (where the platform reports it via request.signal), so no command is leased to nobody.
 */
export const claim = runnerAction(async (ctx, request, { keyId, body }) => {
  const runnerId = requireString(body, "runnerId");
  const waitMs = body.waitMs === undefined ? MAX_WAIT_MS : Math.min(requireInteger(body, "waitMs"), MAX_WAIT_MS);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (request.signal?.aborted) {
      return new Response(null, { status: 204 });
    }
    if (await ctx.runQuery(internal.commands.hasPending, {})) {
      const claimed = await ctx.runMutation(internal.commands.claim, { runnerId, keyId });
      if (claimed !== null && "unregistered" in claimed) {
        return refuse(409, "runner not registered");
      }
      if (claimed !== null) {
        return json(200, { command: claimed });
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      return new Response(null, { status: 204 });
    }
    await sleep(Math.min(CLAIM_POLL_MS, left));
  }
});

export const heartbeat = runnerAction(async (ctx, _request, { body }) => {
  const lease = await ctx.runMutation(internal.commands.heartbeat, {
    runnerId: requireString(body, "runnerId"),
    commandId: requireString(body, "commandId"),
    fencingToken: requireInteger(body, "fencingToken"),
  });
  return json(200, lease);
});

type Outcome = { ok: true; result: unknown } | { ok: false; error: { kind: "soft" | "api" | "internal"; message: string } };

function parseOutcome(raw: unknown): Outcome {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new BadRequest("outcome must be an object");
  }
  const outcome = raw as Body;
  if (outcome.ok === true) {
    return { ok: true, result: outcome.result === undefined ? null : outcome.result };
  }
  if (outcome.ok === false) {
    const error = outcome.error as Body | null | undefined;
    const kind = error?.kind;
    if (kind !== "soft" && kind !== "api" && kind !== "internal") {
      throw new BadRequest("outcome.error.kind must be soft, api or internal");
    }
    if (typeof error?.message !== "string") {
      throw new BadRequest("outcome.error.message must be a string");
    }
    return { ok: false, error: { kind, message: error.message } };
  }
  throw new BadRequest("outcome.ok must be true or false");
}

export const complete = runnerAction(async (ctx, _request, { body }) => {
  const ack = await ctx.runMutation(internal.commands.complete, {
    runnerId: requireString(body, "runnerId"),
    commandId: requireString(body, "commandId"),
    fencingToken: requireInteger(body, "fencingToken"),
    completionKey: requireString(body, "completionKey"),
    outcome: parseOutcome(body.outcome),
  });
  return json(ack.accepted ? 200 : 409, ack);
});

export const logs = runnerAction(async (ctx, _request, { body }) => {
  requireString(body, "runnerId");
  if (!Array.isArray(body.chunks)) {
    throw new BadRequest("chunks must be an array");
  }
  const chunks = body.chunks.map((raw: unknown, index: number) => {
    const chunk = (raw ?? {}) as Body;
    const stream = chunk.stream;
    if (stream !== "stdout" && stream !== "stderr") {
      throw new BadRequest(`chunks[${index}].stream must be stdout or stderr`);
    }
    if (typeof chunk.content !== "string") {
      throw new BadRequest(`chunks[${index}].content must be a string`);
    }
    return {
      processId: requireString(chunk, "processId"),
      stream: stream as "stdout" | "stderr",
      seq: requireInteger(chunk, "seq"),
      content: chunk.content,
    };
  });
  try {
    return json(200, await ctx.runMutation(internal.logs.append, { chunks }));
  } catch (error) {
    // append refuses oversized batches and chunks; that is the caller's fault, not ours.
    return refuse(400, error instanceof Error ? error.message : String(error));
  }
});
