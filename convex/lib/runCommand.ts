// The one way Convex code asks the runner to do local work: enqueue a command, then poll it until it
// reaches a terminal state or the timeout passes. Call it from actions (HTTP actions included).
import type { ActionCtx } from "../_generated/server";
import { internal } from "../_generated/api";

export type CommandError = { kind: "soft" | "api" | "internal"; message: string };

export type CommandOutcome<T = unknown> = { ok: true; result: T } | { ok: false; error: CommandError };

export type RunCommandOptions = {
  timeoutMs: number;
  /** Same key -> same command (a retried request does not run the work twice). */
  dedupKey?: string;
  /** How often to look at the command; the default suits the runner's long poll. */
  pollMs?: number;
};

const DEFAULT_POLL_MS = 25;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runCommand<T = unknown>(
  ctx: ActionCtx,
  kind: string,
  payload: unknown,
  { timeoutMs, dedupKey, pollMs = DEFAULT_POLL_MS }: RunCommandOptions,
): Promise<CommandOutcome<T>> {
  const commandId = await ctx.runMutation(internal.commands.enqueue, { kind, payload, dedupKey });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await ctx.runQuery(internal.commands.get, { commandId });
    if (state === null) {
      return { ok: false, error: { kind: "internal", message: `command ${commandId} vanished` } };
    }
    if (state.status === "succeeded") {
      return { ok: true, result: state.result as T };
    }
    if (state.status === "failed" || state.status === "expired") {
      return {
        ok: false,
        error: state.error ?? { kind: "internal", message: `command ${state.status} without an error` },
      };
    }
    if (Date.now() >= deadline) {
      const message = `no runner finished ${kind} within ${timeoutMs} ms`;
      // Not claimed yet: make sure it never runs after we answered. Claimed: let it finish; its
      // result is kept, and the dedupKey lets a retry pick it up.
      await ctx.runMutation(internal.commands.cancelIfPending, { commandId, message });
      return { ok: false, error: { kind: "internal", message } };
    }
    await sleep(pollMs);
  }
}
