// /api/templates… : the seeded globals, every filter combination (CONTRACT-CORRECTIONS item 16), and the
// per-scope unique names (missing fact 3).
import { describe, expect, test } from "vitest";
import { GLOBAL_TEMPLATE_SEEDS } from "./lib/templateSeeds";
import { TestConvex, createProject, json, newBackend, post, put } from "./test.setup";

const KEYS = ["id", "project_id", "title", "description", "template_name", "created_at", "updated_at"];

async function names(t: TestConvex, query: string) {
  const res = await t.fetch(`/api/templates${query}`);
  const body = await json(res);
  return { status: res.status, names: body.success ? body.data.map((x: any) => x.template_name) : body.message };
}

describe("templates", () => {
  test("a fresh deployment serves the three seeded globals (random ids, fixed texts)", async () => {
    const t = newBackend();
    const body = await json(await t.fetch("/api/templates"));
    expect(body.data.map((x: any) => [x.template_name, x.title, x.description, x.project_id])).toEqual(
      GLOBAL_TEMPLATE_SEEDS.map((s) => [s.templateName, s.title, s.description, null]),
    );
    expect(Object.keys(body.data[0])).toEqual(KEYS);
    const again = await json(await newBackend().fetch("/api/templates"));
    expect(again.data[0].id).not.toBe(body.data[0].id);
    expect((await json(await t.fetch("/api/templates"))).data.map((x: any) => x.id)).toEqual(body.data.map((x: any) => x.id));
  });

  test("every combination of `global` and `project_id`", async () => {
    const t = newBackend();
    const p = await createProject(t, { git_repo_path: "/a" });
    const q = await createProject(t, { git_repo_path: "/b" });
    for (const [project, name] of [[p.id, "zeta"], [p.id, "alpha"], [q.id, "mid"]]) {
      await t.fetch("/api/templates", post({ project_id: project, title: name, description: null, template_name: name }));
    }
    const globals = ["Add Unit Tests", "Bug Analysis", "Code Refactoring"];
    expect(await names(t, "")).toEqual({ status: 200, names: [...globals, "alpha", "mid", "zeta"] });
    expect(await names(t, "?global=true")).toEqual({ status: 200, names: globals });
    expect(await names(t, "?global=false")).toEqual({ status: 200, names: [] });
    expect(await names(t, `?project_id=${p.id}`)).toEqual({ status: 200, names: ["alpha", "zeta"] });
    expect(await names(t, `?global=false&project_id=${p.id}`)).toEqual({ status: 200, names: ["alpha", "zeta"] });
    expect(await names(t, `?global=true&project_id=${p.id}`)).toEqual({
      status: 500,
      names: "DatabaseError: Cannot query both global and project-specific templates",
    });
    expect(await names(t, "?project_id=00000000-0000-4000-8000-000000000000")).toEqual({ status: 200, names: [] });
    const bad = await t.fetch("/api/templates?global=yes");
    expect(await bad.text()).toBe("Failed to deserialize query string: global: provided string was not `true` or `false`");
  });

  test("names are unique per scope, with SQLite's texts; an unknown project is an FK error", async () => {
    const t = newBackend();
    const p = await createProject(t);
    const dupGlobal = await t.fetch("/api/templates", post({ project_id: null, title: "x", description: "d", template_name: "Add Unit Tests" }));
    expect(dupGlobal.status).toBe(500);
    expect((await json(dupGlobal)).message).toBe("DatabaseError: error returned from database: (code: 2067) UNIQUE constraint failed: task_templates.template_name");
    const ok = await json(await t.fetch("/api/templates", post({ project_id: p.id, title: "x", description: null, template_name: "Add Unit Tests" })));
    expect(ok.success).toBe(true);
    const dupProject = await json(await t.fetch("/api/templates", post({ project_id: p.id, title: "y", description: null, template_name: "Add Unit Tests" })));
    expect(dupProject.message).toBe(
      "DatabaseError: error returned from database: (code: 2067) UNIQUE constraint failed: task_templates.project_id, task_templates.template_name",
    );
    const fk = await json(await t.fetch("/api/templates", post({ project_id: "00000000-0000-4000-8000-000000000000", title: "y", description: null, template_name: "z" })));
    expect(fk.message).toBe("DatabaseError: error returned from database: (code: 787) FOREIGN KEY constraint failed");
  });

  test("get, PUT (keeps description, bumps updated_at) and DELETE", async () => {
    const t = newBackend();
    const created = (await json(await t.fetch("/api/templates", post({ project_id: null, title: "t", description: "d", template_name: "mine" })))).data;
    expect(await json(await t.fetch(`/api/templates/${created.id}`))).toMatchObject({ data: created });
    await new Promise((r) => setTimeout(r, 5));
    const updated = (await json(await t.fetch(`/api/templates/${created.id}`, put({ title: "t2", description: null })))).data;
    expect(updated).toMatchObject({ title: "t2", description: "d", template_name: "mine", created_at: created.created_at });
    expect(updated.updated_at).not.toBe(created.updated_at);
    expect(await json(await t.fetch(`/api/templates/${created.id}`, { method: "DELETE" }))).toMatchObject({ success: true, data: null });
    expect((await t.fetch(`/api/templates/${created.id}`)).status).toBe(404);
  });
});
