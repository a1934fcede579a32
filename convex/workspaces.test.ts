// /api/task-attempts… (0.0.71 task attempts = workspaces) and /api/containers/info; CONTRACT.md §3 and
// corrections items 7 and 15.
import { describe, expect, test } from "vitest";
import { internal } from "./_generated/api";
import { createAttempt, createProject, createTask, friendlyRunner, json, newBackend, post, serveRunner } from "./test.setup";

const KEYS = ["id", "task_id", "container_ref", "branch", "base_branch", "profile", "worktree_deleted", "setup_completed_at", "created_at", "updated_at"];
const UNKNOWN = "00000000-0000-4000-8000-000000000000";

describe("task attempts", () => {
  test("create answers the row as inserted (container_ref/branch null) and marks the task inprogress", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id);
    const { status, body } = await createAttempt(t, task.id);
    expect(status).toBe(200);
    expect(Object.keys(body.data)).toEqual(KEYS);
    expect(body.data).toMatchObject({ task_id: task.id, container_ref: null, branch: null, base_branch: "main", profile: "CLAUDE_CODE", worktree_deleted: false, setup_completed_at: null });
    expect(await json(await t.fetch(`/api/task-attempts/${body.data.id}`))).toMatchObject({ data: body.data });
    expect((await json(await t.fetch(`/api/tasks/${task.id}`))).data.status).toBe("inprogress");
  });

  test("unknown executor, unknown task, unknown base branch: the primary's 500 texts", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id);
    const badExecutor = await t.fetch("/api/task-attempts", post({ task_id: task.id, executor_profile_id: { executor: "NOPE" }, base_branch: "main" }));
    expect(badExecutor.status).toBe(500);
    expect((await json(badExecutor)).message).toBe("TaskAttemptError: Validation error: Executor profile not found: NOPE");
    const badTask = await t.fetch("/api/task-attempts", post({ task_id: UNKNOWN, executor_profile_id: { executor: "CLAUDE_CODE" }, base_branch: "main" }));
    expect((await json(badTask)).message).toBe("TaskAttemptError: error returned from database: (code: 787) FOREIGN KEY constraint failed");
    const { status, body } = await createAttempt(t, task.id, "no-such-branch");
    expect(status).toBe(500);
    expect(body.message).toBe("ContainerError: Branch not found: no-such-branch");
    const listed = await json(await t.fetch(`/api/task-attempts?task_id=${task.id}`));
    expect(listed.data).toHaveLength(1); // the row is left behind, as in 0.0.71
    expect((await json(await t.fetch(`/api/tasks/${task.id}`))).data.status).toBe("todo");
  });

  test("list is newest first, across tasks without task_id; unknown task gives []", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const a = (await createAttempt(t, (await createTask(t, p.id)).id)).body.data;
    await new Promise((r) => setTimeout(r, 3));
    const b = (await createAttempt(t, (await createTask(t, p.id)).id)).body.data;
    expect((await json(await t.fetch("/api/task-attempts"))).data.map((x: any) => x.id)).toEqual([b.id, a.id]);
    expect((await json(await t.fetch(`/api/task-attempts?task_id=${UNKNOWN}`))).data).toEqual([]);
  });

  test("children includes the precedence bug's extra tasks (owners of attempts used as parents elsewhere)", async () => {
    const t = newBackend();
    const p1 = await createProject(t, { git_repo_path: "/one" });
    const p2 = await createProject(t, { git_repo_path: "/two" });
    const parent = await createTask(t, p1.id, { title: "parent" });
    const parentAttempt = (await createAttempt(t, parent.id)).body.data;
    const child = await createTask(t, p1.id, { title: "child", parent_task_attempt: parentAttempt.id });
    const lonely = await createTask(t, p2.id, { title: "lonely" });
    const lonelyAttempt = (await createAttempt(t, lonely.id)).body.data;
    const ofParent = await json(await t.fetch(`/api/task-attempts/${parentAttempt.id}/children`));
    expect(ofParent.data.map((x: any) => x.title)).toEqual(["child"]);
    const ofLonely = await json(await t.fetch(`/api/task-attempts/${lonelyAttempt.id}/children`));
    expect(ofLonely.data.map((x: any) => x.title)).toEqual(["parent"]);
    expect(child.parent_task_attempt).toBe(parentAttempt.id);
  });

  test("containers/info resolves a worktree path; unknown is the primary's RowNotFound 500", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id);
    const attempt = (await createAttempt(t, task.id)).body.data;
    await t.mutation(internal.workspaces.setContainer, { id: attempt.id, containerRef: "/var/tmp/vibe-kanban/worktrees/vk-1234-t", branch: "vk-1234-t" });
    const found = await t.fetch("/api/containers/info?ref=%2Fvar%2Ftmp%2Fvibe-kanban%2Fworktrees%2Fvk-1234-t");
    expect(await found.text()).toBe(
      `{"success":true,"data":{"attempt_id":"${attempt.id}","task_id":"${task.id}","project_id":"${p.id}"},"error_data":null,"message":null}`,
    );
    const missing = await t.fetch("/api/containers/info?ref=/nope");
    expect(missing.status).toBe(500);
    expect((await json(missing)).message).toBe("DatabaseError: no rows returned by a query that expected to return at least one row");
  });

  test("setContainer (runner) fills container_ref and branch and feeds an update", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const attempt = (await createAttempt(t, (await createTask(t, p.id)).id)).body.data;
    const updated = await t.mutation(internal.workspaces.setContainer, { id: attempt.id, containerRef: "/w/vk", branch: "vk" });
    expect(updated).toMatchObject({ container_ref: "/w/vk", branch: "vk" });
    const last = await t.run(async (ctx) => await ctx.db.query("changes").withIndex("by_sequence").order("desc").first());
    expect(last).toMatchObject({ table: "workspaces", op: "update", legacyId: attempt.id });
  });

  test("the runner double sees one git.branches check per create", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id);
    const runner = serveRunner(t, friendlyRunner);
    await t.fetch("/api/task-attempts", post({ task_id: task.id, executor_profile_id: { executor: "CLAUDE_CODE" }, base_branch: "feature" }));
    runner.stop();
    expect(runner.seen).toEqual([{ kind: "git.branches", payload: { repoPath: "/repos/p" } }]);
  });
});
