// The compatibility router's axum behaviours, each observed on the real 0.0.71 binary (CONTRACT.md §1,
// CONTRACT-CORRECTIONS items 5 and 8).
import { describe, expect, test } from "vitest";
import { SPA_INDEX_HTML } from "./lib/http/spa";
import { json, newBackend, post } from "./test.setup";

const UNKNOWN = "00000000-0000-4000-8000-000000000000";

describe("routing like axum", () => {
  test("unknown GET paths answer the SPA index, with 200 text/html", async () => {
    const t = newBackend();
    for (const path of ["/api/nonexistent", "/api/projects/", "/api/projects/x/y/z", "/api", "/"]) {
      const res = await t.fetch(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html");
      expect(await res.text()).toBe(SPA_INDEX_HTML);
    }
  });

  test("non-GET on unknown paths is 405 with an empty body and allow GET,HEAD", async () => {
    const t = newBackend();
    for (const [method, path] of [["POST", "/api/nonexistent"], ["PUT", "/api/nonexistent/thing"], ["PATCH", "/api/projects/x/y/z"]]) {
      const res = await t.fetch(path, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET,HEAD");
      expect(await res.text()).toBe("");
    }
  });

  test.each([
    ["POST", "/api/health", "GET,HEAD"],
    ["GET", "/api/config", "PUT"],
    ["DELETE", "/api/projects", "GET,HEAD,POST"],
    ["PATCH", "/api/mcp-config", "GET,HEAD,POST"],
    ["PATCH", "/api/profiles", "GET,HEAD,PUT"],
    ["GET", "/api/tasks/create-and-start", "POST"],
    ["GET", "/api/images/upload", "POST"],
    ["DELETE", "/api/images/upload", "POST"],
    ["GET", `/api/images/${UNKNOWN}`, "DELETE"],
    ["POST", "/api/events", "GET,HEAD"],
  ])("%s %s → 405 allow %s", async (method, path, allow) => {
    const res = await newBackend().fetch(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(await res.text()).toBe("");
  });

  test.each([
    [`/api/projects/${UNKNOWN}`, "PATCH"],
    [`/api/projects/${UNKNOWN}/open-editor`, "PATCH"],
    [`/api/tasks/${UNKNOWN}`, "GET"],
    [`/api/templates/${UNKNOWN}`, "DELETE"],
    [`/api/task-attempts/${UNKNOWN}/merge`, "GET"],
    [`/api/execution-processes/${UNKNOWN}/raw-logs`, "GET"],
  ])("model loaders answer 404 (empty) for unknown ids before the method check: %s", async (path, method) => {
    const res = await newBackend().fetch(path, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBeNull();
    expect(await res.text()).toBe("");
  });

  test("an unknown id on a loader route answers 404 before the body is parsed", async () => {
    const res = await newBackend().fetch(`/api/tasks/${UNKNOWN}`, { method: "PUT", headers: { "content-type": "application/json" }, body: "[]" });
    expect(res.status).toBe(404);
  });

  const CHAR = "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found";
  test.each([
    ["/api/projects/not-a-uuid", "id", "not-a-uuid", `${CHAR} \`n\` at 1`],
    ["/api/tasks/not-a-uuid", "task_id", "not-a-uuid", `${CHAR} \`n\` at 1`],
    ["/api/templates/not-a-uuid", "template_id", "not-a-uuid", `${CHAR} \`n\` at 1`],
    ["/api/task-attempts/not-a-uuid", "id", "not-a-uuid", `${CHAR} \`n\` at 1`],
    ["/api/execution-processes/not-a-uuid", "id", "not-a-uuid", `${CHAR} \`n\` at 1`],
    ["/api/images/not-a-uuid/file", "id", "not-a-uuid", `${CHAR} \`n\` at 1`],
    ["/api/images/task/not-a-uuid", "task_id", "not-a-uuid", `${CHAR} \`n\` at 1`],
    ["/api/tasks/..%2F..", "task_id", "../..", `${CHAR} \`.\` at 1`],
    ["/api/tasks/abc", "task_id", "abc", "invalid length: expected length 32 for simple format, found 3"],
  ])("bad UUID in %s → 400 text naming `%s`", async (path, param, value, error) => {
    const res = await newBackend().fetch(path);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe(`Invalid URL: Cannot parse \`${param}\` with value \`${value}\`: UUID parsing failed: ${error}`);
  });

  test("simple-format and braced UUIDs are ids too", async () => {
    const t = newBackend();
    expect((await t.fetch("/api/tasks/0123456789abcdef0123456789abcdef")).status).toBe(404);
    expect((await t.fetch(`/api/tasks/{${UNKNOWN}}`)).status).toBe(404);
  });

  test("JSON body rejections: 415 without content type, 400 syntax, 422 data", async () => {
    const t = newBackend();
    const noType = await t.fetch("/api/projects", { method: "POST", body: "{}" });
    expect(noType.status).toBe(415);
    expect(noType.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await noType.text()).toBe("Expected request with `Content-Type: application/json`");
    const textJson = await t.fetch("/api/projects", { method: "POST", headers: { "content-type": "text/json" }, body: "{}" });
    expect(textJson.status).toBe(415);
    const bad = await t.fetch("/api/projects", { method: "POST", headers: { "content-type": "application/json" }, body: "{bad" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe("Failed to parse the request body as JSON: key must be a string at line 1 column 2");
    const missing = await t.fetch("/api/projects", post({ name: "x" }));
    expect(missing.status).toBe(422);
    expect(await missing.text()).toBe("Failed to deserialize the JSON body into the target type: missing field `git_repo_path` at line 1 column 12");
    const trailing = await t.fetch("/api/projects", { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"x"} x' });
    expect(await trailing.text()).toBe("Failed to deserialize the JSON body into the target type: missing field `git_repo_path` at line 1 column 12");
    const enumNumber = await t.fetch("/api/config", { method: "PUT", headers: { "content-type": "application/json" }, body: '{"config_version":"v6","theme":5}' });
    expect(enumNumber.status).toBe(400);
    expect(await enumNumber.text()).toBe("Failed to parse the request body as JSON: theme: expected value at line 1 column 32");
    const vendor = await t.fetch("/api/projects", { method: "POST", headers: { "content-type": "application/vnd.api+json; charset=utf-8" }, body: '{"name":"x"}' });
    expect(vendor.status).toBe(422);
  });

  test("query rejections are 400 text", async () => {
    const t = newBackend();
    const res = await t.fetch("/api/tasks");
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("Failed to deserialize query string: missing field `project_id`");
    expect(await (await t.fetch("/api/execution-processes")).text()).toBe("Failed to deserialize query string: missing field `task_attempt_id`");
    expect(await (await t.fetch("/api/containers/info")).text()).toBe("Failed to deserialize query string: missing field `ref`");
    expect(await (await t.fetch("/api/mcp-config")).text()).toBe("Failed to deserialize query string: missing field `profile`");
  });

  test("the envelope keeps all four keys in the primary's order", async () => {
    const res = await newBackend().fetch("/api/health");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe('{"success":true,"data":"OK","error_data":null,"message":null}');
  });

  test("routes needing later runner work say so with 501, after their loader", async () => {
    const t = newBackend();
    const res = await t.fetch(`/api/task-attempts/${UNKNOWN}/diff`);
    expect(res.status).toBe(404);
    const device = await t.fetch("/api/auth/github/device/start", { method: "POST" });
    expect(device.status).toBe(501);
    expect(await device.text()).toContain("Not implemented by the candidate yet");
    expect(await json(await t.fetch("/api/auth/github/device/poll", { method: "POST" }))).toEqual({
      success: false,
      data: null,
      error_data: null,
      message: "AuthError: Device flow not started",
    });
  });
});
