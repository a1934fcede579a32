// Health, info, MCP config, GitHub check, filesystem routes (CONTRACT.md §3 "System / config",
// "Filesystem"); host work answered by the runner double through the command protocol.
import { afterEach, describe, expect, test, vi } from "vitest";
import { internal } from "./_generated/api";
import { DEFAULT_CONFIG } from "./lib/config";
import { json, newBackend, post, put, serveRunner } from "./test.setup";

afterEach(() => vi.unstubAllGlobals());

describe("system routes", () => {
  test("info: config, the executors of the profiles, and the environment the runner reported", async () => {
    const t = newBackend();
    const before = await json(await t.fetch("/api/info"));
    expect(Object.keys(before.data)).toEqual(["config", "executors", "environment"]);
    expect(before.data.environment).toEqual({ os_type: "Unknown", os_version: "Unknown", os_architecture: "unknown", bitness: "Unknown" });
    expect(Object.keys(before.data.executors).sort()).toEqual(["AMP", "CLAUDE_CODE", "CODEX", "CURSOR", "GEMINI", "OPENCODE", "QWEN_CODE"]);
    const environment = { home: "/home/runner", os_type: "Debian", os_version: "12.0.0", os_architecture: "x86_64", bitness: "64-bit" };
    await t.mutation(internal.system.setEnvironment, { environment });
    const after = await json(await t.fetch("/api/info"));
    expect(after.data.environment).toEqual({ os_type: "Debian", os_version: "12.0.0", os_architecture: "x86_64", bitness: "64-bit" });
    expect((await json(await t.fetch("/api/profiles"))).data.path).toBe("/home/runner/.local/share/vibe-kanban/profiles.json");
  });

  test("mcp-config GET: static parts from the agent, servers and path read by the runner", async () => {
    const t = newBackend();
    const runner = serveRunner(t, (kind, payload) =>
      kind === "mcp.readServers"
        ? { result: { serversJson: '{"$b":{"a":2,"z":1.0,"é":1e20}}', config_path: `/home/runner/${payload.relativePath}` } }
        : undefined,
    );
    const claude = await t.fetch("/api/mcp-config?profile=CLAUDE_CODE");
    const opencode = await json(await t.fetch("/api/mcp-config?profile=OPENCODE"));
    runner.stop();
    expect(await claude.text()).toBe(
      // the runner's serde text is kept as it is: "$" and non-ASCII keys, 1.0 and 1e20
      '{"success":true,"data":{"mcp_config":{"servers":{"$b":{"a":2,"z":1.0,"é":1e20}},"servers_path":["mcpServers"],"template":{"mcpServers":{}},' +
        '"vibe_kanban":{"args":["-y","vibe-kanban","--mcp"],"command":"npx"},"is_toml_config":false},"config_path":"/home/runner/.claude.json"},' +
        '"error_data":null,"message":null}',
    );
    expect(opencode.data.mcp_config.template).toEqual({ $schema: "https://opencode.ai/config.json", mcp: {} });
    expect(Object.keys(opencode.data.mcp_config.vibe_kanban)).toEqual(["command", "enabled", "type"]);
    expect(runner.seen[0]).toEqual({
      kind: "mcp.readServers",
      payload: { agent: "CLAUDE_CODE", relativePath: ".claude.json", serversPath: ["mcpServers"], isToml: false, templateJson: '{"mcpServers":{}}' },
    });
    expect(JSON.parse(runner.seen[1].payload.templateJson)).toEqual({ mcp: {}, $schema: "https://opencode.ai/config.json" });
  });

  test("mcp-config: unknown profile is the primary's ConfigError 500, checked before the runner", async () => {
    const t = newBackend();
    for (const profile of ["NOPE", "CLAUDE_CODE:PLAN", "claude_code"]) {
      const res = await t.fetch(`/api/mcp-config?profile=${encodeURIComponent(profile)}`);
      expect(res.status).toBe(500);
      expect((await json(res)).message).toBe(`ConfigError: Validation error: Executor profile not found: ${profile}`);
    }
  });

  test("mcp-config POST: the runner writes the agent's file and words the result", async () => {
    const t = newBackend();
    const runner = serveRunner(t, (kind, payload) =>
      kind === "mcp.writeServers" ? { result: `Added ${Object.keys(JSON.parse(payload.bodyJson).servers).length} MCP server(s)` } : undefined,
    );
    // the body goes to the runner as the client wrote it: "$" keys and 1.0 survive
    const body = '{"servers": {"vk": {"command": "npx", "timeout": 1.0, "$ref": "x"}}}';
    const res = await json(await t.fetch("/api/mcp-config?profile=CODEX", { method: "POST", body, headers: { "content-type": "application/json" } }));
    runner.stop();
    expect(res).toEqual({ success: true, data: "Added 1 MCP server(s)", error_data: null, message: null });
    expect(runner.seen[0].payload).toMatchObject({ agent: "CODEX", relativePath: ".codex/config.toml", isToml: true, bodyJson: body });
  });

  test("mcp-config POST: a body that is not {servers: map} is refused before the runner is asked", async () => {
    const t = newBackend();
    const runner = serveRunner(t, () => ({ result: "unexpected" }));
    const res = await t.fetch("/api/mcp-config?profile=CLAUDE_CODE", post({ servers: [1] }));
    runner.stop();
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/^Failed to deserialize the JSON body into the target type: servers: invalid type: sequence, expected a map/);
    expect(runner.seen).toEqual([]);
  });

  test("filesystem: listings come from the runner; its soft errors are shape A", async () => {
    const t = newBackend();
    const runner = serveRunner(t, (kind, payload) => {
      if (kind === "fs.listDirectory" && payload.path === "/nope") return { error: { kind: "soft", message: "Directory does not exist" } };
      if (kind === "fs.listDirectory") {
        return { result: { current_path: payload.path ?? "/home/runner", entries: [{ last_modified: null, is_git_repo: false, is_directory: true, path: "/home/runner/a", name: "a" }] } };
      }
      if (kind === "fs.gitRepos") return { result: [{ name: "r", path: "/home/runner/r", is_directory: true, is_git_repo: true, last_modified: 0 }] };
      return undefined;
    });
    const home = await t.fetch("/api/filesystem/directory");
    const missing = await json(await t.fetch("/api/filesystem/directory?path=/nope"));
    const repos = await json(await t.fetch("/api/filesystem/git-repos?path=/home/runner"));
    runner.stop();
    expect(await home.text()).toBe(
      '{"success":true,"data":{"entries":[{"name":"a","path":"/home/runner/a","is_directory":true,"is_git_repo":false,"last_modified":null}],' +
        '"current_path":"/home/runner"},"error_data":null,"message":null}',
    );
    expect(missing).toEqual({ success: false, data: null, error_data: null, message: "Directory does not exist" });
    expect(repos.data[0].name).toBe("r");
    expect(runner.seen.map((s) => s.payload)).toEqual([{ path: null }, { path: "/nope" }, { path: "/home/runner" }]);
  });

  test("a missing runner is reported as such, after the configured deadline", async () => {
    const t = newBackend();
    vi.stubEnv("RUNNER_COMMAND_TIMEOUT_MS", "50");
    const res = await t.fetch("/api/filesystem/directory");
    vi.unstubAllEnvs();
    expect(res.status).toBe(500);
    expect((await json(res)).message).toBe("RunnerError: no runner finished fs.listDirectory within 50 ms");
  });

  test("auth/github/check: INVALID without a token; with one, GitHub answers (external call stubbed)", async () => {
    const t = newBackend();
    expect(await json(await t.fetch("/api/auth/github/check"))).toEqual({ success: true, data: "INVALID", error_data: null, message: null });
    await t.fetch("/api/config", put({ ...DEFAULT_CONFIG, github: { ...DEFAULT_CONFIG.github, pat: "ghp_x" } }));
    const calls: string[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      calls.push(`${url} ${(init.headers as Record<string, string>).authorization}`);
      return new Response("{}", { status: 200 });
    });
    expect((await json(await t.fetch("/api/auth/github/check"))).data).toBe("VALID");
    vi.stubGlobal("fetch", async () => new Response("{}", { status: 401 }));
    expect((await json(await t.fetch("/api/auth/github/check"))).data).toBe("INVALID");
    expect(calls).toEqual(["https://api.github.com/user Bearer ghp_x"]);
    // GitHub unreachable: 0.0.71's words for a failed connect (its backtrace is masked by the profile).
    const unreachable = Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } });
    vi.stubGlobal("fetch", async () => { throw unreachable; });
    const failed = await t.fetch("/api/auth/github/check");
    expect(failed.status).toBe(500);
    expect((await json(failed)).message).toBe("GitHubServiceError: Service Error: client error (Connect)");
    vi.stubGlobal("fetch", async () => { throw new TypeError("terminated"); });
    expect((await json(await t.fetch("/api/auth/github/check"))).message).toBe("GitHubServiceError: Service Error: terminated");
    vi.unstubAllGlobals();
  });
});
