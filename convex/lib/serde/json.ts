// Streaming, spec-driven JSON deserialization that fails the way serde_json + serde_derive +
// serde_path_to_error fail in 0.0.71: first error in document order wins, data errors (invalid type,
// missing/duplicate field, unknown variant, UUID) versus syntax errors, with the same texts and positions.
// Successful results are plain JSON values: structs become objects in field order (absent Options → null),
// UUIDs come back canonical.

import { SerdeError, oneOf, rustDebugString } from "./errors";
import { Reader } from "./reader";
import { FieldSpec, Spec, expecting } from "./spec";
import { parseUuid } from "../uuid";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const QUOTE = 0x22;

/** Where each `captured` object ended (line, column after its '}'): errors serde raises while building a
 * flattened struct from buffered content carry that position. */
export const capturedEnds = new WeakMap<object, { line: number; column: number }>();

function setKey(target: { [key: string]: Json }, key: string, val: Json): void {
  Object.defineProperty(target, key, { value: val, enumerable: true, writable: true, configurable: true });
}

class Visitor {
  constructor(private readonly r: Reader) {}

  /** peek_invalid_type: consume a scalar to describe it, or point at a '[' / '{'. */
  private invalidType(expected: string): SerdeError {
    const r = this.r;
    const b = r.peek();
    let unexpected: string;
    if (b === 0x6e) {
      r.index += 1;
      r.ident("ull");
      unexpected = "null";
    } else if (b === 0x74 || b === 0x66) {
      r.index += 1;
      r.ident(b === 0x74 ? "rue" : "alse");
      unexpected = `boolean \`${b === 0x74}\``;
    } else if (b === 0x2d) {
      r.index += 1;
      unexpected = r.number(false).unexpected;
    } else if (b !== undefined && b >= 0x30 && b <= 0x39) {
      unexpected = r.number(true).unexpected;
    } else if (b === QUOTE) {
      r.index += 1;
      unexpected = `string ${rustDebugString(r.string())}`;
    } else if (b === OPEN_BRACKET) {
      unexpected = "sequence";
    } else if (b === OPEN_BRACE) {
      unexpected = "map";
    } else {
      return r.errorPeek("ExpectedSomeValue");
    }
    return r.dataError(`invalid type: ${unexpected}, expected ${expected}`);
  }

  /** Reads the next map key (MapAccess::next_key_seed), or null at '}'. */
  private nextKey(first: boolean): string | null {
    const r = this.r;
    let b = r.ws();
    if (b === CLOSE_BRACE) return null;
    if (b === COMMA && !first) {
      r.index += 1;
      b = r.ws();
    } else if (b === undefined) {
      throw r.errorPeek("EofWhileParsingObject");
    } else if (!first) {
      throw r.errorPeek("ExpectedObjectCommaOrEnd");
    }
    if (b === QUOTE) {
      r.index += 1;
      return r.string();
    }
    if (b === CLOSE_BRACE) throw r.errorPeek("TrailingComma");
    if (b === undefined) throw r.errorPeek("EofWhileParsingValue");
    throw r.errorPeek("KeyMustBeAString");
  }

  private colon(): void {
    const r = this.r;
    const b = r.ws();
    if (b === COLON) r.index += 1;
    else if (b === undefined) throw r.errorPeek("EofWhileParsingObject");
    else throw r.errorPeek("ExpectedColon");
  }

  /** end_map after a visitor stopped (successfully or not): only a '}' is consumed. */
  private endMapQuietly(): void {
    if (this.r.ws() === CLOSE_BRACE) this.r.index += 1;
  }

  /** Reads sequence elements (SeqAccess::next_element_seed) until ']' and consumes it (end_seq). */
  private elements(each: (index: number) => void, stopAfter = Infinity): number {
    const r = this.r;
    let count = 0;
    for (;;) {
      let b = r.ws();
      if (b === CLOSE_BRACKET || count >= stopAfter) break;
      if (b === COMMA && count > 0) {
        r.index += 1;
        b = r.ws();
      } else if (b === undefined) {
        throw r.errorPeek("EofWhileParsingList");
      } else if (count > 0) {
        throw r.errorPeek("ExpectedListCommaOrEnd");
      }
      if (b === CLOSE_BRACKET) throw r.errorPeek("TrailingComma");
      if (b === undefined) throw r.errorPeek("EofWhileParsingValue");
      r.path.push({ index: count });
      each(count);
      r.path.pop();
      count += 1;
    }
    const b = r.ws();
    if (b === CLOSE_BRACKET) {
      r.index += 1;
    } else if (b === COMMA) {
      r.index += 1;
      throw r.ws() === CLOSE_BRACKET ? r.errorPeek("TrailingComma") : r.errorPeek("TrailingCharacters");
    } else if (b === undefined) {
      throw r.errorPeek("EofWhileParsingList");
    } else {
      throw r.errorPeek("TrailingCharacters");
    }
    return count;
  }

  /** A JSON array from its `[`, each element read by `read` (schemaless values and typed sequences alike). */
  private array(read: () => Json): Json[] {
    const r = this.r;
    r.enterNested();
    r.index += 1;
    const items: Json[] = [];
    this.elements(() => items.push(read()));
    r.leaveNested();
    return items;
  }

  /** A JSON object from its `{`, each member's value read by `read` with the member's key on the error path. */
  private object(read: () => Json): { [key: string]: Json } {
    const r = this.r;
    r.enterNested();
    r.index += 1;
    const obj: { [key: string]: Json } = {};
    for (let key = this.nextKey(true); key !== null; key = this.nextKey(false)) {
      this.colon();
      r.path.push({ key });
      setKey(obj, key, read());
      r.path.pop();
    }
    r.index += 1;
    r.leaveNested();
    return obj;
  }

  /** Any JSON value (serde_json::Value, and ignored fields). */
  value(): Json {
    const r = this.r;
    const b = r.ws();
    if (b === undefined) throw r.errorPeek("EofWhileParsingValue");
    if (b === 0x6e || b === 0x74 || b === 0x66) {
      r.index += 1;
      r.ident(b === 0x6e ? "ull" : b === 0x74 ? "rue" : "alse");
      return b === 0x6e ? null : b === 0x74;
    }
    if (b === 0x2d) {
      r.index += 1;
      return r.number(false).value;
    }
    if (b >= 0x30 && b <= 0x39) return r.number(true).value;
    if (b === QUOTE) {
      r.index += 1;
      return r.string();
    }
    if (b === OPEN_BRACKET) return this.array(() => this.value());
    if (b === OPEN_BRACE) return this.object(() => this.value());
    throw r.errorPeek("ExpectedSomeValue");
  }

  deserialize(spec: Spec): Json {
    const r = this.r;
    const b = r.ws();
    switch (spec.kind) {
      case "value":
        return this.value();
      case "option":
        if (b === 0x6e) {
          r.index += 1;
          r.ident("ull");
          return null;
        }
        return this.deserialize(spec.inner);
      default:
        break;
    }
    if (b === undefined) throw r.errorPeek("EofWhileParsingValue");
    switch (spec.kind) {
      case "string":
      case "uuid": {
        if (b !== QUOTE) throw this.invalidType(expecting(spec));
        r.index += 1;
        const s = r.string();
        if (spec.kind === "string") return s;
        const parsed = parseUuid(s);
        if (!parsed.ok) throw r.dataError(`UUID parsing failed: ${parsed.error}`);
        return parsed.uuid;
      }
      case "bool":
        if (b === 0x74 || b === 0x66) {
          r.index += 1;
          r.ident(b === 0x74 ? "rue" : "alse");
          return b === 0x74;
        }
        throw this.invalidType("a boolean");
      case "enum":
        return this.unitVariant(spec.variants, b);
      case "struct":
        if (b === OPEN_BRACE) return this.struct(spec.name, spec.fields);
        if (b === OPEN_BRACKET) return this.positionalStruct(spec.name, spec.fields);
        throw this.invalidType(`struct ${spec.name}`);
      case "seq": {
        if (b !== OPEN_BRACKET) throw this.invalidType("a sequence");
        return this.array(() => this.deserialize(spec.inner));
      }
      case "captured": {
        if (b !== OPEN_BRACE) throw this.invalidType(`struct ${spec.name}`);
        const obj = this.value() as { [key: string]: Json };
        capturedEnds.set(obj, r.positionOf(r.index));
        return obj;
      }
      case "map": {
        if (b !== OPEN_BRACE) throw this.invalidType("a map");
        return this.object(() => this.deserialize(spec.value));
      }
    }
  }

  /** serde_json deserialize_enum: a string names the variant; `{"v": null}` is the long form. */
  private unitVariant(variants: readonly string[], b: number): string {
    const r = this.r;
    const check = (name: string): string => {
      if (!variants.includes(name)) throw r.dataError(`unknown variant \`${name}\`, expected ${oneOf(variants)}`);
      return name;
    };
    if (b === QUOTE) {
      r.index += 1;
      return check(r.string());
    }
    if (b !== OPEN_BRACE) throw r.errorPeek("ExpectedSomeValue");
    r.enterNested();
    r.index += 1;
    if (r.ws() !== QUOTE) throw this.invalidType("variant identifier");
    r.index += 1;
    const name = check(r.string());
    this.colon();
    if (r.ws() !== 0x6e) throw this.invalidType("unit variant");
    r.index += 1;
    r.ident("ull");
    if (r.ws() !== CLOSE_BRACE) throw r.errorPeek(r.peek() === undefined ? "EofWhileParsingObject" : "ExpectedSomeValue");
    r.index += 1;
    r.leaveNested();
    return name;
  }

  private struct(name: string, fields: readonly FieldSpec[]): Json {
    const r = this.r;
    r.enterNested();
    r.index += 1;
    const found = new Map<string, Json>();
    try {
      for (let key = this.nextKey(true); key !== null; key = this.nextKey(false)) {
        const field = fields.find((f) => f.name === key || (f.aliases ?? []).includes(key));
        if (field && found.has(field.name)) {
          this.endMapQuietly();
          throw r.dataError(`duplicate field \`${field.name}\``);
        }
        this.colon();
        r.path.push({ key });
        const val = field ? this.deserialize(field.spec) : this.value();
        r.path.pop();
        if (field) found.set(field.name, val);
      }
    } catch (e) {
      if (e instanceof SerdeError) this.endMapQuietly();
      throw e;
    }
    r.index += 1;
    r.leaveNested();
    const out: { [key: string]: Json } = {};
    for (const field of fields) {
      if (found.has(field.name)) setKey(out, field.name, found.get(field.name) as Json);
      else if (field.spec.kind === "option") setKey(out, field.name, null);
      else throw r.dataError(`missing field \`${field.name}\``);
    }
    void name;
    return out;
  }

  /** serde_derive's visit_seq: fields by position, all of them required. */
  private positionalStruct(name: string, fields: readonly FieldSpec[]): Json {
    const r = this.r;
    r.enterNested();
    r.index += 1;
    const values: Json[] = [];
    let failure: SerdeError | null = null;
    try {
      const count = this.elements((i) => values.push(this.deserialize(fields[i].spec)), fields.length);
      if (count < fields.length) {
        const plural = fields.length === 1 ? "element" : "elements";
        failure = r.dataError(`invalid length ${count}, expected struct ${name} with ${fields.length} ${plural}`);
      }
    } finally {
      r.leaveNested();
    }
    if (failure) throw failure;
    const out: { [key: string]: Json } = {};
    fields.forEach((field, i) => setKey(out, field.name, values[i]));
    return out;
  }
}

/** Deserializes a `T` from the bytes; throws SerdeError. `serde_json::from_str` also requires that only
 * whitespace follows (`end: "required"`); axum's `Json<T>` never checks, so trailing bytes are ignored there. */
export function deserializeJson(bytes: Uint8Array, spec: Spec, end: "required" | "ignored" = "required"): Json {
  const reader = new Reader(bytes);
  const result = new Visitor(reader).deserialize(spec);
  if (end === "required" && reader.ws() !== undefined) throw reader.errorPeek("TrailingCharacters");
  return result;
}

/** Any JSON document, with serde_json's syntax errors. */
export function parseJsonValue(bytes: Uint8Array): Json {
  return deserializeJson(bytes, { kind: "value" });
}
