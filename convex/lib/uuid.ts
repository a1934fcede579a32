// UUIDs as 0.0.71 parses them (Rust `uuid` 1.x `Uuid::parse_str`), with the same error texts, because
// those texts reach the wire inside shape-E messages ("Invalid URL: Cannot parse `id` with value ...").
// Accepted forms: simple (32 hex), hyphenated (36), braced `{...}` (38) and `urn:uuid:...` (45); any case.
// Ids are stored and compared in canonical form (lowercase, hyphenated).

export type UuidParse = { ok: true; uuid: string } | { ok: false; error: string };

const HEX = /^[0-9a-fA-F]$/;
const GROUP_STARTS = [0, 9, 14, 19, 24];
const GROUP_LENGTHS = [8, 4, 4, 4, 12];
const URN_PREFIX = "urn:uuid:";

function isHex(c: string): boolean {
  return HEX.test(c);
}

function canonical(hex32: string): string {
  const h = hex32.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function parseSimple(s: string): string | null {
  return s.length === 32 && [...s].every(isHex) ? canonical(s) : null;
}

function parseHyphenated(s: string): string | null {
  if (s.length !== 36) return null;
  for (let i = 0; i < 36; i++) {
    const c = s[i];
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== "-") return null;
    } else if (!isHex(c)) {
      return null;
    }
  }
  return canonical(s.replaceAll("-", ""));
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** The detailed error, computed the way `uuid`'s `InvalidUuid::into_err` re-scans the input. */
function describeFailure(input: string): string {
  let inner = input;
  let offset = 0;
  let simple = true;
  if (input.length >= 2 && input.startsWith("{") && input.endsWith("}")) {
    inner = input.slice(1, -1);
    offset = 1;
    simple = false;
  } else if (input.startsWith(URN_PREFIX)) {
    inner = input.slice(URN_PREFIX.length);
    offset = URN_PREFIX.length;
    simple = false;
  }
  let hyphens = 0;
  const bounds: number[] = [];
  let byteIndex = 0;
  for (const ch of inner) {
    if (ch === "-") {
      if (hyphens < 4) bounds.push(byteIndex);
      hyphens += 1;
    } else if (!isHex(ch)) {
      return (
        "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], " +
        `found \`${ch}\` at ${byteIndex + offset + 1}`
      );
    }
    byteIndex += utf8Length(ch);
  }
  if (hyphens === 0 && simple) {
    return `invalid length: expected length 32 for simple format, found ${utf8Length(input)}`;
  }
  if (hyphens !== 4) {
    return `invalid group count: expected 5, found ${hyphens + 1}`;
  }
  for (let group = 0; group < 4; group++) {
    if (bounds[group] !== GROUP_STARTS[group + 1] - 1) {
      return `invalid group length in group ${group}: expected ${GROUP_LENGTHS[group]}, found ${bounds[group] - GROUP_STARTS[group]}`;
    }
  }
  return `invalid group length in group 4: expected 12, found ${utf8Length(input) - GROUP_STARTS[4]}`;
}

/** Parses like `Uuid::parse_str`; the error text is `uuid`'s Display of the failure. */
export function parseUuid(input: string): UuidParse {
  let parsed: string | null = null;
  const len = utf8Length(input);
  if (len === 32) parsed = parseSimple(input);
  else if (len === 36) parsed = parseHyphenated(input);
  else if (len === 38 && input.startsWith("{") && input.endsWith("}")) parsed = parseHyphenated(input.slice(1, -1));
  else if (len === 45 && input.startsWith(URN_PREFIX)) parsed = parseHyphenated(input.slice(URN_PREFIX.length));
  return parsed === null ? { ok: false, error: describeFailure(input) } : { ok: true, uuid: parsed };
}

/** A fresh legacy id: UUID v4, as 0.0.71 mints them (`Uuid::new_v4`). Convex seeds the RNG per function run. */
export function newLegacyId(): string {
  return crypto.randomUUID();
}
