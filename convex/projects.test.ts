// /api/projects… against CONTRACT.md §3 "Projects" and the corrections; git work answered by the runner
// double through the command protocol.
import { describe, expect, test } from "vitest";
import { internal } from "./_generated/api";
import { DEFAULT_CONFIG } from "./lib/config";
import {
  RunnerScript,
  TestConvex,
  createAttempt,
  createProject,
  createTask,
  friendlyRunner,
  json,
  newBackend,
  post,
  put,
  serveRunner,
} from "./test.setup";

const KEYS = ["id", "name", "git_repo_path", "setup_script", "dev_script", "cleanup_script", "copy_files", "created_at", "updated_at"];

describe("projects", () => {
  test("create asks the runner to prepare the repository, then answers the project in serde's key order", async () => {
    const t = newBackend();
    const runner = serveRunner(t, friendlyRunner);
    const res = await t.fetch("/api/projects", post({ name: "P1", git_repo_path: "/repos/one", use_existing_repo: false, setup_script: "echo hi" }));
    runner.stop();
    const body = await json(res);
    expect(body.success).toBe(true);
    expect(Object.keys(body.data)).toEqual(KEYS);
    expect(body.data).toMatchObject({ name: "P1", git_repo_path: "/repos/one", setup_script: "echo hi", dev_script: null });
    expect(body.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    expect(body.data.updated_at).toBe(body.data.created_at);
    expect(runner.seen).toEqual([{ kind: "project.prepare", payload: { path: "/repos/one", useExisting: false } }]);
  });

  test("the runner's soft errors come back as shape A with its text, and nothing is created", async () => {
    const t = newBackend();
    const runner = serveRunner(t, () => ({ error: { kind: "soft", message: "The specified path does not exist" } }));
    const body = await json(await t.fetch("/api/projects", post({ name: "P", git_repo_path: "/nope", use_existing_repo: true })));
    runner.stop();
    expect(body).toEqual({ success: false, data: null, error_data: null, message: "The specified path does not exist" });
    expect(await json(await t.fetch("/api/projects"))).toMatchObject({ data: [] });
  });

  test("a duplicate path is shape A, checked before the runner is asked", async () => {
    const t = newBackend();
    await createProject(t, { git_repo_path: "/repos/dup" });
    const runner = serveRunner(t, friendlyRunner);
    const body = await json(await t.fetch("/api/projects", post({ name: "again", git_repo_path: "/repos/dup", use_existing_repo: true })));
    runner.stop();
    expect(body.message).toBe("A project with this git repository path already exists");
    expect(runner.seen).toEqual([]);
  });

  test("list is newest first; get answers the row", async () => {
    const t = newBackend();
    const first = await createProject(t, { name: "first", git_repo_path: "/a" });
    await new Promise((r) => setTimeout(r, 5));
    const second = await createProject(t, { name: "second", git_repo_path: "/b" });
    const listed = await json(await t.fetch("/api/projects"));
    expect(listed.data.map((p: any) => p.id)).toEqual([second.id, first.id]);
    expect(await json(await t.fetch(`/api/projects/${first.id}`))).toMatchObject({ success: true, data: first });
  });

  test("PUT keeps name/path when absent, clears omitted scripts, never bumps updated_at, refuses a taken path", async () => {
    const t = newBackend();
    const p = await createProject(t, { git_repo_path: "/a", setup_script: "s", dev_script: "d", copy_files: "c" });
    await createProject(t, { git_repo_path: "/b" });
    const updated = await json(await t.fetch(`/api/projects/${p.id}`, put({ setup_script: "new" })));
    expect(updated.data).toMatchObject({ name: "P", git_repo_path: "/a", setup_script: "new", dev_script: null, copy_files: null });
    expect(updated.data.updated_at).toBe(p.updated_at);
    const taken = await json(await t.fetch(`/api/projects/${p.id}`, put({ git_repo_path: "/b" })));
    expect(taken).toMatchObject({ success: false, message: "A project with this git repository path already exists" });
    const moved = await json(await t.fetch(`/api/projects/${p.id}`, put({ git_repo_path: "/nowhere", name: "renamed" })));
    expect(moved.data).toMatchObject({ name: "renamed", git_repo_path: "/nowhere" });
  });

  test("branches and search go to the runner; search requires q (trimmed)", async () => {
    const t = newBackend();
    const p = await createProject(t, { git_repo_path: "/repo" });
    const runner = serveRunner(t, (kind, payload) =>
      kind === "project.search" ? { result: [{ match_type: "FileName", is_file: true, path: `src/${payload.q}.txt` }] } : friendlyRunner(kind, payload),
    );
    const branches = await t.fetch(`/api/projects/${p.id}/branches`);
    expect(await branches.text()).toBe(
      '{"success":true,"data":[{"name":"main","is_current":true,"is_remote":false,"last_commit_date":"2025-01-02T00:00:00Z"},' +
        '{"name":"feature","is_current":false,"is_remote":false,"last_commit_date":"2025-01-01T00:00:00Z"}],"error_data":null,"message":null}',
    );
    const found = await t.fetch(`/api/projects/${p.id}/search?q=+readme+`);
    expect(await found.text()).toBe('{"success":true,"data":[{"path":"src/readme.txt","is_file":true,"match_type":"FileName"}],"error_data":null,"message":null}');
    const blank = await json(await t.fetch(`/api/projects/${p.id}/search?q=%20`));
    runner.stop();
    expect(blank.message).toBe("Query parameter 'q' is required and cannot be empty");
    expect(runner.seen.filter((s) => s.kind === "project.search")).toEqual([{ kind: "project.search", payload: { repoPath: "/repo", q: "readme" } }]);
  });

  test("a failing search walk is a bare 500; a failing git call is shape C with the runner's text", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const runner = serveRunner(t, (kind) =>
      kind === "project.search"
        ? { error: { kind: "api", message: "IoError: walk failed" } }
        : { error: { kind: "api", message: "GitServiceError: failed to resolve path '/repos/p'" } },
    );
    const search = await t.fetch(`/api/projects/${p.id}/search?q=x`);
    const branches = await t.fetch(`/api/projects/${p.id}/branches`);
    runner.stop();
    expect(search.status).toBe(500);
    expect(await search.text()).toBe("");
    expect(branches.status).toBe(500);
    expect((await json(branches)).message).toBe("GitServiceError: failed to resolve path '/repos/p'");
  });

  test("delete cascades to tasks, attempts, processes, logs, templates and the repository", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id);
    const attempt = await createAttempt(t, task.id);
    const process = await t.mutation(internal.executionProcesses.create, {
      taskAttemptId: attempt.body.data.id,
      runReason: "codingagent",
      executorAction: { typ: { type: "CodingAgentInitialRequest", prompt: "T", executor_profile_id: { executor: "CLAUDE_CODE" } }, next_action: null },
    });
    await t.run(async (ctx) => {
      await ctx.db.insert("logChunks", { processId: process!.id, stream: "stdout", seq: 0, content: "hi" });
    });
    await t.fetch("/api/templates", post({ project_id: p.id, title: "t", description: null, template_name: "mine" }));
    const res = await t.fetch(`/api/projects/${p.id}`, { method: "DELETE" });
    expect(await json(res)).toEqual({ success: true, data: null, error_data: null, message: null });
    const left = await t.run(async (ctx) => ({
      tasks: (await ctx.db.query("tasks").take(10)).length,
      workspaces: (await ctx.db.query("workspaces").take(10)).length,
      sessions: (await ctx.db.query("sessions").take(10)).length,
      processes: (await ctx.db.query("executionProcesses").take(10)).length,
      logs: (await ctx.db.query("logChunks").take(10)).length,
      turns: (await ctx.db.query("codingAgentTurns").take(10)).length,
      templates: (await ctx.db.query("taskTemplates").take(10)).filter((x) => x.projectId !== null).length,
      repos: (await ctx.db.query("repos").take(10)).length,
    }));
    expect(left).toEqual({ tasks: 0, workspaces: 0, sessions: 0, processes: 0, logs: 0, turns: 0, templates: 0, repos: 0 });
    expect((await t.fetch(`/api/projects/${p.id}`)).status).toBe(404);
  });

  test("delete is a bare 500 when a task of another project points at one of its attempts", async () => {
    const t = newBackend();
    const p = await createProject(t, { git_repo_path: "/a" });
    const other = await createProject(t, { git_repo_path: "/b" });
    const task = await createTask(t, p.id);
    const attempt = await createAttempt(t, task.id);
    await createTask(t, other.id, { parent_task_attempt: attempt.body.data.id });
    const res = await t.fetch(`/api/projects/${p.id}`, { method: "DELETE" });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("");
    expect((await t.fetch(`/api/projects/${p.id}`)).status).toBe(200);
  });
  describe("open-editor", () => {
    const SUCCESS = '{"success":true,"data":null,"error_data":null,"message":null}';
    const opened = (): RunnerScript => (kind) => (kind === "editor.open" ? { result: { pid: 4242 } } : undefined);

    async function configureEditor(t: TestConvex, editor: { editor_type: string; custom_command: string | null }) {
      const res = await t.fetch("/api/config", put({ ...DEFAULT_CONFIG, editor }));
      expect((await json(res)).data.editor).toEqual(editor);
    }

    async function openEditor(t: TestConvex, id: string, body: string | undefined, script: RunnerScript = opened()) {
      const runner = serveRunner(t, script);
      const init: RequestInit = { method: "POST", headers: { "content-type": "application/json" } };
      if (body !== undefined) init.body = body;
      const res = await t.fetch(`/api/projects/${id}/open-editor`, init);
      runner.stop();
      return { status: res.status, contentType: res.headers.get("content-type"), text: await res.text(), seen: runner.seen };
    }

    test("the configured editor opens the repository path; null and {} are the same request", async () => {
      const t = newBackend();
      const p = await createProject(t, { git_repo_path: "/repos/ed" });
      for (const body of ["null", "{}", '{"editor_type":null}', '{"editor_type":"NOPE","extra":1}']) {
        const answer = await openEditor(t, p.id, body);
        expect(answer).toMatchObject({ status: 200, contentType: "application/json", text: SUCCESS });
        expect(answer.seen).toEqual([{ kind: "editor.open", payload: { repoPath: "/repos/ed", command: ["code"] } }]);
      }
    });

    test("CUSTOM runs the split custom command; the body's exact type name overrides the configured type", async () => {
      const t = newBackend();
      const p = await createProject(t, { git_repo_path: "/repos/ed" });
      await configureEditor(t, { editor_type: "CUSTOM", custom_command: "/opt/ed --flag 'a b'" });
      const custom = await openEditor(t, p.id, "null");
      expect(custom.seen.map((s) => s.payload.command)).toEqual([["/opt/ed", "--flag", "'a", "b'"]]);
      const zed = await openEditor(t, p.id, '{"editor_type":"ZED"}');
      expect(zed.seen.map((s) => s.payload.command)).toEqual([["zed"]]);
      const lowercase = await openEditor(t, p.id, '{"editor_type":"zed"}');
      expect(lowercase.seen.map((s) => s.payload.command)).toEqual([["/opt/ed", "--flag", "'a", "b'"]]);
      await configureEditor(t, { editor_type: "XCODE", custom_command: "/opt/ed -w" });
      const back = await openEditor(t, p.id, '{"editor_type":"CUSTOM"}');
      expect(back.seen.map((s) => s.payload.command)).toEqual([["/opt/ed", "-w"]]);
    });

    test("an editor that cannot start is a bare empty 500; a blank custom command never reaches the runner", async () => {
      const t = newBackend();
      const p = await createProject(t);
      const failing: RunnerScript = (kind) =>
        kind === "editor.open" ? { error: { kind: "api", message: "IoError: cannot start 'code': No such file or directory (os error 2)" } } : undefined;
      expect(await openEditor(t, p.id, "null", failing)).toMatchObject({ status: 500, contentType: null, text: "" });
      const refused: RunnerScript = (kind) =>
        kind === "editor.open" ? { error: { kind: "soft", message: "Path is outside the runner's allowed roots" } } : undefined;
      expect(await openEditor(t, p.id, "null", refused)).toMatchObject({ status: 500, contentType: null, text: "" });
      await configureEditor(t, { editor_type: "CUSTOM", custom_command: " \t " });
      expect(await openEditor(t, p.id, "null")).toMatchObject({ status: 500, contentType: null, text: "", seen: [] });
    });

    test("a runner protocol failure says so (shape C, RunnerError), unlike 0.0.71's failures", async () => {
      const t = newBackend();
      const p = await createProject(t);
      const broken: RunnerScript = (kind) =>
        kind === "editor.open" ? { error: { kind: "internal", message: "invalid payload for editor.open" } } : undefined;
      const answer = await openEditor(t, p.id, "null", broken);
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.text).message).toBe("RunnerError: invalid payload for editor.open");
    });

    test("the body is required JSON (shape E), checked after the project loader", async () => {
      const t = newBackend();
      const p = await createProject(t);
      expect(await openEditor(t, p.id, undefined)).toMatchObject({
        status: 400,
        text: "Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 0",
        seen: [],
      });
      expect(await openEditor(t, p.id, '{"editor_type":5}')).toMatchObject({
        status: 422,
        text: "Failed to deserialize the JSON body into the target type: editor_type: invalid type: integer `5`, expected a string at line 1 column 16",
      });
      expect(await openEditor(t, p.id, "[]")).toMatchObject({
        status: 422,
        text: "Failed to deserialize the JSON body into the target type: invalid length 0, expected struct OpenEditorRequest with 1 element at line 1 column 2",
      });
      const noType = await t.fetch(`/api/projects/${p.id}/open-editor`, { method: "POST", body: "null" });
      expect([noType.status, await noType.text()]).toEqual([415, "Expected request with `Content-Type: application/json`"]);
      const unknown = await t.fetch("/api/projects/00000000-0000-0000-0000-000000000000/open-editor", { method: "POST" });
      expect([unknown.status, await unknown.text()]).toEqual([404, ""]);
    });
  });
});
