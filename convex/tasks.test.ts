// /api/tasks… against CONTRACT.md §3 "Tasks", TaskWithAttemptStatus flags, and corrections items 11, 25.
import { describe, expect, test } from "vitest";
import { internal } from "./_generated/api";
import { TestConvex, createAttempt, createProject, createTask, friendlyRunner, json, newBackend, post, put, serveRunner } from "./test.setup";

const TASK_KEYS = ["id", "project_id", "title", "description", "status", "parent_task_attempt", "created_at", "updated_at"];
const FLAG_KEYS = [...TASK_KEYS, "has_in_progress_attempt", "has_merged_attempt", "last_attempt_failed", "profile"];
const FK = "DatabaseError: error returned from database: (code: 787) FOREIGN KEY constraint failed";
const UNKNOWN = "00000000-0000-4000-8000-000000000000";

const AGENT_ACTION = { typ: { type: "CodingAgentInitialRequest", prompt: "T", executor_profile_id: { executor: "CLAUDE_CODE" } }, next_action: null };

async function flagsOf(t: TestConvex, projectId: string, taskId: string) {
  const listed = await json(await t.fetch(`/api/tasks?project_id=${projectId}`));
  return listed.data.find((x: any) => x.id === taskId);
}

describe("tasks", () => {
  test("create answers a todo task in serde's key order; unknown project or parent is a 500 FK error", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id, { description: "d" });
    expect(Object.keys(task)).toEqual(TASK_KEYS);
    expect(task).toMatchObject({ project_id: p.id, status: "todo", description: "d", parent_task_attempt: null });
    for (const body of [{ project_id: UNKNOWN, title: "x" }, { project_id: p.id, title: "x", parent_task_attempt: UNKNOWN }]) {
      const res = await t.fetch("/api/tasks", post(body));
      expect(res.status).toBe(500);
      expect(await json(res)).toEqual({ success: false, data: null, error_data: null, message: FK });
    }
  });

  test("an unknown image id fails after the task was created, like 0.0.71", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const res = await t.fetch("/api/tasks", post({ project_id: p.id, title: "with image", image_ids: [UNKNOWN] }));
    expect(res.status).toBe(500);
    const listed = await json(await t.fetch(`/api/tasks?project_id=${p.id}`));
    expect(listed.data.map((x: any) => x.title)).toEqual(["with image"]);
  });

  test("list: newest first, flags and profile '' without attempts; unknown project gives []", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const a = await createTask(t, p.id, { title: "a" });
    await new Promise((r) => setTimeout(r, 3));
    const b = await createTask(t, p.id, { title: "b" });
    const listed = await json(await t.fetch(`/api/tasks?project_id=${p.id}`));
    expect(listed.data.map((x: any) => x.id)).toEqual([b.id, a.id]);
    expect(Object.keys(listed.data[0])).toEqual(FLAG_KEYS);
    expect(listed.data[0]).toMatchObject({ has_in_progress_attempt: false, has_merged_attempt: false, last_attempt_failed: false, profile: "" });
    expect(await json(await t.fetch(`/api/tasks?project_id=${UNKNOWN}`))).toMatchObject({ success: true, data: [] });
  });

  test("flags follow the attempt's processes (devservers ignored; failed/killed count as failed)", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id);
    const attempt = (await createAttempt(t, task.id)).body.data;
    expect(await flagsOf(t, p.id, task.id)).toMatchObject({ has_in_progress_attempt: false, profile: "CLAUDE_CODE", status: "inprogress" });
    const agent = await t.mutation(internal.executionProcesses.create, { taskAttemptId: attempt.id, runReason: "codingagent", executorAction: AGENT_ACTION });
    expect(await flagsOf(t, p.id, task.id)).toMatchObject({ has_in_progress_attempt: true, last_attempt_failed: false });
    await t.mutation(internal.executionProcesses.finish, { id: agent!.id, status: "failed", exitCode: 1 });
    expect(await flagsOf(t, p.id, task.id)).toMatchObject({ has_in_progress_attempt: false, last_attempt_failed: true, status: "inreview" });
    await t.mutation(internal.executionProcesses.create, { taskAttemptId: attempt.id, runReason: "devserver", executorAction: AGENT_ACTION });
    expect(await flagsOf(t, p.id, task.id)).toMatchObject({ has_in_progress_attempt: false, last_attempt_failed: true });
  });

  test("PUT keeps absent fields, cannot clear description, never bumps updated_at; bad status is 422", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id, { description: "keep" });
    const updated = await json(await t.fetch(`/api/tasks/${task.id}`, put({ title: "renamed", status: "inreview", description: null })));
    expect(updated.data).toMatchObject({ title: "renamed", status: "inreview", description: "keep" });
    expect(updated.data.updated_at).toBe(task.updated_at);
    const bad = await t.fetch(`/api/tasks/${task.id}`, put({ status: "nope" }));
    expect(bad.status).toBe(422);
    expect(await bad.text()).toBe(
      "Failed to deserialize the JSON body into the target type: status: unknown variant `nope`, expected one of `todo`, `inprogress`, `inreview`, `done`, `cancelled` at line 1 column 16",
    );
  });

  test("create-and-start: inprogress with a second-precision updated_at, hard-coded flags, attempt.start enqueued", async () => {
    const t = newBackend();
    const p = await createProject(t, { setup_script: "echo setup" });
    await t.fetch("/api/config", put({ ...(await json(await t.fetch("/api/info"))).data.config, executor_profile: { executor: "CLAUDE_CODE", variant: "FAKE" } }));
    const runner = serveRunner(t, friendlyRunner);
    const res = await t.fetch("/api/tasks/create-and-start", post({ project_id: p.id, title: "Add hello file", description: "agent: write hello.txt hi" }));
    runner.stop();
    const body = await json(res);
    expect(Object.keys(body.data)).toEqual(FLAG_KEYS);
    expect(body.data).toMatchObject({ status: "inprogress", has_in_progress_attempt: true, last_attempt_failed: false, profile: "CLAUDE_CODE" });
    expect(body.data.updated_at).toMatch(/T\d\d:\d\d:\d\dZ$/);
    const attempts = await json(await t.fetch(`/api/task-attempts?task_id=${body.data.id}`));
    expect(attempts.data).toHaveLength(1);
    expect(attempts.data[0]).toMatchObject({ base_branch: "main", profile: "CLAUDE_CODE", container_ref: null, branch: null });
    const start = await waitForCommand(t, "attempt.start");
    expect(start.payload).toMatchObject({
      attemptId: attempts.data[0].id,
      repoPath: "/repos/p",
      baseBranch: "main",
      branch: `vk-${attempts.data[0].id.slice(0, 4)}-add-hello`,
      prompt: "Title: Add hello file\n\nDescription:agent: write hello.txt hi",
      executorProfileId: { executor: "CLAUDE_CODE", variant: "FAKE" },
      setupScript: "echo setup",
    });
  });

  test("delete removes the task and its attempts and asks the runner to remove worktrees", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id);
    const attempt = (await createAttempt(t, task.id)).body.data;
    await t.mutation(internal.workspaces.setContainer, { id: attempt.id, containerRef: "/var/tmp/wt/vk-x", branch: "vk-x" });
    expect(await json(await t.fetch(`/api/tasks/${task.id}`, { method: "DELETE" }))).toMatchObject({ success: true, data: null });
    expect((await t.fetch(`/api/tasks/${task.id}`)).status).toBe(404);
    expect((await t.fetch(`/api/task-attempts/${attempt.id}`)).status).toBe(404);
    expect((await waitForCommand(t, "worktree.remove")).payload).toMatchObject({ attemptId: attempt.id, containerRef: "/var/tmp/wt/vk-x" });
  });

  test("delete is a 500 FK error while another task points at one of its attempts", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const parent = await createTask(t, p.id);
    const attempt = (await createAttempt(t, parent.id)).body.data;
    await createTask(t, p.id, { parent_task_attempt: attempt.id });
    const res = await t.fetch(`/api/tasks/${parent.id}`, { method: "DELETE" });
    expect(res.status).toBe(500);
    expect((await json(res)).message).toBe(FK);
    expect((await t.fetch(`/api/tasks/${parent.id}`)).status).toBe(200);
  });
});

async function waitForCommand(t: TestConvex, kind: string) {
  for (let i = 0; i < 200; i++) {
    const found = await t.run(async (ctx) => (await ctx.db.query("commands").take(50)).find((c) => c.kind === kind));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no ${kind} command was enqueued`);
}
