// /api/images… : multipart field `image`, extension rules (no extension → png), dedupe by sha256
// whatever the name, headers of the file route, delete of unknown ids (CONTRACT.md §3, corrections 6, 21).
import { describe, expect, test } from "vitest";
import { TestConvex, createProject, createTask, json, newBackend, put } from "./test.setup";

const KEYS = ["id", "file_path", "original_name", "mime_type", "size_bytes", "hash", "created_at", "updated_at"];

async function upload(t: TestConvex, fileName: string | null, bytes: Uint8Array, field = "image") {
  const form = new FormData();
  if (fileName === null) form.append(field, new TextDecoder().decode(bytes));
  else form.append(field, new File([bytes.slice().buffer as ArrayBuffer], fileName));
  const res = await t.fetch("/api/images/upload", { method: "POST", body: form });
  return { status: res.status, body: await json(res) };
}

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x20, 0x66, 0x61, 0x6b, 0x65]);

describe("images", () => {
  test("upload stores the bytes and answers the record; the same bytes under any name dedupe to it", async () => {
    const t = newBackend();
    const first = await upload(t, "a.png", PNG);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body.data)).toEqual(KEYS);
    expect(first.body.data).toMatchObject({
      original_name: "a.png",
      mime_type: "image/png",
      size_bytes: 9,
      hash: "075f8e3f22fcb592f1c27b086375ceeaacc767bd43a4583cffd38685d3a1d9bb",
    });
    expect(first.body.data.file_path).toMatch(/^\.vibe-images\/[0-9a-f-]{36}\.png$/);
    expect(first.body.data.file_path).not.toContain(first.body.data.id);
    const again = await upload(t, "b.GIF", PNG);
    expect(again.body.data).toEqual(first.body.data);
    const stored = await t.run(async (ctx) => (await ctx.db.system.query("_storage").take(10)).length);
    expect(stored).toBe(1);
  });

  test("extension rules: none → png, case kept in the file name, unsupported → 400 with the fixed text", async () => {
    const t = newBackend();
    expect((await upload(t, "noext", new TextEncoder().encode("noext"))).body.data).toMatchObject({ original_name: "noext", mime_type: "image/png" });
    const upper = (await upload(t, "photo.JPG", new Uint8Array([1, 2, 3]))).body.data;
    expect(upper.mime_type).toBe("image/jpeg");
    expect(upper.file_path).toMatch(/\.JPG$/);
    expect((await upload(t, "pic.svg", new Uint8Array([4]))).body.data.mime_type).toBe("image/svg+xml");
    const bad = await upload(t, "a.txt", new Uint8Array([5]));
    expect(bad).toEqual({
      status: 400,
      body: { success: false, data: null, error_data: null, message: "This file type is not supported. Please upload an image file (PNG, JPG, GIF, WebP, or BMP)." },
    });
  });

  test("no `image` field → 404 'Image not found.'; not multipart → 400 text about the boundary", async () => {
    const t = newBackend();
    expect(await upload(t, "a.png", PNG, "other")).toEqual({ status: 404, body: { success: false, data: null, error_data: null, message: "Image not found." } });
    const res = await t.fetch("/api/images/upload", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("Invalid `boundary` for `multipart/form-data` request");
  });

  test("a body over 20 MiB is the multipart 400 (the body limit trips before the 413)", async () => {
    const t = newBackend();
    const big = await upload(t, "big.png", new Uint8Array(20 * 1024 * 1024 + 1));
    expect(big).toEqual({ status: 400, body: { success: false, data: null, error_data: null, message: "Failed to upload file. Please ensure the file is valid and try again." } });
  });

  test("the file route serves the bytes with the primary's headers; unknown → 404 JSON", async () => {
    const t = newBackend();
    const { body } = await upload(t, "a.png", PNG);
    const res = await t.fetch(`/api/images/${body.data.id}/file`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-length")).toBe("9");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
    const missing = await t.fetch("/api/images/00000000-0000-4000-8000-000000000000/file");
    expect(missing.status).toBe(404);
    expect((await json(missing)).message).toBe("Image not found.");
  });

  test("images of a task in association order; delete (unknown id → 200) removes links and bytes", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const a = (await upload(t, "a.png", new Uint8Array([1]))).body.data;
    const b = (await upload(t, "b.png", new Uint8Array([2]))).body.data;
    const task = await createTask(t, p.id, { image_ids: [b.id, a.id] });
    expect((await json(await t.fetch(`/api/images/task/${task.id}`))).data.map((x: any) => x.id)).toEqual([b.id, a.id]);
    await t.fetch(`/api/tasks/${task.id}`, put({ image_ids: [a.id] }));
    expect((await json(await t.fetch(`/api/images/task/${task.id}`))).data.map((x: any) => x.id)).toEqual([a.id]);
    expect(await json(await t.fetch(`/api/images/${a.id}`, { method: "DELETE" }))).toEqual({ success: true, data: null, error_data: null, message: null });
    expect((await json(await t.fetch(`/api/images/task/${task.id}`))).data).toEqual([]);
    expect((await t.fetch(`/api/images/${a.id}/file`)).status).toBe(404);
    expect((await t.fetch("/api/images/00000000-0000-4000-8000-000000000000", { method: "DELETE" })).status).toBe(200);
    expect((await json(await t.fetch("/api/images/task/00000000-0000-4000-8000-000000000000"))).data).toEqual([]);
  });
});
