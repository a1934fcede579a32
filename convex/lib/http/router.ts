// The compatibility router: Convex's httpRouter has no path templates, so http.ts sends every /api request
// here and this matches it the way 0.0.71's axum router does (matchit: static segments beat parameters,
// parameters match one non-empty segment, values percent-decoded):
// - no route: GET (and HEAD) → the SPA index (200 text/html), any other method → 405 `allow: GET,HEAD`;
// - routes under a model loader (`/projects/{id}/…`, `/tasks/{task_id}`, `/templates/{template_id}`,
//   `/task-attempts/{id}/…`, `/execution-processes/{id}/…`) parse the id (400 text) and load the row (404
//   empty) before the method is even looked at, as the loader middleware wraps the whole nested router;
// - a known path with another method → 405 with the route's `allow` list;
// - other UUID path parameters are parsed by the handler's `Path<Uuid>` (400 text).

import { ActionCtx } from "../../_generated/server";
import { authorizeCompatRequest } from "../access";
import { parseUuid } from "../uuid";
import { apiErrorJson, emptyResponse } from "./responses";
import { uuidParam } from "./extract";
import { spaResponse } from "./spa";

export type Method = "GET" | "POST" | "PUT" | "DELETE";
export type LoaderKind = "project" | "task" | "template" | "attempt" | "process";

/** Opt-in request headers of the shadow tee: a retry-safe key for writes, and the primary's id to reuse. */
export const IDEMPOTENCY_HEADER = "idempotency-key";
export const ID_HINT_HEADER = "x-parity-id-hint";

export type RouteContext = {
  request: Request;
  url: URL;
  params: Record<string, string>;
  loaded: unknown;
  idempotencyKey?: string;
  legacyIdHint?: string;
};
export type Handler = (ctx: ActionCtx, rc: RouteContext) => Promise<Response>;
export type Loader = (ctx: ActionCtx, id: string) => Promise<unknown>;

export type Route = {
  segments: string[];
  methods: Partial<Record<Method, Handler>>;
  loader?: LoaderKind;
  /** Parameters that are not UUIDs (parsed by the handler itself). */
  textParams: string[];
};

export function route(
  path: string,
  methods: Partial<Record<Method, Handler>>,
  options: { loader?: LoaderKind; textParams?: string[] } = {},
): Route {
  return { segments: path.split("/").slice(1), methods, loader: options.loader, textParams: options.textParams ?? [] };
}

function paramName(segment: string): string | null {
  return segment.startsWith("{") && segment.endsWith("}") ? segment.slice(1, -1) : null;
}

/** Lenient percent-decoding (malformed escapes stay as they are), lossy UTF-8, like axum's. */
export function percentDecode(raw: string): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === "%" && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...encoder.encode(raw[i]));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

export function matchRoute(routes: Route[], pathname: string): { route: Route; raw: Record<string, string> } | null {
  const segments = pathname.split("/").slice(1);
  let best: { route: Route; raw: Record<string, string>; rank: string } | null = null;
  for (const candidate of routes) {
    if (candidate.segments.length !== segments.length) continue;
    const raw: Record<string, string> = {};
    let rank = "";
    let matches = true;
    candidate.segments.forEach((segment, i) => {
      const name = paramName(segment);
      if (name === null) {
        if (segment !== segments[i]) matches = false;
        rank += "0";
      } else {
        if (segments[i] === "") matches = false;
        raw[name] = segments[i];
        rank += "1";
      }
    });
    if (matches && (best === null || rank < best.rank)) best = { route: candidate, raw, rank };
  }
  return best && { route: best.route, raw: best.raw };
}

export function allowHeader(r: Route): string {
  return Object.keys(r.methods)
    .flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m]))
    .join(",");
}

export function dispatcher(routes: Route[], loaders: Record<LoaderKind, Loader>) {
  return async (ctx: ActionCtx, request: Request): Promise<Response> => {
    await authorizeCompatRequest(ctx, request);
    const url = new URL(request.url);
    const method = request.method === "HEAD" ? "GET" : request.method;
    const match = matchRoute(routes, url.pathname);
    if (!match) return method === "GET" ? spaResponse() : emptyResponse(405, { allow: "GET,HEAD" });
    const { route: r, raw } = match;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) params[name] = percentDecode(value);
    let loaded: unknown = undefined;
    if (r.loader) {
      const name = Object.keys(params)[0];
      const id = uuidParam(name, params[name]);
      if (!id.ok) return id.response;
      params[name] = id.value;
      loaded = await loaders[r.loader](ctx, id.value);
      if (loaded === null) return emptyResponse(404);
    }
    const handler = r.methods[method as Method];
    if (!handler) return emptyResponse(405, { allow: allowHeader(r) });
    if (!r.loader) {
      for (const name of Object.keys(params)) {
        if (r.textParams.includes(name)) continue;
        const id = uuidParam(name, params[name]);
        if (!id.ok) return id.response;
        params[name] = id.value;
      }
    }
    const hint = request.headers.get(ID_HINT_HEADER);
    const parsedHint = hint === null ? null : parseUuid(hint);
    try {
      return await handler(ctx, {
        request,
        url,
        params,
        loaded,
        idempotencyKey: request.headers.get(IDEMPOTENCY_HEADER) ?? undefined,
        legacyIdHint: parsedHint?.ok ? parsedHint.uuid : undefined,
      });
    } catch (e) {
      // A bug or a platform failure in the candidate: say so instead of an opaque platform 500.
      return apiErrorJson(500, `CandidateError: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}

/** Known 0.0.71 routes the candidate does not serve yet (they need later runner work). */
export function notImplemented(what: string): Handler {
  return async () => new Response(`Not implemented by the candidate yet: ${what}`, { status: 501, headers: { "content-type": "text/plain; charset=utf-8" } });
}
