// Execution processes: the list/get routes and the chain's task-status rules (CONTRACT-CORRECTIONS 25).
import { describe, expect, test } from "vitest";
import { internal } from "./_generated/api";
import { createAttempt, createProject, createTask, json, newBackend } from "./test.setup";

const KEYS = ["id", "task_attempt_id", "run_reason", "executor_action", "status", "exit_code", "started_at", "completed_at", "created_at", "updated_at"];
const AGENT = { typ: { type: "CodingAgentInitialRequest", prompt: "Title: T", executor_profile_id: { executor: "CLAUDE_CODE", variant: "FAKE" } }, next_action: null };
const SETUP = { typ: { type: "ScriptRequest", script: "echo setup", language: "Bash", context: "SetupScript" }, next_action: AGENT };

async function setup() {
  const t = newBackend();
  const p = await createProject(t);
  const task = await createTask(t, p.id);
  const attempt = (await createAttempt(t, task.id)).body.data;
  return { t, task, attempt };
}

describe("execution processes", () => {
  test("list is oldest first and keeps serde's key order, nested executor_action included", async () => {
    const { t, attempt } = await setup();
    const setupProcess = await t.mutation(internal.executionProcesses.create, { taskAttemptId: attempt.id, runReason: "setupscript", executorAction: SETUP });
    await new Promise((r) => setTimeout(r, 3));
    await t.mutation(internal.executionProcesses.create, { taskAttemptId: attempt.id, runReason: "codingagent", executorAction: AGENT });
    const res = await t.fetch(`/api/execution-processes?task_attempt_id=${attempt.id}`);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.data.map((p: any) => p.run_reason)).toEqual(["setupscript", "codingagent"]);
    expect(Object.keys(body.data[0])).toEqual(KEYS);
    expect(text).toContain(
      '"executor_action":{"typ":{"type":"ScriptRequest","script":"echo setup","language":"Bash","context":"SetupScript"},' +
        '"next_action":{"typ":{"type":"CodingAgentInitialRequest","prompt":"Title: T","executor_profile_id":{"executor":"CLAUDE_CODE","variant":"FAKE"}},"next_action":null}}',
    );
    expect(await json(await t.fetch(`/api/execution-processes/${setupProcess!.id}`))).toMatchObject({ data: { id: setupProcess!.id, status: "running", exit_code: null } });
  });

  test("a process with a next action does not finalize; the last one does, whatever its status", async () => {
    const { t, task, attempt } = await setup();
    const s = await t.mutation(internal.executionProcesses.create, { taskAttemptId: attempt.id, runReason: "setupscript", executorAction: SETUP });
    await t.mutation(internal.executionProcesses.finish, { id: s!.id, status: "failed", exitCode: 5 });
    expect((await json(await t.fetch(`/api/tasks/${task.id}`))).data.status).toBe("inprogress");
    const a = await t.mutation(internal.executionProcesses.create, { taskAttemptId: attempt.id, runReason: "codingagent", executorAction: AGENT });
    const finished = await t.mutation(internal.executionProcesses.finish, { id: a!.id, status: "completed", exitCode: 0 });
    expect(finished).toMatchObject({ status: "completed", exit_code: 0 });
    expect(finished!.updated_at).toBe(finished!.created_at);
    const after = (await json(await t.fetch(`/api/tasks/${task.id}`))).data;
    expect(after.status).toBe("inreview");
    expect(after.updated_at).toMatch(/T\d\d:\d\d:\d\dZ$/);
  });

  test("devservers leave the task status alone; a skipped cleanup ends the chain", async () => {
    const { t, task, attempt } = await setup();
    await t.run(async (ctx) => {
      const row = await ctx.db.query("tasks").first();
      await ctx.db.patch(row!._id, { status: "done" });
    });
    const dev = await t.mutation(internal.executionProcesses.create, { taskAttemptId: attempt.id, runReason: "devserver", executorAction: AGENT });
    await t.mutation(internal.executionProcesses.finish, { id: dev!.id, status: "killed", exitCode: null });
    expect((await json(await t.fetch(`/api/tasks/${task.id}`))).data.status).toBe("done");
    const withCleanup = { ...AGENT, next_action: { typ: { type: "ScriptRequest", script: "c", language: "Bash", context: "CleanupScript" }, next_action: null } };
    const agent = await t.mutation(internal.executionProcesses.create, { taskAttemptId: attempt.id, runReason: "codingagent", executorAction: withCleanup });
    await t.mutation(internal.executionProcesses.finish, { id: agent!.id, status: "completed", exitCode: 0, chainEnded: true });
    expect((await json(await t.fetch(`/api/tasks/${task.id}`))).data.status).toBe("inreview");
  });

  test("unknown attempt lists []; coding-agent processes get a turn with the prompt", async () => {
    const { t, attempt } = await setup();
    expect((await json(await t.fetch("/api/execution-processes?task_attempt_id=00000000-0000-4000-8000-000000000000"))).data).toEqual([]);
    await t.mutation(internal.executionProcesses.create, { taskAttemptId: attempt.id, runReason: "codingagent", executorAction: AGENT });
    const turns = await t.run(async (ctx) => await ctx.db.query("codingAgentTurns").take(5));
    expect(turns.map((x) => x.prompt)).toEqual(["Title: T"]);
  });
});
