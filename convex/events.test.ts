// GET /api/events: history then live, one json_patch event per chunk, shapes and sorted keys as 0.0.71's
// serde_json::Value prints them (CONTRACT.md §5.1), no `finished`, resumable with Last-Event-ID.
import { describe, expect, test, vi } from "vitest";
import { internal } from "./_generated/api";
import { createAttempt, createProject, createTask, newBackend, put } from "./test.setup";

async function readEvents(res: Response, count: number, timeoutMs = 5000): Promise<string[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (chunks.length < count && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(decoder.decode(value));
  }
  await reader.cancel();
  return chunks;
}

function patchOf(chunk: string): any {
  const match = /^event: json_patch\ndata: (.*)\n\n$/s.exec(chunk);
  if (!match) throw new Error(`not a json_patch event: ${JSON.stringify(chunk)}`);
  return JSON.parse(match[1]);
}

describe("/api/events", () => {
  test("history: one event per chunk, entries numbered from 1, records like the primary's", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id, { title: "T1", description: "d1" });
    await t.fetch(`/api/tasks/${task.id}`, put({ title: "T1b" }));
    const res = await t.fetch("/api/events");
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const chunks = await readEvents(res, 2);
    expect(chunks).toHaveLength(2);
    const first = chunks[0];
    expect(first).toBe(
      `event: json_patch\ndata: [{"op":"add","path":"/entries/1","value":{"db_op":"insert","record":{"data":` +
        `{"created_at":"${task.created_at}","description":"d1","id":"${task.id}","parent_task_attempt":null,"project_id":"${p.id}",` +
        `"status":"todo","title":"T1","updated_at":"${task.updated_at}"},"type":"TASK"}}}]\n\n`,
    );
    expect(patchOf(chunks[1])[0]).toMatchObject({ path: "/entries/2", value: { db_op: "update", record: { type: "TASK", data: { title: "T1b" } } } });
  });

  test("live entries arrive after the history; attempts and processes have their own record types", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const task = await createTask(t, p.id);
    const res = await t.fetch("/api/events");
    const reading = readEvents(res, 4);
    const attempt = (await createAttempt(t, task.id)).body.data;
    await t.mutation(internal.executionProcesses.create, {
      taskAttemptId: attempt.id,
      runReason: "setupscript",
      executorAction: { typ: { type: "ScriptRequest", script: "s", language: "Bash", context: "SetupScript" }, next_action: null },
    });
    const patches = (await reading).map(patchOf).map((p) => p[0]);
    expect(patches.map((p) => [p.path, p.value.db_op, p.value.record.type])).toEqual([
      ["/entries/1", "insert", "TASK"],
      ["/entries/2", "insert", "TASK_ATTEMPT"],
      ["/entries/3", "update", "TASK"],
      ["/entries/4", "insert", "EXECUTION_PROCESS"],
    ]);
    expect(patches[1].value.record.data).toMatchObject({ id: attempt.id, container_ref: null, branch: null, base_branch: "main" });
    expect(patches[2].value.record.data.status).toBe("inprogress");
    expect(Object.keys(patches[3].value.record.data.executor_action)).toEqual(["next_action", "typ"]);
  });

  test("deletes are DELETED_* records with the row's rowid; Last-Event-ID resumes after it", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const a = await createTask(t, p.id, { title: "a" });
    const b = await createTask(t, p.id, { title: "b" });
    await t.fetch(`/api/tasks/${a.id}`, { method: "DELETE" });
    const resumed = await t.fetch("/api/events", { headers: { "last-event-id": "2" } });
    const [deleted] = (await readEvents(resumed, 1)).map(patchOf);
    expect(deleted).toEqual([{ op: "add", path: "/entries/3", value: { db_op: "delete", record: { data: { rowid: 1 }, type: "DELETED_TASK" } } }]);
    const c = await createTask(t, p.id, { title: "c" });
    const rowids = await t.run(async (ctx) => (await ctx.db.query("tasks").take(10)).map((x) => [x.legacyId, x.rowid] as [string, number]));
    expect(new Map(rowids)).toEqual(new Map([[b.id, 2], [c.id, 3]]));
  });

  test("projects, templates and images write nothing to the feed; the stream ends at its deadline", async () => {
    const t = newBackend();
    await createProject(t);
    await t.fetch("/api/templates");
    const feed = await t.run(async (ctx) => (await ctx.db.query("changes").take(10)).length);
    expect(feed).toBe(0);
    vi.stubEnv("EVENTS_STREAM_MAX_MS", "30");
    const res = await t.fetch("/api/events");
    vi.unstubAllEnvs();
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(true);
  });
});
