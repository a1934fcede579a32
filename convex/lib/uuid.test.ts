// Expected texts were captured from the real vibe-kanban 0.0.71 binary (GET /api/tasks/<value>).
import { describe, expect, test } from "vitest";
import { newLegacyId, parseUuid } from "./uuid";

const CHAR = "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found";

describe("parseUuid", () => {
  test.each([
    ["0123456789abcdef0123456789abcdef", "01234567-89ab-cdef-0123-456789abcdef"],
    ["0123456789ABCDEF0123456789ABCDEF", "01234567-89ab-cdef-0123-456789abcdef"],
    ["{00000000-0000-4000-8000-000000000000}", "00000000-0000-4000-8000-000000000000"],
    ["urn:uuid:00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000000"],
    ["53664546-B4B5-7AA5-8B2E-881ABE573CE0", "53664546-b4b5-7aa5-8b2e-881abe573ce0"],
  ])("accepts %s", (input, canonical) => {
    expect(parseUuid(input)).toEqual({ ok: true, uuid: canonical });
  });

  test.each([
    ["abc", "invalid length: expected length 32 for simple format, found 3"],
    ["", "invalid length: expected length 32 for simple format, found 0"],
    ["00000000-0000-4000-8000-00000000000", "invalid group length in group 4: expected 12, found 11"],
    ["00000000-0000-4000-8000-0000000000000", "invalid group length in group 4: expected 12, found 13"],
    ["00000000-0000-4000-8000-00000000000g", `${CHAR} \`g\` at 36`],
    ["0000000-00000-4000-8000-000000000000", "invalid group length in group 0: expected 8, found 7"],
    ["00000000-0000-4000-8000", "invalid group count: expected 5, found 4"],
    ["00000000000040008000000000000000000", "invalid length: expected length 32 for simple format, found 35"],
    ["../..", `${CHAR} \`.\` at 1`],
    ["é", `${CHAR} \`é\` at 1`],
    ["00000000-0000-4000-8000_000000000000", `${CHAR} \`_\` at 24`],
    ["00000000-0000-4000-8000-000000000000-1", "invalid group count: expected 5, found 6"],
    ["0123456789abcdef0123456789abcdeg", `${CHAR} \`g\` at 32`],
    ["0123456789abcdef0123456789abcdef0", "invalid length: expected length 32 for simple format, found 33"],
    [" 00000000-0000-4000-8000-000000000000", `${CHAR} \` \` at 1`],
    ["00000000-0000-4000-80000-00000000000", "invalid group length in group 3: expected 4, found 5"],
  ])("rejects %j like the uuid crate", (input, error) => {
    expect(parseUuid(input)).toEqual({ ok: false, error });
  });

  test("newLegacyId mints canonical v4 ids", () => {
    const id = newLegacyId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseUuid(id)).toEqual({ ok: true, uuid: id });
  });
});
