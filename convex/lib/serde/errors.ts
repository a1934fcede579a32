// The error side of serde_json as 0.0.71 shows it: "<msg> at line L column C", classified the way
// `serde_json::Error::classify` does (axum answers 400 for syntax/eof, 422 for data), with the field path
// that `serde_path_to_error` prefixes ("image_ids[0]: ...", "notifications.sound_file: ...").

export type SerdeCategory = "syntax" | "eof" | "data";
export type PathSegment = { key: string } | { index: number };

export class SerdeError extends Error {
  constructor(
    readonly bare: string,
    readonly category: SerdeCategory,
    readonly line: number,
    readonly column: number,
    readonly path: readonly PathSegment[],
  ) {
    super(`${bare} at line ${line} column ${column}`);
  }

  /** serde_json's own Display: what `serde_json::from_str(...)` errors print (no path). */
  get plain(): string {
    return this.message;
  }

  /** serde_path_to_error's Display: the path (if any) then serde_json's Display. */
  get withPath(): string {
    const path = formatPath(this.path);
    return path === "" ? this.message : `${path}: ${this.message}`;
  }
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if ("index" in segment) out += `[${segment.index}]`;
    else out += out === "" ? segment.key : `.${segment.key}`;
  }
  return out;
}

/** serde's `OneOf` Display, used by "unknown variant" errors. */
export function oneOf(names: readonly string[]): string {
  const quoted = names.map((n) => `\`${n}\``);
  if (quoted.length === 1) return quoted[0];
  if (quoted.length === 2) return `${quoted[0]} or ${quoted[1]}`;
  return `one of ${quoted.join(", ")}`;
}

/** Rust's `{:?}` of a &str, as serde prints `Unexpected::Str`. */
export function rustDebugString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\0") out += "\\0";
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}
