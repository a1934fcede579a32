// 0.0.71's request bodies as serde specs (field order = declaration order in the Rust structs).

import { EXECUTOR_PROFILE_ID } from "../config";
import { bool, map, option, seq, str, struct, unitEnum, uuid, value } from "../serde/spec";
import { TASK_STATUSES } from "../validators";

export const CREATE_PROJECT = struct("CreateProject", {
  name: str,
  git_repo_path: str,
  use_existing_repo: bool,
  setup_script: option(str),
  dev_script: option(str),
  cleanup_script: option(str),
  copy_files: option(str),
});

export const UPDATE_PROJECT = struct("UpdateProject", {
  name: option(str),
  git_repo_path: option(str),
  setup_script: option(str),
  dev_script: option(str),
  cleanup_script: option(str),
  copy_files: option(str),
});

export const CREATE_TASK = struct("CreateTask", {
  project_id: uuid,
  title: str,
  description: option(str),
  parent_task_attempt: option(uuid),
  image_ids: option(seq(uuid)),
});

export const UPDATE_TASK = struct("UpdateTask", {
  title: option(str),
  description: option(str),
  status: option(unitEnum(TASK_STATUSES)),
  parent_task_attempt: option(uuid),
  image_ids: option(seq(uuid)),
});

export const CREATE_TASK_ATTEMPT = struct("CreateTaskAttemptBody", {
  task_id: uuid,
  executor_profile_id: EXECUTOR_PROFILE_ID,
  base_branch: str,
});

export const CREATE_TEMPLATE = struct("CreateTaskTemplate", {
  project_id: option(uuid),
  title: str,
  description: option(str),
  template_name: str,
});

export const UPDATE_TEMPLATE = struct("UpdateTaskTemplate", {
  title: option(str),
  description: option(str),
  template_name: option(str),
});

export const UPDATE_MCP_SERVERS = struct("UpdateMcpServersBody", { servers: map(value) });

/** `Json<Option<OpenEditorRequest>>`: `null` is accepted; a type name that is not one of the seven is no error. */
export const OPEN_PROJECT_EDITOR = option(struct("OpenEditorRequest", { editor_type: option(str) }));
