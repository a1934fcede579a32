// Key order on the wire. Values cross function boundaries as Convex objects, whose field order is not
// preserved (the backend stores objects as sorted maps), so the HTTP edge re-orders every response to the
// order serde emits from 0.0.71's structs. A shape lists keys in order; `true` keeps the value as is, a
// nested shape orders an object (or each object in an array) recursively.

export type Shape = { readonly [key: string]: Shape | true };

export function orderKeys(value: unknown, shape: Shape): unknown {
  if (Array.isArray(value)) return value.map((item) => orderKeys(item, shape));
  if (value === null || typeof value !== "object") return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(shape)) {
    if (!(key in source)) continue;
    out[key] = sub === true ? source[key] : orderKeys(source[key], sub);
  }
  for (const key of Object.keys(source)) if (!(key in out)) out[key] = source[key];
  return out;
}

/** serde_json::Value serializes maps as BTreeMaps: keys sorted, recursively (used by /api/events). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== "object") return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) out[key] = sortKeysDeep(source[key]);
  return out;
}

export const PROJECT: Shape = {
  id: true,
  name: true,
  git_repo_path: true,
  setup_script: true,
  dev_script: true,
  cleanup_script: true,
  copy_files: true,
  created_at: true,
  updated_at: true,
};

export const TASK: Shape = {
  id: true,
  project_id: true,
  title: true,
  description: true,
  status: true,
  parent_task_attempt: true,
  created_at: true,
  updated_at: true,
};

export const TASK_WITH_STATUS: Shape = {
  ...TASK,
  has_in_progress_attempt: true,
  has_merged_attempt: true,
  last_attempt_failed: true,
  profile: true,
};

export const ATTEMPT: Shape = {
  id: true,
  task_id: true,
  container_ref: true,
  branch: true,
  base_branch: true,
  profile: true,
  worktree_deleted: true,
  setup_completed_at: true,
  created_at: true,
  updated_at: true,
};

const EXECUTOR_PROFILE_ID: Shape = { executor: true, variant: true };

/** ExecutorAction {typ, next_action}; the typ variants' fields in serde order (their key sets are disjoint). */
const ACTION: { [key: string]: Shape | true } = {};
ACTION.typ = {
  type: true,
  script: true,
  language: true,
  context: true,
  prompt: true,
  session_id: true,
  executor_profile_id: EXECUTOR_PROFILE_ID,
};
ACTION.next_action = ACTION;
export const EXECUTOR_ACTION: Shape = ACTION;

export const PROCESS: Shape = {
  id: true,
  task_attempt_id: true,
  run_reason: true,
  executor_action: EXECUTOR_ACTION,
  status: true,
  exit_code: true,
  started_at: true,
  completed_at: true,
  created_at: true,
  updated_at: true,
};

export const TEMPLATE: Shape = {
  id: true,
  project_id: true,
  title: true,
  description: true,
  template_name: true,
  created_at: true,
  updated_at: true,
};

export const IMAGE: Shape = {
  id: true,
  file_path: true,
  original_name: true,
  mime_type: true,
  size_bytes: true,
  hash: true,
  created_at: true,
  updated_at: true,
};

export const CONFIG: Shape = {
  config_version: true,
  theme: true,
  executor_profile: EXECUTOR_PROFILE_ID,
  disclaimer_acknowledged: true,
  onboarding_acknowledged: true,
  github_login_acknowledged: true,
  telemetry_acknowledged: true,
  notifications: { sound_enabled: true, push_enabled: true, sound_file: true },
  editor: { editor_type: true, custom_command: true },
  github: { pat: true, oauth_token: true, username: true, primary_email: true, default_pr_base: true },
  analytics_enabled: true,
  workspace_dir: true,
  last_app_version: true,
  show_release_notes: true,
};

export const CONTAINER_INFO: Shape = { attempt_id: true, task_id: true, project_id: true };
export const ENVIRONMENT: Shape = { os_type: true, os_version: true, os_architecture: true, bitness: true };
export const GIT_BRANCH: Shape = { name: true, is_current: true, is_remote: true, last_commit_date: true };
export const SEARCH_RESULT: Shape = { path: true, is_file: true, match_type: true };
export const DIRECTORY_ENTRY: Shape = { name: true, path: true, is_directory: true, is_git_repo: true, last_modified: true };
export const DIRECTORY_LISTING: Shape = { entries: DIRECTORY_ENTRY, current_path: true };
