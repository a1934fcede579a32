// /api/images… (0.0.71 routes/images.rs + services/image.rs): multipart upload of field `image`, bytes into
// Convex file storage, dedupe by sha256, served back with the primary's headers.

import { internal } from "../../_generated/api";
import { MAX_UPLOAD_BYTES, classifyUpload, sha256Hex } from "../imageRules";
import { apiErrorJson, okJson, textResponse } from "../http/responses";
import { Handler, Route, route } from "../http/router";
import { IMAGE } from "../wire/shapes";

const MULTIPART_FAILED = "Failed to upload file. Please ensure the file is valid and try again.";
const UNSUPPORTED = "This file type is not supported. Please upload an image file (PNG, JPG, GIF, WebP, or BMP).";
const NOT_FOUND = "Image not found.";

/** multer's boundary check: `multipart/form-data` with a `boundary` parameter. */
function hasBoundary(contentType: string | null): boolean {
  if (!contentType) return false;
  const [essence, ...params] = contentType.split(";").map((p) => p.trim());
  if (essence.toLowerCase() !== "multipart/form-data") return false;
  return params.some((p) => /^boundary=.+/i.test(p));
}

const upload: Handler = async (ctx, rc) => {
  const contentType = rc.request.headers.get("content-type");
  if (!hasBoundary(contentType)) return textResponse(400, "Invalid `boundary` for `multipart/form-data` request");
  const body = await rc.request.arrayBuffer();
  if (body.byteLength > MAX_UPLOAD_BYTES) return apiErrorJson(400, MULTIPART_FAILED);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType as string } }).formData();
  } catch {
    return apiErrorJson(400, MULTIPART_FAILED);
  }
  const field = form.get("image");
  if (field === null) return apiErrorJson(404, NOT_FOUND);
  const fileName = typeof field === "string" ? "image.png" : field.name;
  const bytes = typeof field === "string" ? new TextEncoder().encode(field).buffer : await field.arrayBuffer();
  const kind = classifyUpload(fileName);
  if (!kind) return apiErrorJson(400, UNSUPPORTED);
  const hash = await sha256Hex(bytes as ArrayBuffer);
  const existing = await ctx.runQuery(internal.images.findByHash, { hash });
  if (existing) return okJson(existing, IMAGE);
  const storageId = await ctx.storage.store(new Blob([bytes], { type: kind.mimeType }));
  const image = await ctx.runMutation(internal.images.create, {
    storageId,
    extension: kind.extension,
    originalName: fileName,
    mimeType: kind.mimeType,
    sizeBytes: bytes.byteLength,
    hash,
  });
  return okJson(image, IMAGE);
};

const file: Handler = async (ctx, rc) => {
  const found = await ctx.runQuery(internal.images.get, { id: rc.params.id });
  if (!found) return apiErrorJson(404, NOT_FOUND);
  const blob = await ctx.storage.get(found.storageId);
  if (!blob) return apiErrorJson(500, "IoError: IO error: No such file or directory (os error 2)");
  return new Response(blob, {
    status: 200,
    headers: {
      "content-type": found.image.mime_type ?? "application/octet-stream",
      "content-length": String(blob.size),
      "cache-control": "public, max-age=31536000",
    },
  });
};

const remove: Handler = async (ctx, rc) => {
  await ctx.runMutation(internal.images.remove, { id: rc.params.id });
  return okJson(null);
};

const ofTask: Handler = async (ctx, rc) => okJson(await ctx.runQuery(internal.images.listByTask, { taskId: rc.params.task_id }), IMAGE);

export const imageRoutes: Route[] = [
  route("/api/images/upload", { POST: upload }),
  route("/api/images/{id}/file", { GET: file }),
  route("/api/images/{id}", { DELETE: remove }),
  route("/api/images/task/{task_id}", { GET: ofTask }),
];
