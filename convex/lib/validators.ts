// Enum domains and shared document shapes, used by schema.ts and by function args/returns alike so the two
// cannot drift. Literal spellings are 0.0.71's wire spellings (see CONTRACT.md §2).

import { Infer, v } from "convex/values";

export const taskStatus = v.union(
  v.literal("todo"),
  v.literal("inprogress"),
  v.literal("inreview"),
  v.literal("done"),
  v.literal("cancelled"),
);
export type TaskStatus = Infer<typeof taskStatus>;
export const TASK_STATUSES: readonly TaskStatus[] = ["todo", "inprogress", "inreview", "done", "cancelled"];

export const runReason = v.union(
  v.literal("setupscript"),
  v.literal("cleanupscript"),
  v.literal("archivescript"),
  v.literal("codingagent"),
  v.literal("devserver"),
);
export type RunReason = Infer<typeof runReason>;

export const processStatus = v.union(
  v.literal("running"),
  v.literal("completed"),
  v.literal("failed"),
  v.literal("killed"),
);
export type ProcessStatus = Infer<typeof processStatus>;

export const mergeType = v.union(v.literal("direct"), v.literal("pr"));
export const prStatus = v.union(v.literal("open"), v.literal("merged"), v.literal("closed"), v.literal("unknown"));

export const approvalState = v.union(v.literal("pending"), v.literal("completed"));

/** Tables whose writes feed `/api/events` (0.0.71's update hook covers exactly these three). */
export const changeTable = v.union(v.literal("tasks"), v.literal("workspaces"), v.literal("executionProcesses"));
export type ChangeTable = Infer<typeof changeTable>;
export const changeOp = v.union(v.literal("insert"), v.literal("update"), v.literal("delete"));
export type ChangeOp = Infer<typeof changeOp>;

export const nullableString = v.union(v.string(), v.null());

export const SOUND_NAMES = [
  "ABSTRACT_SOUND1",
  "ABSTRACT_SOUND2",
  "ABSTRACT_SOUND3",
  "ABSTRACT_SOUND4",
  "COW_MOOING",
  "PHONE_VIBRATION",
  "ROOSTER",
] as const;
export const soundName = v.union(...SOUND_NAMES.map((name) => v.literal(name)));

export const THEME_MODES = ["LIGHT", "DARK", "SYSTEM", "PURPLE", "GREEN", "BLUE", "ORANGE", "RED"] as const;
export const EDITOR_TYPES = ["VS_CODE", "CURSOR", "WINDSURF", "INTELLI_J", "ZED", "XCODE", "CUSTOM"] as const;

/** 0.0.71's Config v6, stored as the wire document (snake_case) it is served as. */
export const configDocument = v.object({
  config_version: v.string(),
  theme: v.union(...THEME_MODES.map((t) => v.literal(t))),
  executor_profile: v.object({ executor: v.string(), variant: v.optional(v.string()) }),
  disclaimer_acknowledged: v.boolean(),
  onboarding_acknowledged: v.boolean(),
  github_login_acknowledged: v.boolean(),
  telemetry_acknowledged: v.boolean(),
  notifications: v.object({ sound_enabled: v.boolean(), push_enabled: v.boolean(), sound_file: soundName }),
  editor: v.object({ editor_type: v.union(...EDITOR_TYPES.map((t) => v.literal(t))), custom_command: nullableString }),
  github: v.object({
    pat: nullableString,
    oauth_token: nullableString,
    username: nullableString,
    primary_email: nullableString,
    default_pr_base: nullableString,
  }),
  analytics_enabled: v.union(v.boolean(), v.null()),
  workspace_dir: nullableString,
  last_app_version: nullableString,
  show_release_notes: v.boolean(),
});
export type ConfigDocument = Infer<typeof configDocument>;

/** What the runner's host looks like (served in /api/info and used for HOME-relative paths). */
export const environmentDocument = v.object({
  home: v.string(),
  os_type: v.string(),
  os_version: v.string(),
  os_architecture: v.string(),
  bitness: v.string(),
});
export type EnvironmentDocument = Infer<typeof environmentDocument>;

/** A runner command's failure (the runner-host protocol's shape). */
export const commandFailure = v.object({
  kind: v.union(v.literal("soft"), v.literal("api"), v.literal("internal")),
  message: v.string(),
});
