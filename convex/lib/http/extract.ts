// axum's extractors as 0.0.71 uses them, with their rejections (shape E, text/plain):
// `Json<T>` (415 without a JSON content type, 400 syntax, 422 data; bytes after the value are ignored, as
// observed on the binary), `Query<T>` (400), `Path<Uuid>` (400).

import { SerdeError } from "../serde/errors";
import { Json, deserializeJson } from "../serde/json";
import { QueryField, deserializeQuery } from "../serde/query";
import { Spec } from "../serde/spec";
import { parseUuid } from "../uuid";
import { textResponse } from "./responses";

export type Extracted<T> = { ok: true; value: T } | { ok: false; response: Response };

/** axum `json_content_type`: `application/json` or any `application/*+json`, parameters allowed. */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const essence = header.split(";")[0].trim().toLowerCase();
  const match = /^([a-z0-9!#$&^_.+-]+)\/([a-z0-9!#$&^_.+-]+)$/.exec(essence);
  if (!match || match[1] !== "application") return false;
  return match[2] === "json" || match[2].endsWith("+json");
}

export async function jsonBody(request: Request, spec: Spec): Promise<Extracted<Json>> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    return { ok: false, response: textResponse(415, "Expected request with `Content-Type: application/json`") };
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  try {
    return { ok: true, value: deserializeJson(bytes, spec, "ignored") };
  } catch (e) {
    if (!(e instanceof SerdeError)) throw e;
    return e.category === "data"
      ? { ok: false, response: textResponse(422, `Failed to deserialize the JSON body into the target type: ${e.withPath}`) }
      : { ok: false, response: textResponse(400, `Failed to parse the request body as JSON: ${e.withPath}`) };
  }
}

export function query<T = Record<string, string | boolean | null>>(url: URL, fields: readonly QueryField[]): Extracted<T> {
  const result = deserializeQuery(url.search, fields);
  return result.ok
    ? { ok: true, value: result.values as T }
    : { ok: false, response: textResponse(400, `Failed to deserialize query string: ${result.message}`) };
}

/** `Path<Uuid>` with the parameter's name as the route declares it. */
export function uuidParam(name: string, raw: string): Extracted<string> {
  const parsed = parseUuid(raw);
  if (parsed.ok) return { ok: true, value: parsed.uuid };
  return {
    ok: false,
    response: textResponse(400, `Invalid URL: Cannot parse \`${name}\` with value \`${raw}\`: UUID parsing failed: ${parsed.error}`),
  };
}
