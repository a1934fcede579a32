// What 0.0.71 knows about each agent's MCP configuration (CodingAgent::get_mcp_config and
// default_mcp_config_path): where the agent keeps its config file relative to the runner's HOME, the path to
// the servers inside it, the template and vibe-kanban's own server entry. The file itself lives on the
// runner's machine, so reading and writing it are runner commands (`mcp.readServers`, `mcp.writeServers`).

type McpStatic = {
  relativePath: string;
  serversPath: string[];
  template: Record<string, unknown>;
  vibeKanban: Record<string, unknown>;
  isToml: boolean;
};

const NPX_SERVER = { command: "npx", args: ["-y", "vibe-kanban", "--mcp"] };

const standard = (relativePath: string): McpStatic => ({
  relativePath,
  serversPath: ["mcpServers"],
  template: { mcpServers: {} },
  vibeKanban: NPX_SERVER,
  isToml: false,
});

export const MCP_BY_AGENT: Record<string, McpStatic> = {
  CLAUDE_CODE: standard(".claude.json"),
  GEMINI: standard(".gemini/settings.json"),
  CURSOR: standard(".cursor/mcp.json"),
  QWEN_CODE: standard(".qwen/settings.json"),
  AMP: {
    relativePath: ".config/amp/settings.json",
    serversPath: ["amp.mcpServers"],
    template: { "amp.mcpServers": {} },
    vibeKanban: NPX_SERVER,
    isToml: false,
  },
  CODEX: {
    relativePath: ".codex/config.toml",
    serversPath: ["mcp_servers"],
    template: { mcp_servers: {} },
    vibeKanban: NPX_SERVER,
    isToml: true,
  },
  OPENCODE: {
    relativePath: ".config/opencode/opencode.json",
    serversPath: ["mcp"],
    template: { mcp: {}, $schema: "https://opencode.ai/config.json" },
    vibeKanban: { type: "local", command: ["npx", "-y", "vibe-kanban", "--mcp"], enabled: true },
    isToml: false,
  },
};
