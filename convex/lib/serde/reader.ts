// A byte reader with serde_json's token rules and error positions (serde_json `de.rs`, `read.rs`):
// `errorHere` is `Deserializer::error` (position after what was consumed), `errorPeek` is `peek_error`
// (one past the current byte). Columns count bytes, like serde_json.

import { PathSegment, SerdeCategory, SerdeError } from "./errors";

export type JsonNumber = { unexpected: string; value: number };

const CODES = {
  EofWhileParsingList: ["EOF while parsing a list", "eof"],
  EofWhileParsingObject: ["EOF while parsing an object", "eof"],
  EofWhileParsingString: ["EOF while parsing a string", "eof"],
  EofWhileParsingValue: ["EOF while parsing a value", "eof"],
  ExpectedColon: ["expected `:`", "syntax"],
  ExpectedListCommaOrEnd: ["expected `,` or `]`", "syntax"],
  ExpectedObjectCommaOrEnd: ["expected `,` or `}`", "syntax"],
  ExpectedSomeIdent: ["expected ident", "syntax"],
  ExpectedSomeValue: ["expected value", "syntax"],
  InvalidEscape: ["invalid escape", "syntax"],
  InvalidNumber: ["invalid number", "syntax"],
  InvalidUnicodeCodePoint: ["invalid unicode code point", "syntax"],
  ControlCharacterWhileParsingString: ["control character (\\u0000-\\u001F) found while parsing a string", "syntax"],
  KeyMustBeAString: ["key must be a string", "syntax"],
  LoneLeadingSurrogateInHexEscape: ["lone leading surrogate in hex escape", "syntax"],
  TrailingComma: ["trailing comma", "syntax"],
  TrailingCharacters: ["trailing characters", "syntax"],
  UnexpectedEndOfHexEscape: ["unexpected end of hex escape", "syntax"],
  RecursionLimitExceeded: ["recursion limit exceeded", "syntax"],
} as const satisfies Record<string, readonly [string, SerdeCategory]>;

export type ErrorCode = keyof typeof CODES;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isDigit(b: number | undefined): b is number {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/** Rust's Display of an f64 as serde prints `Unexpected::Float` (whole numbers get ".0"). */
function floatDisplay(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return `${BigInt(n).toString()}.0`;
  return String(n);
}

export class Reader {
  index = 0;
  path: PathSegment[] = [];
  remainingDepth = 128;

  constructor(readonly bytes: Uint8Array) {}

  peek(): number | undefined {
    return this.bytes[this.index];
  }

  /** parse_whitespace: skips blanks and peeks. */
  ws(): number | undefined {
    for (;;) {
      const b = this.bytes[this.index];
      if (b === SPACE || b === 0x0a || b === 0x09 || b === 0x0d) this.index += 1;
      else return b;
    }
  }

  /** serde_json's position_of_index: 1-based line, column = bytes since the last newline. */
  positionOf(index: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < index; i++) {
      if (this.bytes[i] === 0x0a) {
        line += 1;
        lineStart = i + 1;
      }
    }
    return { line, column: index - lineStart };
  }

  private errorAt(index: number, bare: string, category: SerdeCategory): SerdeError {
    const { line, column } = this.positionOf(index);
    return new SerdeError(bare, category, line, column, [...this.path]);
  }

  errorHere(code: ErrorCode): SerdeError {
    const [bare, category] = CODES[code];
    return this.errorAt(this.index, bare, category);
  }

  errorPeek(code: ErrorCode): SerdeError {
    const [bare, category] = CODES[code];
    return this.errorAt(Math.min(this.bytes.length, this.index + 1), bare, category);
  }

  /** A data error (invalid type, missing field, custom) positioned after what was consumed. */
  dataError(bare: string): SerdeError {
    return this.errorAt(this.index, bare, "data");
  }

  enterNested(): void {
    this.remainingDepth -= 1;
    if (this.remainingDepth === 0) throw this.errorPeek("RecursionLimitExceeded");
  }

  leaveNested(): void {
    this.remainingDepth += 1;
  }

  /** parse_ident: the first byte was eaten by the caller. */
  ident(rest: string): void {
    for (let k = 0; k < rest.length; k++) {
      const b = this.bytes[this.index];
      if (b === undefined) throw this.errorHere("EofWhileParsingValue");
      this.index += 1;
      if (b !== rest.charCodeAt(k)) throw this.errorHere("ExpectedSomeIdent");
    }
  }

  /** parse_any_number after an optional '-' was eaten. */
  number(positive: boolean): JsonNumber {
    const start = positive ? this.index : this.index - 1;
    const first = this.bytes[this.index];
    if (first === undefined) throw this.errorHere("EofWhileParsingValue");
    this.index += 1;
    if (first === 0x30) {
      if (isDigit(this.peek())) throw this.errorPeek("InvalidNumber");
    } else if (first >= 0x31 && first <= 0x39) {
      while (isDigit(this.peek())) this.index += 1;
    } else {
      throw this.errorHere("InvalidNumber");
    }
    let isFloat = false;
    if (this.peek() === 0x2e) {
      isFloat = true;
      this.index += 1;
      if (!isDigit(this.peek())) {
        throw this.errorPeek(this.peek() === undefined ? "EofWhileParsingValue" : "InvalidNumber");
      }
      while (isDigit(this.peek())) this.index += 1;
    }
    const e = this.peek();
    if (e === 0x65 || e === 0x45) {
      isFloat = true;
      this.index += 1;
      const sign = this.peek();
      if (sign === 0x2b || sign === 0x2d) this.index += 1;
      const d = this.bytes[this.index];
      if (d === undefined) throw this.errorHere("EofWhileParsingValue");
      this.index += 1;
      if (!isDigit(d)) throw this.errorHere("InvalidNumber");
      while (isDigit(this.peek())) this.index += 1;
    }
    const text = new TextDecoder().decode(this.bytes.subarray(start, this.index));
    const value = Number(text);
    const integral = !isFloat && (positive ? BigInt(text) <= 18446744073709551615n : BigInt(text) >= -9223372036854775808n);
    return { value, unexpected: integral ? `integer \`${text}\`` : `floating point \`${floatDisplay(value)}\`` };
  }

  /** parse_str after the opening quote was eaten. */
  string(): string {
    const out: number[] = [];
    for (;;) {
      const b = this.bytes[this.index];
      if (b === undefined) throw this.errorHere("EofWhileParsingString");
      if (b === QUOTE) {
        this.index += 1;
        try {
          return utf8.decode(new Uint8Array(out));
        } catch {
          throw this.errorHere("InvalidUnicodeCodePoint");
        }
      }
      if (b === BACKSLASH) {
        this.index += 1;
        this.escape(out);
      } else if (b < SPACE) {
        throw this.errorHere("ControlCharacterWhileParsingString");
      } else {
        out.push(b);
        this.index += 1;
      }
    }
  }

  private escape(out: number[]): void {
    const c = this.bytes[this.index];
    if (c === undefined) throw this.errorHere("EofWhileParsingString");
    this.index += 1;
    const simple: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };
    if (c in simple) {
      out.push(simple[c]);
      return;
    }
    if (c !== 0x75) throw this.errorHere("InvalidEscape");
    let n = this.hex4();
    if (n >= 0xdc00 && n <= 0xdfff) throw this.errorHere("LoneLeadingSurrogateInHexEscape");
    if (n >= 0xd800 && n <= 0xdbff) {
      for (const expected of [BACKSLASH, 0x75]) {
        const next = this.bytes[this.index];
        if (next === undefined) throw this.errorHere("EofWhileParsingString");
        this.index += 1;
        if (next !== expected) throw this.errorHere("UnexpectedEndOfHexEscape");
      }
      const low = this.hex4();
      if (low < 0xdc00 || low > 0xdfff) throw this.errorHere("LoneLeadingSurrogateInHexEscape");
      n = ((n - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
    }
    out.push(...new TextEncoder().encode(String.fromCodePoint(n)));
  }

  private hex4(): number {
    if (this.index + 4 > this.bytes.length) {
      this.index = this.bytes.length;
      throw this.errorHere("EofWhileParsingString");
    }
    let n = 0;
    for (let k = 0; k < 4; k++) n = n * 16 + hexValue(this.bytes[this.index + k]);
    const valid = [0, 1, 2, 3].every((k) => hexValue(this.bytes[this.index + k]) >= 0);
    this.index += 4;
    if (!valid) throw this.errorHere("InvalidEscape");
    return n;
  }
}
