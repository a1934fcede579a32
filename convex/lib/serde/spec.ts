// Rust request types of 0.0.71, described as data so one deserializer can answer like serde would.
// Each spec mirrors a `#[derive(Deserialize)]` type: field order matters (serde reports the first missing
// field in declaration order, and positional `[...]` input follows it).

export type Spec =
  | { kind: "string" }
  | { kind: "bool" }
  | { kind: "uuid" }
  | { kind: "value" } // serde_json::Value: anything
  | { kind: "option"; inner: Spec }
  | { kind: "enum"; variants: readonly string[] } // unit variants only
  | { kind: "struct"; name: string; fields: readonly FieldSpec[] }
  | { kind: "seq"; inner: Spec }
  | { kind: "map"; value: Spec } // HashMap<String, V>
  | { kind: "captured"; name: string }; // a struct serde buffers (#[serde(flatten)]): any object, end recorded

export type FieldSpec = { name: string; spec: Spec; aliases?: readonly string[] };

export const str: Spec = { kind: "string" };
export const bool: Spec = { kind: "bool" };
export const uuid: Spec = { kind: "uuid" };
export const value: Spec = { kind: "value" };
export const option = (inner: Spec): Spec => ({ kind: "option", inner });
export const seq = (inner: Spec): Spec => ({ kind: "seq", inner });
export const map = (v: Spec): Spec => ({ kind: "map", value: v });
export const captured = (name: string): Spec => ({ kind: "captured", name });
export const unitEnum = (variants: readonly string[]): Spec => ({ kind: "enum", variants });
export const struct = (name: string, fields: Record<string, Spec>, aliases: Record<string, string[]> = {}): Spec => ({
  kind: "struct",
  name,
  fields: Object.entries(fields).map(([fieldName, spec]) => ({ name: fieldName, spec, aliases: aliases[fieldName] })),
});

/** What serde's visitor says it expected, used in "invalid type: ..., expected X". */
export function expecting(spec: Spec): string {
  switch (spec.kind) {
    case "string":
      return "a string";
    case "bool":
      return "a boolean";
    case "uuid":
      return "a UUID string";
    case "value":
      return "any valid JSON value";
    case "option":
      return expecting(spec.inner);
    case "enum":
      return "variant identifier";
    case "struct":
      return `struct ${spec.name}`;
    case "seq":
      return "a sequence";
    case "map":
      return "a map";
    case "captured":
      return `struct ${spec.name}`;
  }
}
