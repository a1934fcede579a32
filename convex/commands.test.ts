// The placeholder command queue in the agreed shape (replaced by runner-host's at merge), and
// lib/runCommand's polling against it.
import { expect, test } from "vitest";
import { internal } from "./_generated/api";
import { newBackend } from "./test.setup";

test("enqueue is idempotent per dedupKey; get reports the terminal state complete() wrote", async () => {
  const t = newBackend();
  const a = await t.mutation(internal.commands.enqueue, { kind: "git.branches", payload: { repoPath: "/r" }, dedupKey: "k" });
  const b = await t.mutation(internal.commands.enqueue, { kind: "git.branches", payload: { repoPath: "/r" }, dedupKey: "k" });
  const c = await t.mutation(internal.commands.enqueue, { kind: "git.branches", payload: {} });
  expect(b).toBe(a);
  expect(c).not.toBe(a);
  expect(await t.query(internal.commands.get, { commandId: a })).toEqual({ status: "pending", result: null, error: null });
  await t.mutation(internal.commands.complete, { commandId: a, result: [1] });
  await t.mutation(internal.commands.complete, { commandId: a, error: { kind: "api", message: "late" } });
  expect(await t.query(internal.commands.get, { commandId: a })).toEqual({ status: "succeeded", result: [1], error: null });
  await t.mutation(internal.commands.complete, { commandId: c, error: { kind: "soft", message: "no" } });
  expect(await t.query(internal.commands.get, { commandId: c })).toMatchObject({ status: "failed", error: { kind: "soft", message: "no" } });
});
