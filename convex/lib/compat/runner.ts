// Calling the runner from a route: the agreed `runCommand`, with the deadline a route may wait for it.
// RUNNER_COMMAND_TIMEOUT_MS (a deployment env var) overrides the default.

import { ActionCtx } from "../../_generated/server";
import { positiveNumberSetting } from "../deploymentEnv";
import { CommandOutcome, runCommand } from "../runCommand";

const DEFAULT_TIMEOUT_MS = 15_000;

export function commandTimeoutMs(): number {
  return positiveNumberSetting("RUNNER_COMMAND_TIMEOUT_MS", DEFAULT_TIMEOUT_MS);
}

/** Runs a command; with an Idempotency-Key the command is deduplicated too, so a retry reuses it. */
export async function askRunner(
  ctx: ActionCtx,
  kind: string,
  payload: unknown,
  idempotencyKey?: string,
): Promise<CommandOutcome> {
  return await runCommand(ctx, kind, payload, {
    timeoutMs: commandTimeoutMs(),
    dedupKey: idempotencyKey ? `${kind}:${idempotencyKey}` : undefined,
  });
}
