// Names and prompts 0.0.71 derives for an attempt (utils/src/text.rs, Task::to_prompt).

/** 0.0.71 `git_branch_id`: lowercase, runs outside [a-z0-9] → '-', trimmed, 10 chars, trailing '-' trimmed. */
export function branchSlug(title: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return [...slug].slice(0, 10).join("").replace(/-+$/, "");
}

/** `vk-<first 4 hex of the attempt id>-<slug>`: branch and worktree directory name. */
export function attemptDirName(attemptId: string, title: string): string {
  return `vk-${attemptId.replaceAll("-", "").slice(0, 4)}-${branchSlug(title)}`;
}

/** `Task::to_prompt`. */
export function taskPrompt(task: { title: string; description: string | null }): string {
  return task.description === null ? task.title : `Title: ${task.title}\n\nDescription:${task.description}`;
}
