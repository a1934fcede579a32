/// <reference types="vite/client" />
// Shared by the convex-test suites: the module map (exported once, as convex-helpers does), a fresh backend,
// and a runner double. The runner is a separate process in production; here tests play it through the
// command protocol itself (claim and complete the commands the routes enqueue), so the routes run unmodified.

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

/** Plays the runner through the protocol's own mutations (register, claim, complete; the signed HTTP layer
 * in front of them is runner-host's and tested there), answering from `script`. A command the script does
 * not answer (undefined) stays claimed and unanswered, like work a real runner has not finished. */
export function serveRunner(t: TestConvex, script: RunnerScript) {
  const seen: Array<{ kind: string; payload: any }> = [];
  const runnerId = `test-runner-${Math.random().toString(36).slice(2)}`;
  const registered = t.mutation(internal.runners.register, { runnerId, keyId: "k-test", name: "test double", version: "test" });
  let busy = false;
  let completions = 0;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      await registered;
      for (;;) {
        const claimed = await t.mutation(internal.commands.claim, { runnerId, keyId: "k-test" });
        if (claimed === null || "unregistered" in claimed) break;
        const reply = script(claimed.kind, claimed.payload);
        if (!reply) continue;
        seen.push({ kind: claimed.kind, payload: claimed.payload });
        completions += 1;
        await t.mutation(internal.commands.complete, {
          runnerId,
          commandId: claimed.commandId,
          fencingToken: claimed.fencingToken,
          completionKey: `${runnerId}:${completions}`,
          outcome: "result" in reply ? { ok: true, result: reply.result } : { ok: false, error: reply.error },
        });
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
