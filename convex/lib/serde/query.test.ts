// Expected messages were captured from the real vibe-kanban 0.0.71 binary (GET /api/tasks?..., /api/templates?...).
import { describe, expect, test } from "vitest";
import { deserializeQuery, queryMap } from "./query";

const tasksQuery = [{ name: "project_id", type: "uuid", required: true }] as const;
const templatesQuery = [
  { name: "global", type: "bool", required: false },
  { name: "project_id", type: "uuid", required: false },
] as const;

describe("deserializeQuery", () => {
  test.each([
    ["", "missing field `project_id`"],
    ["foo=1", "missing field `project_id`"],
    ["project_id=", "project_id: UUID parsing failed: invalid length: expected length 32 for simple format, found 0"],
    ["project_id=abc", "project_id: UUID parsing failed: invalid length: expected length 32 for simple format, found 3"],
    ["project_id=%20", "project_id: UUID parsing failed: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found ` ` at 1"],
    ["project_id=00000000-0000-4000-8000-000000000000&project_id=00000000-0000-4000-8000-000000000001", "duplicate field `project_id`"],
  ])("tasks %j", (search, message) => {
    expect(deserializeQuery(search, tasksQuery)).toEqual({ ok: false, message });
  });

  test.each([
    ["global=TRUE", "global: provided string was not `true` or `false`"],
    ["global=", "global: provided string was not `true` or `false`"],
    ["global=true&global=false", "duplicate field `global`"],
  ])("templates %j", (search, message) => {
    expect(deserializeQuery(search, templatesQuery)).toEqual({ ok: false, message });
  });

  test("values are decoded, canonical and defaulted", () => {
    expect(deserializeQuery("?global=false&project_id=0123456789ABCDEF0123456789ABCDEF&x=1", templatesQuery)).toEqual({
      ok: true,
      values: { global: false, project_id: "01234567-89ab-cdef-0123-456789abcdef" },
    });
    expect(deserializeQuery("", templatesQuery)).toEqual({ ok: true, values: { global: null, project_id: null } });
  });

  test("queryMap decodes '+' and percent escapes and keeps the last value", () => {
    const m = queryMap("q=a+b%2Fc&q=%E2%82%AC+x&path");
    expect(m.get("q")).toBe("€ x");
    expect(m.get("path")).toBe("");
  });
});
