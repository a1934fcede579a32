// One lookup by 0.0.71 id serves every table that has one: a row is found in its own table only.
import { expect, test } from "vitest";
import { byLegacyId } from "./legacyIds";
import { createProject, newBackend } from "../test.setup";

test("byLegacyId finds the row with that legacy id in the named table, and null elsewhere or for an unknown id", async () => {
  const t = newBackend();
  const p = await createProject(t);
  await t.run(async (ctx) => {
    const project = await byLegacyId(ctx, "projects", p.id);
    expect(project?.legacyId).toBe(p.id);
    expect(await byLegacyId(ctx, "tasks", p.id)).toBeNull();
    expect(await byLegacyId(ctx, "projects", "00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});
