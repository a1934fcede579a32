// Every table of the candidate. The migration plan's model (workspaces = 0.0.71 task attempts, split into
// workspaces + workspaceRepos + sessions; projects split into projects + repos + projectRepos), plus what the
// 0.0.71 compatibility API needs (projects, tasks, taskTemplates, taskImages, settings documents, the
// ordered change feed behind /api/events), plus the runner protocol's tables.
//
// Conventions:
// - `legacyId`: the UUID on the wire (minted v4 with crypto.randomUUID(); migrated rows keep theirs).
// - Timestamps are stored as the wire strings the primary would emit (RFC 3339; ms precision for rows the
//   primary creates through SQLite defaults, s precision for its CURRENT_TIMESTAMP writes; ns values of the
//   primary are written with ms precision here). `createdMs` (epoch ms) is the sort key indexes use, because
//   mixed-precision strings do not sort lexicographically.
// - `rowid`: SQLite's rowid analogue (max + 1 per table) for the `DELETED_*` records of /api/events.

import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { runnerTables } from "./lib/runnerTables";
import {
  approvalState,
  changeOp,
  changeTable,
  configDocument,
  environmentDocument,
  mergeType,
  nullableString,
  prStatus,
  processStatus,
  runReason,
  soundName,
  taskStatus,
} from "./lib/validators";

const nullableNumber = v.union(v.number(), v.null());

export default defineSchema({
  ...runnerTables,

  projects: defineTable({
    legacyId: v.string(),
    name: v.string(),
    createdAt: v.string(),
    updatedAt: v.string(),
    createdMs: v.number(),
  })
    .index("by_legacyId", ["legacyId"])
    .index("by_createdMs", ["createdMs"]),

  // A git repository the runner manages (0.0.71 `projects.git_repo_path` and the scripts).
  repos: defineTable({
    path: v.string(),
    name: v.string(),
    displayName: v.string(),
    setupScript: nullableString,
    cleanupScript: nullableString,
    archiveScript: nullableString,
    copyFiles: nullableString,
    parallelSetupScript: v.boolean(),
    devServerScript: nullableString,
    defaultTargetBranch: nullableString,
    defaultWorkingDir: nullableString,
    createdAt: v.string(),
    updatedAt: v.string(),
  }).index("by_path", ["path"]),

  projectRepos: defineTable({ projectId: v.id("projects"), repoId: v.id("repos") })
    .index("by_projectId", ["projectId"])
    .index("by_repoId", ["repoId"]),

  tasks: defineTable({
    legacyId: v.string(),
    rowid: v.number(),
    projectId: v.id("projects"),
    title: v.string(),
    description: nullableString,
    status: taskStatus,
    parentWorkspaceId: v.union(v.id("workspaces"), v.null()),
    createdAt: v.string(),
    updatedAt: v.string(),
    createdMs: v.number(),
  })
    .index("by_legacyId", ["legacyId"])
    .index("by_rowid", ["rowid"])
    .index("by_projectId_and_createdMs", ["projectId", "createdMs"])
    .index("by_parentWorkspaceId", ["parentWorkspaceId"]),

  taskTemplates: defineTable({
    legacyId: v.string(),
    projectId: v.union(v.id("projects"), v.null()),
    title: v.string(),
    description: nullableString,
    templateName: v.string(),
    createdAt: v.string(),
    updatedAt: v.string(),
  })
    .index("by_legacyId", ["legacyId"])
    .index("by_projectId_and_templateName", ["projectId", "templateName"]),

  // 0.0.71 task attempt. `taskId` is kept filled and indexed (HEAD made it nullable, see MODEL-MAPPING §2.1).
  workspaces: defineTable({
    legacyId: v.string(),
    rowid: v.number(),
    taskId: v.id("tasks"),
    containerRef: nullableString,
    branch: nullableString,
    setupCompletedAt: nullableString,
    worktreeDeleted: v.boolean(),
    archived: v.boolean(),
    pinned: v.boolean(),
    name: nullableString,
    createdAt: v.string(),
    updatedAt: v.string(),
    createdMs: v.number(),
  })
    .index("by_legacyId", ["legacyId"])
    .index("by_rowid", ["rowid"])
    .index("by_taskId_and_createdMs", ["taskId", "createdMs"])
    .index("by_containerRef", ["containerRef"])
    .index("by_createdMs", ["createdMs"]),

  // 0.0.71 `base_branch` lives here as `targetBranch` (one row per attempt).
  workspaceRepos: defineTable({
    workspaceId: v.id("workspaces"),
    repoId: v.id("repos"),
    targetBranch: v.string(),
    createdAt: v.string(),
    updatedAt: v.string(),
  })
    .index("by_workspaceId", ["workspaceId"])
    .index("by_repoId", ["repoId"]),

  // One per 0.0.71 attempt; `executor` is the attempt's `profile`.
  sessions: defineTable({
    legacyId: v.string(),
    workspaceId: v.id("workspaces"),
    executor: nullableString,
    agentWorkingDir: nullableString,
    name: nullableString,
    createdAt: v.string(),
    updatedAt: v.string(),
    createdMs: v.number(),
  }).index("by_workspaceId_and_createdMs", ["workspaceId", "createdMs"]),

  executionProcesses: defineTable({
    legacyId: v.string(),
    rowid: v.number(),
    sessionId: v.id("sessions"),
    workspaceId: v.id("workspaces"), // denormalized: 0.0.71's task_attempt_id, and the list index
    runReason,
    executorAction: v.any(), // 0.0.71's ExecutorAction JSON ({typ, next_action}), executor_profile_id form
    status: processStatus,
    exitCode: nullableNumber,
    dropped: v.boolean(),
    startedAt: v.string(),
    completedAt: nullableString,
    createdAt: v.string(),
    updatedAt: v.string(),
    createdMs: v.number(),
  })
    .index("by_legacyId", ["legacyId"])
    .index("by_rowid", ["rowid"])
    .index("by_workspaceId_and_createdMs", ["workspaceId", "createdMs"])
    .index("by_workspaceId_and_status", ["workspaceId", "status"])
    .index("by_sessionId_and_createdMs", ["sessionId", "createdMs"])
    .index("by_status", ["status"])
    .index("by_runReason", ["runReason"]),

  executionProcessRepoStates: defineTable({
    executionProcessId: v.id("executionProcesses"),
    repoId: v.id("repos"),
    beforeHeadCommit: nullableString,
    afterHeadCommit: nullableString,
    mergeCommit: nullableString,
    createdAt: v.string(),
    updatedAt: v.string(),
  })
    .index("by_executionProcessId", ["executionProcessId"])
    .index("by_repoId", ["repoId"]),

  codingAgentTurns: defineTable({
    executionProcessId: v.id("executionProcesses"),
    agentSessionId: nullableString,
    agentMessageId: nullableString,
    prompt: nullableString,
    summary: nullableString,
    seen: v.boolean(),
    createdAt: v.string(),
    updatedAt: v.string(),
  })
    .index("by_executionProcessId", ["executionProcessId"])
    .index("by_agentSessionId", ["agentSessionId"]),

  // Direct merges and (0.0.71 wire shape) PR rows.
  merges: defineTable({
    legacyId: v.string(),
    workspaceId: v.id("workspaces"),
    repoId: v.id("repos"),
    mergeType,
    mergeCommit: nullableString,
    targetBranchName: v.string(),
    prNumber: nullableNumber,
    prUrl: nullableString,
    prStatus: v.union(prStatus, v.null()),
    prMergedAt: nullableString,
    prMergeCommitSha: nullableString,
    createdAt: v.string(),
    createdMs: v.number(),
  }).index("by_workspaceId_and_createdMs", ["workspaceId", "createdMs"]),

  // Composite identity (scratchId, scratchType), as upstream's PRIMARY KEY (id, scratch_type).
  scratch: defineTable({
    scratchId: v.string(),
    scratchType: v.string(),
    payload: v.any(),
    createdAt: v.string(),
    updatedAt: v.string(),
    createdMs: v.number(),
  })
    .index("by_scratchId_and_scratchType", ["scratchId", "scratchType"])
    .index("by_createdMs", ["createdMs"]),

  // Uploaded images: bytes in Convex file storage, deduplicated by sha256 (`hash`).
  images: defineTable({
    legacyId: v.string(),
    fileName: v.string(), // "<uuid>.<ext>", served as ".vibe-images/<fileName>"
    storageId: v.id("_storage"),
    originalName: v.string(),
    mimeType: nullableString,
    sizeBytes: v.number(),
    hash: v.string(),
    createdAt: v.string(),
    updatedAt: v.string(),
  })
    .index("by_legacyId", ["legacyId"])
    .index("by_hash", ["hash"]),

  taskImages: defineTable({
    taskId: v.id("tasks"),
    imageId: v.id("images"),
    createdAt: v.string(),
    createdMs: v.number(),
  })
    .index("by_taskId_and_createdMs", ["taskId", "createdMs"])
    .index("by_imageId", ["imageId"]),

  workspaceImages: defineTable({
    workspaceId: v.id("workspaces"),
    imageId: v.id("images"),
    createdAt: v.string(),
  })
    .index("by_workspaceId_and_imageId", ["workspaceId", "imageId"])
    .index("by_imageId", ["imageId"]),

  // Persisted (upstream keeps these in memory; the plan asks for tables).
  approvals: defineTable({
    approvalId: v.string(),
    executionProcessId: v.id("executionProcesses"),
    toolName: v.string(),
    isQuestion: v.boolean(),
    createdAt: v.string(),
    timeoutAt: v.string(),
    state: approvalState,
    outcome: v.any(),
  })
    .index("by_approvalId", ["approvalId"])
    .index("by_executionProcessId_and_state", ["executionProcessId", "state"]),

  // At most one per session (queueing again replaces it).
  queuedMessages: defineTable({
    sessionId: v.id("sessions"),
    message: v.string(),
    executorConfig: v.any(),
    queuedAt: v.string(),
  }).index("by_sessionId", ["sessionId"]),

  // Deployment-wide documents. `profiles` is JSON text: its keys are user-chosen variant names.
  settings: defineTable(
    v.union(
      v.object({ name: v.literal("config"), value: configDocument }),
      v.object({ name: v.literal("profiles"), value: v.string() }),
      v.object({ name: v.literal("environment"), value: environmentDocument }),
      v.object({ name: v.literal("globalTemplatesSeeded"), value: v.boolean() }),
    ),
  ).index("by_name", ["name"]),

  // The seven notification sounds, uploaded by an operator (`sounds:store`); bytes in file storage.
  sounds: defineTable({
    name: soundName,
    storageId: v.id("_storage"),
    sizeBytes: v.number(),
    sha256: v.string(),
  }).index("by_name", ["name"]),

  // The ordered change feed behind /api/events: one entry per write to tasks / workspaces /
  // executionProcesses, in commit order. `record` is the wire snapshot (null for deletes).
  changes: defineTable({
    sequence: v.number(),
    table: changeTable,
    op: changeOp,
    legacyId: v.string(),
    rowid: v.number(),
    record: v.any(),
  }).index("by_sequence", ["sequence"]),

  // Results of writes made with an Idempotency-Key, so a retried request replays instead of repeating.
  idempotencyKeys: defineTable({ key: v.string(), result: v.any() }).index("by_key", ["key"]),
});
