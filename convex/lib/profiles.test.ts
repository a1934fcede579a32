// Profile validation against texts the real 0.0.71 binary answered for the same bytes (testdata/), and
// variant-key canonicalisation as observed on it (convert_case 0.6 rules).
import { describe, expect, test } from "vitest";
import { DEFAULT_PROFILES, canonicalVariantKey, parseProfiles } from "./profiles";
import cases from "./testdata/profileErrors.json";

describe("parseProfiles", () => {
  test.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => {
    const parsed = parseProfiles(new TextEncoder().encode(c.body));
    if (c.success) expect(parsed.ok).toBe(true);
    else expect(parsed).toEqual({ ok: false, message: c.message });
  });

  test("the default document round-trips unchanged", () => {
    expect(parseProfiles(new TextEncoder().encode(JSON.stringify(DEFAULT_PROFILES)))).toEqual({ ok: true, document: DEFAULT_PROFILES });
  });

  test("when two agents are given, the first one in the object wins and the rest is dropped", () => {
    const doc = structuredClone(DEFAULT_PROFILES) as any;
    doc.executors.AMP.X = { AMP: {}, CURSOR: {} };
    const parsed = parseProfiles(new TextEncoder().encode(JSON.stringify(doc)));
    expect(parsed.ok && parsed.document.executors.AMP.X).toEqual({ AMP: {} });
  });
});

test.each([
  ["__x", "X"],
  ["fake2", "FAKE_2"],
  ["myVar", "MY_VAR"],
  ["My Var", "MY_VAR"],
  ["XMLHttp", "XML_HTTP"],
  ["a-b c_d", "A_B_C_D"],
  ["v2x", "V_2_X"],
  ["ABc", "A_BC"],
  ["Default", "DEFAULT"],
  ["__", ""],
  ["FAKE", "FAKE"],
])("canonicalVariantKey(%j) = %j (observed on the binary)", (raw, canonical) => {
  expect(canonicalVariantKey(raw)).toBe(canonical);
});
