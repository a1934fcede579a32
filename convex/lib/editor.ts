// Which command `POST /api/projects/{id}/open-editor` runs: 0.0.71's EditorConfig (services/config/versions/
// v2.rs), as observed on the binary with recording stand-ins on PATH. The runner appends the repository path
// and starts it (`editor.open`, runner/editor.py).
//
// - Each type has a fixed program: VS_CODE `code`, CURSOR `cursor`, WINDSURF `windsurf`, INTELLI_J `idea`,
//   ZED `zed`, XCODE `xed`.
// - CUSTOM splits `custom_command` on whitespace (Rust's `split_whitespace`: no quoting, `'a b'` is two
//   pieces); `null` falls back to `code`; a command of only whitespace is no command at all (a bare 500).
// - The request's `editor_type` replaces the configured type only when it is one of the seven names exactly
//   (`VS_CODE`, not `vs_code` or `VsCode`); anything else keeps the configured one. `custom_command` always
//   comes from the config.

import { EDITOR_TYPES } from "./validators";

export type EditorType = (typeof EDITOR_TYPES)[number];
export type EditorConfig = { editor_type: EditorType; custom_command: string | null };

const PROGRAMS: Record<Exclude<EditorType, "CUSTOM">, string> = {
  VS_CODE: "code",
  CURSOR: "cursor",
  WINDSURF: "windsurf",
  INTELLI_J: "idea",
  ZED: "zed",
  XCODE: "xed",
};

// Rust's char::is_whitespace (Unicode White_Space). JavaScript's \s differs: it lacks U+0085 and adds U+FEFF.
const RUST_WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** `str::split_whitespace`: the non-empty runs between whitespace. */
export function splitWhitespace(text: string): string[] {
  return text.split(RUST_WHITESPACE).filter((piece) => piece !== "");
}

function isEditorType(name: string): name is EditorType {
  return (EDITOR_TYPES as readonly string[]).includes(name);
}

/** `EditorConfig::with_override`: the request's type when it names one exactly, else the configured one. */
export function withOverride(config: EditorConfig, requested: string | null | undefined): EditorConfig {
  if (requested == null || !isEditorType(requested)) return config;
  return { editor_type: requested, custom_command: config.custom_command };
}

/** `EditorConfig::get_command`: the program and its leading arguments; empty means nothing can run. */
export function editorCommand(config: EditorConfig): string[] {
  if (config.editor_type !== "CUSTOM") return [PROGRAMS[config.editor_type]];
  return config.custom_command === null ? [PROGRAMS.VS_CODE] : splitWhitespace(config.custom_command);
}
