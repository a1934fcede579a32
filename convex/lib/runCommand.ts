// PLACEHOLDER until the runner-host helper's `convex/lib/runCommand.ts` lands (it replaces this file at
// merge), in the agreed shape: enqueue a runner command, poll `internal.commands.get` until it is terminal
// or the timeout passes.

import { internal } from "../_generated/api";
import { ActionCtx } from "../_generated/server";

export type CommandError = { kind: "soft" | "api" | "internal"; message: string };
export type CommandOutcome = { ok: true; result: any } | { ok: false; error: CommandError };

const POLL_MS = 25;

export async function runCommand(
  ctx: ActionCtx,
  kind: string,
  payload: unknown,
  { timeoutMs, dedupKey }: { timeoutMs: number; dedupKey?: string },
): Promise<CommandOutcome> {
  const commandId = await ctx.runMutation(internal.commands.enqueue, { kind, payload, dedupKey });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await ctx.runQuery(internal.commands.get, { commandId });
    if (state.status === "succeeded") return { ok: true, result: state.result };
    if (state.status === "failed" || state.status === "expired") {
      return { ok: false, error: state.error ?? { kind: "internal", message: `command ${state.status}` } };
    }
    if (Date.now() >= deadline) {
      return { ok: false, error: { kind: "internal", message: `no runner completed \`${kind}\` within ${timeoutMs} ms` } };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
