/// <reference types="vite/client" />
// Shared by the convex-test suites: the module map, a fresh backend, and a runner double. The runner is a
// separate process in production; here tests play it through the command protocol itself (they complete
// the commands the routes enqueue with `internal.commands.complete`), so the routes run unmodified.

import { convexTest } from "convex-test";
import { internal } from "./_generated/api";
import schema from "./schema";

export const modules = import.meta.glob(["./**/*.ts", "./**/*.js", "!./**/*.test.ts", "!./**/*.d.ts"]);

export type TestConvex = ReturnType<typeof newBackend>;

export function newBackend() {
  return convexTest(schema, modules);
}

export type RunnerReply = { result: unknown } | { error: { kind: "soft" | "api" | "internal"; message: string } };
export type RunnerScript = (kind: string, payload: any) => RunnerReply | undefined;

/** Completes pending commands as a runner would, answering from `script` (undefined leaves one pending). */
export function serveRunner(t: TestConvex, script: RunnerScript) {
  const seen: Array<{ kind: string; payload: any }> = [];
  const answered = new Set<string>();
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const pending = await t.run(async (ctx) =>
        ctx.db
          .query("commands")
          .withIndex("by_status", (q) => q.eq("status", "pending"))
          .take(20),
      );
      for (const command of pending) {
        if (answered.has(command._id)) continue;
        const reply = script(command.kind, command.payload);
        if (!reply) continue;
        answered.add(command._id);
        seen.push({ kind: command.kind, payload: command.payload });
        await t.mutation(internal.commands.complete, { commandId: command._id, ...reply });
      }
    } finally {
      busy = false;
    }
  }, 5);
  return { seen, stop: () => clearInterval(timer) };
}

/** A runner that prepares any path and knows one repository with `main` (current) and `feature`. */
export const friendlyRunner: RunnerScript = (kind) => {
  if (kind === "project.prepare") return { result: {} };
  if (kind === "git.branches") {
    return {
      result: [
        { name: "main", is_current: true, is_remote: false, last_commit_date: "2025-01-02T00:00:00Z" },
        { name: "feature", is_current: false, is_remote: false, last_commit_date: "2025-01-01T00:00:00Z" },
      ],
    };
  }
  return undefined;
};

export async function json(response: Response): Promise<any> {
  return JSON.parse(await response.text());
}

export function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export function put(body: unknown): RequestInit {
  return { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** Creates a project through the API (the runner double prepares the path). */
export async function createProject(t: TestConvex, body: Record<string, unknown> = {}) {
  const runner = serveRunner(t, friendlyRunner);
  try {
    const res = await t.fetch("/api/projects", post({ name: "P", git_repo_path: "/repos/p", use_existing_repo: true, ...body }));
    const envelope = await json(res);
    if (!envelope.success) throw new Error(`project create failed: ${JSON.stringify(envelope)}`);
    return envelope.data;
  } finally {
    runner.stop();
  }
}

export async function createTask(t: TestConvex, projectId: string, body: Record<string, unknown> = {}) {
  const envelope = await json(await t.fetch("/api/tasks", post({ project_id: projectId, title: "T", ...body })));
  if (!envelope.success) throw new Error(`task create failed: ${JSON.stringify(envelope)}`);
  return envelope.data;
}

/** POST /api/task-attempts with the runner double answering the base-branch check. */
export async function createAttempt(t: TestConvex, taskId: string, baseBranch = "main") {
  const runner = serveRunner(t, friendlyRunner);
  try {
    const res = await t.fetch(
      "/api/task-attempts",
      post({ task_id: taskId, executor_profile_id: { executor: "CLAUDE_CODE", variant: "FAKE" }, base_branch: baseBranch }),
    );
    return { status: res.status, body: await json(res) };
  } finally {
    runner.stop();
  }
}
