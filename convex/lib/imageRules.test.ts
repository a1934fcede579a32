import { expect, test } from "vitest";
import { classifyUpload, rustExtension, sha256Hex } from "./imageRules";

test.each([
  ["a.png", "png"],
  ["a.tar.gz", "gz"],
  ["noext", null],
  [".hidden", null],
  [".x.png", "png"],
  ["a.", ""],
  ["dir/b.JPG", "JPG"],
  ["", null],
  ["..", null],
])("Path::extension(%j) = %j", (name, ext) => {
  expect(rustExtension(name)).toBe(ext);
});

test("classifyUpload: no extension counts as png; unknown and empty extensions are refused", () => {
  expect(classifyUpload("noext")).toEqual({ extension: "png", mimeType: "image/png" });
  expect(classifyUpload("x.JPEG")).toEqual({ extension: "JPEG", mimeType: "image/jpeg" });
  expect(classifyUpload("x.webp")?.mimeType).toBe("image/webp");
  expect(classifyUpload("x.bmp")?.mimeType).toBe("image/bmp");
  expect(classifyUpload("x.gif")?.mimeType).toBe("image/gif");
  expect(classifyUpload("x.txt")).toBeNull();
  expect(classifyUpload("x.")).toBeNull();
});

test("sha256Hex matches the primary's hash of the same bytes", async () => {
  // "noext" uploaded to the real binary answered this hash.
  expect(await sha256Hex(new TextEncoder().encode("noext").buffer as ArrayBuffer)).toBe("c847f078e2b250f0794ec0ba4d44e516f4809240fe31024cdebf5702b9296d39");
});
