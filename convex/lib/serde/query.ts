// Query strings as axum's `Query<T>` reads them (serde_urlencoded + serde_path_to_error): pairs in order,
// '+' is a space, percent-decoding is lossy UTF-8, unknown keys are ignored, the first failing pair wins,
// then missing fields. Messages are what follows "Failed to deserialize query string: ".

import { parseUuid } from "../uuid";

export type QueryField = { name: string; type: "string" | "uuid" | "bool"; required: boolean };
export type QueryResult = { ok: true; values: Record<string, string | boolean | null> } | { ok: false; message: string };

function decodeComponent(raw: string): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "+") {
      bytes.push(0x20);
    } else if (c === "%" && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...encoder.encode(c));
    }
  }
  return new TextDecoder("utf-8").decode(new Uint8Array(bytes));
}

/** `form_urlencoded::parse`: `a=1&b&&c=` → [["a","1"],["b",""],["c",""]]. */
export function parsePairs(search: string): Array<[string, string]> {
  const query = search.startsWith("?") ? search.slice(1) : search;
  const pairs: Array<[string, string]> = [];
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = eq === -1 ? part : part.slice(0, eq);
    const val = eq === -1 ? "" : part.slice(eq + 1);
    pairs.push([decodeComponent(key), decodeComponent(val)]);
  }
  return pairs;
}

export function deserializeQuery(search: string, fields: readonly QueryField[]): QueryResult {
  const values: Record<string, string | boolean | null> = {};
  const seen = new Set<string>();
  for (const [key, raw] of parsePairs(search)) {
    const field = fields.find((f) => f.name === key);
    if (!field) continue;
    if (seen.has(key)) return { ok: false, message: `duplicate field \`${key}\`` };
    seen.add(key);
    if (field.type === "string") {
      values[key] = raw;
    } else if (field.type === "bool") {
      if (raw !== "true" && raw !== "false") return { ok: false, message: `${key}: provided string was not \`true\` or \`false\`` };
      values[key] = raw === "true";
    } else {
      const parsed = parseUuid(raw);
      if (!parsed.ok) return { ok: false, message: `${key}: UUID parsing failed: ${parsed.error}` };
      values[key] = parsed.uuid;
    }
  }
  for (const field of fields) {
    if (seen.has(field.name)) continue;
    if (field.required) return { ok: false, message: `missing field \`${field.name}\`` };
    values[field.name] = null;
  }
  return { ok: true, values };
}

/** `Query<HashMap<String, String>>`: every pair, the last value of a repeated key wins. */
export function queryMap(search: string): Map<string, string> {
  return new Map(parsePairs(search));
}
