// 0.0.71's Config v6: the document a fresh HOME starts with (observed byte for byte on the real binary) and
// its serde shape for `PUT /api/config` (all 14 fields required; 422 otherwise).

import { Json } from "./serde/json";
import { Spec, bool, option, str, struct, unitEnum } from "./serde/spec";
import { ConfigDocument, EDITOR_TYPES, SOUND_NAMES, THEME_MODES } from "./validators";

export const DEFAULT_CONFIG: ConfigDocument = {
  config_version: "v6",
  theme: "SYSTEM",
  executor_profile: { executor: "CLAUDE_CODE" },
  disclaimer_acknowledged: false,
  onboarding_acknowledged: false,
  github_login_acknowledged: false,
  telemetry_acknowledged: false,
  notifications: { sound_enabled: true, push_enabled: true, sound_file: "COW_MOOING" },
  editor: { editor_type: "VS_CODE", custom_command: null },
  github: { pat: null, oauth_token: null, username: null, primary_email: null, default_pr_base: "main" },
  analytics_enabled: null,
  workspace_dir: null,
  last_app_version: "0.0.71",
  show_release_notes: false,
};

export const EXECUTOR_PROFILE_ID: Spec = struct("ExecutorProfileId", { executor: str, variant: option(str) }, { executor: ["profile"] });

export const CONFIG_SPEC: Spec = struct("Config", {
  config_version: str,
  theme: unitEnum(THEME_MODES),
  executor_profile: EXECUTOR_PROFILE_ID,
  disclaimer_acknowledged: bool,
  onboarding_acknowledged: bool,
  github_login_acknowledged: bool,
  telemetry_acknowledged: bool,
  notifications: struct("NotificationConfig", { sound_enabled: bool, push_enabled: bool, sound_file: unitEnum(SOUND_NAMES) }),
  editor: struct("EditorConfig", { editor_type: unitEnum(EDITOR_TYPES), custom_command: option(str) }),
  github: struct("GitHubConfig", {
    pat: option(str),
    oauth_token: option(str),
    username: option(str),
    primary_email: option(str),
    default_pr_base: option(str),
  }),
  analytics_enabled: option(bool),
  workspace_dir: option(str),
  last_app_version: option(str),
  show_release_notes: bool,
});

/** A deserialized Config as serde serializes it back: `variant` is skipped when None. */
export function toConfigDocument(parsed: Json): ConfigDocument {
  const config = parsed as unknown as ConfigDocument & { executor_profile: { variant?: string | null } };
  const { executor, variant } = config.executor_profile;
  return { ...config, executor_profile: variant == null ? { executor } : { executor, variant } };
}

/** The GitHub token `GitHubConfig::token()` uses: the PAT, else the OAuth token. */
export function githubToken(config: ConfigDocument): string | null {
  return config.github.pat ?? config.github.oauth_token ?? null;
}
