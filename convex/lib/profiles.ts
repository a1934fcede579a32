// Executor profiles as 0.0.71 validates and stores them (executors/src/profile.rs): `PUT /api/profiles` takes
// the complete document, canonicalises variant keys (SCREAMING_SNAKE_CASE, convert_case 0.6), refuses to
// drop built-in executors or variants, validates executor keys / DEFAULT agents / reserved names, and keeps
// each agent's known fields only (serde drops unknown fields and None values on the way back out).
// 0.0.71 also refuses variant names starting with "__", but canonicalisation has already turned them into
// plain names by then ("__x" → "X", observed), so that check can never fire and is not reproduced.

import { capturedEnds, deserializeJson, Json } from "./serde/json";
import { SerdeError, oneOf, rustDebugString } from "./serde/errors";
import { captured, map, struct } from "./serde/spec";

export const AGENTS = ["CLAUDE_CODE", "AMP", "GEMINI", "CODEX", "OPENCODE", "CURSOR", "QWEN_CODE"] as const;
type Agent = (typeof AGENTS)[number];
type FieldType = "bool" | "string" | "strings" | "geminiModel";
type AgentField = { name: string; type: FieldType; required?: boolean };

const PROMPT: AgentField = { name: "append_prompt", type: "string" };
const CMD: AgentField[] = [
  { name: "base_command_override", type: "string" },
  { name: "additional_params", type: "strings" },
];

/** Each agent's struct: name (for serde's "expected struct X") and fields in declaration order. */
const AGENT_STRUCTS: Record<Agent, { struct: string; fields: AgentField[] }> = {
  CLAUDE_CODE: {
    struct: "ClaudeCode",
    fields: [
      { name: "claude_code_router", type: "bool" },
      PROMPT,
      { name: "plan", type: "bool" },
      { name: "dangerously_skip_permissions", type: "bool" },
      ...CMD,
    ],
  },
  AMP: { struct: "Amp", fields: [PROMPT, { name: "dangerously_allow_all", type: "bool" }, ...CMD] },
  GEMINI: {
    struct: "Gemini",
    fields: [{ name: "model", type: "geminiModel", required: true }, PROMPT, { name: "yolo", type: "bool" }, ...CMD],
  },
  CODEX: { struct: "Codex", fields: [PROMPT, { name: "dangerously_bypass_approvals_and_sandbox", type: "bool" }] },
  OPENCODE: { struct: "Opencode", fields: [PROMPT] },
  CURSOR: { struct: "Cursor", fields: [PROMPT, { name: "force", type: "bool" }] },
  QWEN_CODE: { struct: "QwenCode", fields: [PROMPT, { name: "yolo", type: "bool" }] },
};

export type AgentConfig = { [key: string]: Json };
export type ProfilesDocument = { executors: { [executor: string]: { [variant: string]: { [agent: string]: AgentConfig } } } };

/** `default_profiles.json` of 0.0.71. */
export const DEFAULT_PROFILES: ProfilesDocument = {
  executors: {
    CLAUDE_CODE: {
      DEFAULT: { CLAUDE_CODE: { dangerously_skip_permissions: true } },
      PLAN: { CLAUDE_CODE: { plan: true } },
      ROUTER: { CLAUDE_CODE: { claude_code_router: true, dangerously_skip_permissions: true } },
    },
    AMP: { DEFAULT: { AMP: { dangerously_allow_all: true } } },
    GEMINI: {
      DEFAULT: { GEMINI: { model: "default", yolo: true } },
      FLASH: { GEMINI: { model: "flash", yolo: true } },
    },
    CODEX: { DEFAULT: { CODEX: { dangerously_bypass_approvals_and_sandbox: true } } },
    OPENCODE: { DEFAULT: { OPENCODE: {} } },
    QWEN_CODE: { DEFAULT: { QWEN_CODE: { yolo: true } } },
    CURSOR: { DEFAULT: { CURSOR: { force: true } } },
  },
};

/** convert_case 0.6 word boundaries (defaults): separators, lower→Upper, letter↔digit, acronyms. */
function words(s: string): string[] {
  const out: string[] = [];
  let word = "";
  const chars = [...s];
  const kind = (c: string | undefined) =>
    c === undefined ? "" : /[0-9]/.test(c) ? "d" : c !== c.toLowerCase() ? "u" : c !== c.toUpperCase() ? "l" : "o";
  chars.forEach((c, i) => {
    if (c === "_" || c === "-" || c === " ") {
      if (word) out.push(word);
      word = "";
      return;
    }
    const prev = kind(chars[i - 1]);
    const cur = kind(c);
    const next = kind(chars[i + 1]);
    const split =
      word !== "" &&
      ((prev === "l" && cur === "u") ||
        (prev === "u" && cur === "d") ||
        (prev === "d" && cur === "u") ||
        (prev === "d" && cur === "l") ||
        (prev === "l" && cur === "d") ||
        (prev === "u" && cur === "u" && next === "l"));
    if (split) {
      out.push(word);
      word = "";
    }
    word += c;
  });
  if (word) out.push(word);
  return out;
}

/** `canonical_variant_key`: "DEFAULT" in any case stays "DEFAULT", the rest goes snake then SCREAMING_SNAKE. */
export function canonicalVariantKey(key: string): string {
  if (key.toUpperCase() === "DEFAULT" && key.length === 7) return "DEFAULT";
  const snake = words(key).map((w) => w.toLowerCase()).join("_");
  return words(snake).map((w) => w.toUpperCase()).join("_");
}

function unexpected(value: Json): string {
  if (value === null) return "unit value";
  if (typeof value === "boolean") return `boolean \`${value}\``;
  if (typeof value === "number") return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  if (typeof value === "string") return `string ${rustDebugString(value)}`;
  return Array.isArray(value) ? "sequence" : "map";
}

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** An agent config as serde would read and re-serialize it: known fields in order, None dropped. */
function readAgent(agent: Agent, value: Json): AgentConfig | string {
  const { struct: name, fields } = AGENT_STRUCTS[agent];
  if (!isObject(value)) return `invalid type: ${unexpected(value)}, expected struct ${name}`;
  const out: AgentConfig = {};
  for (const field of fields) {
    const v = value[field.name];
    if (v === undefined || (v === null && !field.required)) {
      if (field.required) return `missing field \`${field.name}\``;
      continue;
    }
    if (field.type === "bool" && typeof v !== "boolean") return `invalid type: ${unexpected(v)}, expected a boolean`;
    if (field.type === "string" && typeof v !== "string") return `invalid type: ${unexpected(v)}, expected a string`;
    if (field.type === "geminiModel") {
      if (typeof v !== "string") return `invalid type: ${unexpected(v)}, expected variant identifier`;
      if (v !== "default" && v !== "flash") return `unknown variant \`${v}\`, expected ${oneOf(["default", "flash"])}`;
    }
    if (field.type === "strings") {
      if (!Array.isArray(v)) return `invalid type: ${unexpected(v)}, expected a sequence`;
      const bad = v.find((item) => typeof item !== "string");
      if (bad !== undefined) return `invalid type: ${unexpected(bad)}, expected a string`;
    }
    out[field.name] = v;
  }
  return out;
}

export type ProfilesParse = { ok: true; document: ProfilesDocument } | { ok: false; message: string };

const FORMAT = "Invalid executor profiles format: ";
const SAVE = "Failed to save executor profiles: ";

/** `PUT /api/profiles`: parse, canonicalise, check against the defaults, validate. */
export function parseProfiles(body: Uint8Array): ProfilesParse {
  let raw: Json;
  try {
    raw = deserializeJson(body, struct("ExecutorConfigs", { executors: map(captured("ExecutorProfile")) }));
  } catch (e) {
    if (e instanceof SerdeError) return { ok: false, message: FORMAT + e.plain };
    throw e;
  }
  const executors = (raw as { executors: { [key: string]: { [key: string]: Json } } }).executors;
  const document: ProfilesDocument = { executors: {} };
  for (const [executor, variants] of Object.entries(executors)) {
    const end = capturedEnds.get(variants) ?? { line: 1, column: 0 };
    const at = ` at line ${end.line} column ${end.column}`;
    const canonical: { [variant: string]: { [agent: string]: AgentConfig } } = {};
    for (const [variant, config] of Object.entries(variants)) {
      if (!isObject(config)) return { ok: false, message: `${FORMAT}invalid type: ${unexpected(config)}, expected struct VariantAgentConfig${at}` };
      const agent = Object.keys(config).find((k): k is Agent => (AGENTS as readonly string[]).includes(k));
      if (!agent) return { ok: false, message: `${FORMAT}no variant of enum CodingAgent found in flattened data${at}` };
      const read = readAgent(agent, config[agent]);
      if (typeof read === "string") return { ok: false, message: FORMAT + read + at };
      const key = canonicalVariantKey(variant);
      if (!(key in canonical) || key === variant) canonical[key] = { [agent]: read };
    }
    document.executors[executor] = canonical;
  }
  for (const [executor, variants] of Object.entries(DEFAULT_PROFILES.executors)) {
    const current = document.executors[executor];
    if (!current) return { ok: false, message: `${SAVE}Built-in executor '${executor}' cannot be deleted` };
    for (const variant of Object.keys(variants)) {
      if (!current[variant]) return { ok: false, message: `${SAVE}Built-in configuration '${executor}:${variant}' cannot be deleted` };
    }
  }
  for (const [executor, variants] of Object.entries(document.executors)) {
    if (!(AGENTS as readonly string[]).includes(executor)) {
      const valid = `[${AGENTS.map((a) => `"${a}"`).join(", ")}]`;
      return { ok: false, message: `${SAVE}Validation error: Unknown executor key '${executor}'. Valid keys: ${valid}` };
    }
    const fallback = variants.DEFAULT;
    if (!fallback) {
      return { ok: false, message: `${SAVE}Validation error: Executor '${executor}' is missing required 'default' configuration` };
    }
    const agent = Object.keys(fallback)[0];
    if (agent !== executor) {
      return { ok: false, message: `${SAVE}Validation error: Executor key '${executor}' does not match the agent variant '${agent}'` };
    }
  }
  return { ok: true, document: ordered(document) };
}

/** Built-in executors and variants first in the defaults' order, then additions in the order given. */
function ordered(document: ProfilesDocument): ProfilesDocument {
  const out: ProfilesDocument = { executors: {} };
  const executorNames = [...Object.keys(DEFAULT_PROFILES.executors), ...Object.keys(document.executors)];
  for (const executor of executorNames) {
    const variants = document.executors[executor];
    if (!variants || out.executors[executor]) continue;
    const variantNames = [...Object.keys(DEFAULT_PROFILES.executors[executor] ?? {}), ...Object.keys(variants)];
    out.executors[executor] = {};
    for (const variant of variantNames) if (variants[variant]) out.executors[executor][variant] = variants[variant];
  }
  return out;
}

/** `serde_json::to_string_pretty` (two-space indent; `{}` for empty objects). */
export function renderProfiles(document: ProfilesDocument): string {
  return JSON.stringify(document, null, 2);
}

/** Whether `executor` names a profile (`get_executor_profile`, exact key). */
export function hasExecutor(document: ProfilesDocument, executor: string): boolean {
  return Object.prototype.hasOwnProperty.call(document.executors, executor);
}

/** The agent of an executor's DEFAULT variant (None if the executor is unknown). */
export function defaultAgent(document: ProfilesDocument, executor: string): Agent | null {
  const fallback = hasExecutor(document, executor) ? document.executors[executor].DEFAULT : undefined;
  const agent = fallback ? Object.keys(fallback)[0] : undefined;
  return agent && (AGENTS as readonly string[]).includes(agent) ? (agent as Agent) : null;
}
