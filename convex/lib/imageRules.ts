// How 0.0.71 names and types an upload (services/image.rs): the extension of the multipart filename as
// Rust's `Path::extension` reads it (none → "png"; content is never sniffed), mapped to a MIME type; any
// other extension is refused. Upload size limit: 20 MiB on the whole body (axum DefaultBodyLimit).

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** `Path::new(name).extension()`: after the last '.', unless the file name has no '.' except a leading one. */
export function rustExtension(fileName: string): string | null {
  const parts = fileName.split("/").filter((p) => p !== "" && p !== ".");
  const name = parts.length ? parts[parts.length - 1] : "";
  if (name === "" || name === "..") return null;
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  return name.slice(dot + 1);
}

const MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  bmp: "image/bmp",
  svg: "image/svg+xml",
};

/** The stored extension (case kept, as the primary names its cache file) and MIME type, or null if refused. */
export function classifyUpload(fileName: string): { extension: string; mimeType: string } | null {
  const extension = rustExtension(fileName) ?? "png";
  const mimeType = MIME[extension.toLowerCase()];
  return mimeType ? { extension, mimeType } : null;
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
