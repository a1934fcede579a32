// PUT /api/config (no GET: 405), and /api/info's config, against the default document observed on the real
// binary (CONTRACT.md §0) and its serde validation.
import { describe, expect, test } from "vitest";
import { DEFAULT_CONFIG } from "./lib/config";
import { json, newBackend, put } from "./test.setup";

const DEFAULT_CONFIG_TEXT =
  '{"config_version":"v6","theme":"SYSTEM","executor_profile":{"executor":"CLAUDE_CODE"},"disclaimer_acknowledged":false,' +
  '"onboarding_acknowledged":false,"github_login_acknowledged":false,"telemetry_acknowledged":false,' +
  '"notifications":{"sound_enabled":true,"push_enabled":true,"sound_file":"COW_MOOING"},"editor":{"editor_type":"VS_CODE","custom_command":null},' +
  '"github":{"pat":null,"oauth_token":null,"username":null,"primary_email":null,"default_pr_base":"main"},' +
  '"analytics_enabled":null,"workspace_dir":null,"last_app_version":"0.0.71","show_release_notes":false}';

describe("config", () => {
  test("a fresh deployment serves the default config byte for byte", async () => {
    const text = await (await newBackend().fetch("/api/info")).text();
    expect(text.startsWith(`{"success":true,"data":{"config":${DEFAULT_CONFIG_TEXT},"executors":{`)).toBe(true);
  });

  test("PUT saves the whole document and answers it as serde serializes it (variant null omitted, key order)", async () => {
    const t = newBackend();
    // Keys out of order, the `profile` alias, an explicit null variant and an unknown field.
    const sent: Record<string, unknown> = { show_release_notes: false };
    Object.assign(sent, DEFAULT_CONFIG, { theme: "DARK", executor_profile: { profile: "CLAUDE_CODE", variant: null }, extra: 1 });
    const res = await t.fetch("/api/config", put(sent));
    const text = await res.text();
    expect(text).toBe(`{"success":true,"data":${DEFAULT_CONFIG_TEXT.replace('"theme":"SYSTEM"', '"theme":"DARK"')},"error_data":null,"message":null}`);
    const info = await json(await t.fetch("/api/info"));
    expect(info.data.config.theme).toBe("DARK");
    const withVariant = await json(await t.fetch("/api/config", put({ ...DEFAULT_CONFIG, executor_profile: { executor: "CLAUDE_CODE", variant: "FAKE" } })));
    expect(withVariant.data.executor_profile).toEqual({ executor: "CLAUDE_CODE", variant: "FAKE" });
  });

  test("validation answers serde's 422 texts", async () => {
    const t = newBackend();
    const missing = await t.fetch("/api/config", put({ theme: "DARK" }));
    expect(missing.status).toBe(422);
    expect(await missing.text()).toBe("Failed to deserialize the JSON body into the target type: missing field `config_version` at line 1 column 16");
    const nested = await t.fetch("/api/config", put({ ...DEFAULT_CONFIG, notifications: { ...DEFAULT_CONFIG.notifications, sound_file: "MOO" } }));
    expect(nested.status).toBe(422);
    expect(await nested.text()).toMatch(
      /^Failed to deserialize the JSON body into the target type: notifications\.sound_file: unknown variant `MOO`, expected one of `ABSTRACT_SOUND1`, .*`ROOSTER` at line 1 column \d+$/,
    );
    const positional = await t.fetch("/api/config", put([]));
    expect(await positional.text()).toBe("Failed to deserialize the JSON body into the target type: invalid length 0, expected struct Config with 14 elements at line 1 column 2");
  });

  test("GET /api/config does not exist (405, allow PUT)", async () => {
    const res = await newBackend().fetch("/api/config");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("PUT");
  });
});
