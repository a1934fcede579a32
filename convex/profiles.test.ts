// GET/PUT /api/profiles: the complete document, canonical variant keys, shape-A refusals
// (CONTRACT-CORRECTIONS item 17), and the info route's executors.
import { describe, expect, test } from "vitest";
import { DEFAULT_PROFILES } from "./lib/profiles";
import { json, newBackend } from "./test.setup";

function putRaw(body: string): RequestInit {
  return { method: "PUT", headers: { "content-type": "text/plain" }, body };
}

describe("profiles", () => {
  test("GET serves the complete default document as pretty JSON text and a HOME-relative path", async () => {
    const body = await json(await newBackend().fetch("/api/profiles"));
    expect(Object.keys(body.data)).toEqual(["content", "path"]);
    expect(JSON.parse(body.data.content)).toEqual(DEFAULT_PROFILES);
    expect(body.data.content).toContain('{\n  "executors": {\n    "CLAUDE_CODE": {\n      "DEFAULT": {');
    expect(body.data.path).toBe("~/.local/share/vibe-kanban/profiles.json");
  });

  test("the scripted-agent recipe: GET, add a variant (any case), PUT the whole document", async () => {
    const t = newBackend();
    const document = JSON.parse((await json(await t.fetch("/api/profiles"))).data.content);
    document.executors.CLAUDE_CODE.fake = { CLAUDE_CODE: { base_command_override: "python fake.py", unknown_field: 1, plan: null } };
    const saved = await json(await t.fetch("/api/profiles", putRaw(JSON.stringify(document))));
    expect(saved).toEqual({ success: true, data: "Executor profiles updated successfully", error_data: null, message: null });
    const after = JSON.parse((await json(await t.fetch("/api/profiles"))).data.content);
    expect(after.executors.CLAUDE_CODE.FAKE).toEqual({ CLAUDE_CODE: { base_command_override: "python fake.py" } });
    expect(after.executors.CLAUDE_CODE.fake).toBeUndefined();
    const info = await json(await t.fetch("/api/info"));
    expect(Object.keys(info.data.executors.CLAUDE_CODE)).toEqual(["DEFAULT", "PLAN", "ROUTER", "FAKE"]);
  });

  test.each([
    ['{"executors":{}}', "Failed to save executor profiles: Built-in executor 'CLAUDE_CODE' cannot be deleted"],
    ["xx", "Invalid executor profiles format: expected value at line 1 column 1"],
    ["", "Invalid executor profiles format: EOF while parsing a value at line 1 column 0"],
    ["{}", "Invalid executor profiles format: missing field `executors` at line 1 column 2"],
  ])("PUT %j → shape A", async (body, message) => {
    const res = await newBackend().fetch("/api/profiles", putRaw(body));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ success: false, data: null, error_data: null, message });
  });

  test("semantic refusals of the merged document", async () => {
    const t = newBackend();
    const withExtra = (mutate: (d: any) => void) => {
      const d = structuredClone(DEFAULT_PROFILES) as any;
      mutate(d);
      return JSON.stringify(d);
    };
    const cases: Array<[string, string]> = [
      [withExtra((d) => delete d.executors.GEMINI.FLASH), "Failed to save executor profiles: Built-in configuration 'GEMINI:FLASH' cannot be deleted"],
      [
        withExtra((d) => (d.executors.NOPE = { DEFAULT: { AMP: {} } })),
        `Failed to save executor profiles: Validation error: Unknown executor key 'NOPE'. Valid keys: ["CLAUDE_CODE", "AMP", "GEMINI", "CODEX", "OPENCODE", "CURSOR", "QWEN_CODE"]`,
      ],
      [
        withExtra((d) => (d.executors.AMP.DEFAULT = { CURSOR: {} })),
        "Failed to save executor profiles: Validation error: Executor key 'AMP' does not match the agent variant 'CURSOR'",
      ],
    ];
    for (const [body, message] of cases) expect((await json(await t.fetch("/api/profiles", putRaw(body)))).message).toBe(message);
    const typeError = await json(await t.fetch("/api/profiles", putRaw(withExtra((d) => (d.executors.AMP.DEFAULT.AMP.dangerously_allow_all = "yes")))));
    expect(typeError.message).toMatch(/^Invalid executor profiles format: invalid type: string "yes", expected a boolean at line 1 column \d+$/);
    const noAgent = await json(await t.fetch("/api/profiles", putRaw(withExtra((d) => (d.executors.AMP.X = { NOT_AN_AGENT: {} })))));
    expect(noAgent.message).toMatch(/^Invalid executor profiles format: no variant of enum CodingAgent found in flattened data at line 1 column \d+$/);
  });
});
