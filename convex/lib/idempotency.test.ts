// Writes retried with the same Idempotency-Key replay their first answer; the opt-in id hint makes a create
// reuse the primary's id (both headers are the shadow tee's, see lib/http/router.ts).
import { expect, test } from "vitest";
import { createProject, json, newBackend, post } from "../test.setup";

test("a repeated create with the same Idempotency-Key returns the same row and creates nothing new", async () => {
  const t = newBackend();
  const p = await createProject(t);
  const send = () => t.fetch("/api/tasks", post({ project_id: p.id, title: "once" }, { "idempotency-key": "exchange-42" }));
  const first = await json(await send());
  const second = await json(await send());
  expect(second).toEqual(first);
  expect((await json(await t.fetch(`/api/tasks?project_id=${p.id}`))).data).toHaveLength(1);
  const third = await json(await t.fetch("/api/tasks", post({ project_id: p.id, title: "once" }, { "idempotency-key": "exchange-43" })));
  expect(third.data.id).not.toBe(first.data.id);
});

test("an x-parity-id-hint UUID becomes the new row's id; a taken or malformed hint is ignored", async () => {
  const t = newBackend();
  const p = await createProject(t);
  const hint = "11111111-2222-4333-8444-555555555555";
  const hinted = await json(await t.fetch("/api/tasks", post({ project_id: p.id, title: "a" }, { "x-parity-id-hint": hint.toUpperCase() })));
  expect(hinted.data.id).toBe(hint);
  const taken = await json(await t.fetch("/api/tasks", post({ project_id: p.id, title: "b" }, { "x-parity-id-hint": hint })));
  expect(taken.data.id).not.toBe(hint);
  const junk = await json(await t.fetch("/api/tasks", post({ project_id: p.id, title: "c" }, { "x-parity-id-hint": "nope" })));
  expect(junk.success).toBe(true);
});
