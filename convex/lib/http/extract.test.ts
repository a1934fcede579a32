import { expect, test } from "vitest";
import { isJsonContentType, uuidParam } from "./extract";

test.each([
  ["application/json", true],
  ["application/json; charset=utf-8", true],
  ["APPLICATION/JSON", true],
  ["application/vnd.api+json", true],
  ["text/json", false],
  ["application/jsonx", false],
  ["", false],
  [null, false],
])("axum json_content_type(%j) = %j (observed on the binary)", (header, expected) => {
  expect(isJsonContentType(header)).toBe(expected);
});

test("uuidParam canonicalises or answers axum's Path<Uuid> rejection", async () => {
  expect(uuidParam("id", "0123456789ABCDEF0123456789ABCDEF")).toEqual({ ok: true, value: "01234567-89ab-cdef-0123-456789abcdef" });
  const bad = uuidParam("template_id", "abc");
  expect(bad.ok).toBe(false);
  if (!bad.ok) {
    expect(bad.response.status).toBe(400);
    expect(await bad.response.text()).toBe(
      "Invalid URL: Cannot parse `template_id` with value `abc`: UUID parsing failed: invalid length: expected length 32 for simple format, found 3",
    );
  }
});
