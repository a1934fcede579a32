// 0.0.71's answers on the wire (CONTRACT.md §1): the `ApiResponse` envelope with its four keys always
// present, and the six failure shapes. Headers as the primary sends them (no charset on JSON and HTML;
// `text/plain; charset=utf-8` on axum's rejections; nothing on empty 404/405/500).

import { CommandError } from "../runCommand";
import { Failure } from "../outcome";
import { Shape, orderKeys } from "../wire/shapes";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function envelope(success: boolean, data: unknown, errorData: unknown, message: string | null) {
  return { success, data, error_data: errorData, message };
}

/** 200 `success:true`; `shape` restores serde's key order (see lib/wire/shapes.ts). */
export function okJson(data: unknown, shape?: Shape): Response {
  return json(200, envelope(true, shape ? orderKeys(data, shape) : data, null, null));
}

/** Shape A: 200, `success:false`, a message. */
export function softError(message: string): Response {
  return json(200, envelope(false, null, null, message));
}

/** Shape C: the envelope with "<Kind>Error: ..." at a status (500 unless an image error says otherwise). */
export function apiErrorJson(status: number, message: string): Response {
  return json(status, envelope(false, null, null, message));
}

/** Shapes D and F, and 405s: a status with an empty body. */
export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

/** Shape E: axum's extractor rejections. */
export function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

export function failureResponse(failure: Failure): Response {
  switch (failure.shape) {
    case "soft":
      return softError(failure.message);
    case "api":
      return apiErrorJson(failure.status, failure.message);
    case "notFound":
      return emptyResponse(404);
    case "bare":
      return emptyResponse(failure.status);
  }
}

/** A runner command that failed: its soft errors are shape A, its API errors shape C with the runner's
 * text; protocol failures (no runner, timeout, bad payload) are 500s that say so. */
export function commandFailure(error: CommandError): Response {
  if (error.kind === "soft") return softError(error.message);
  if (error.kind === "api") return apiErrorJson(500, error.message);
  return apiErrorJson(500, `RunnerError: ${error.message}`);
}
