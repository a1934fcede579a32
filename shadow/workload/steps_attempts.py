"""Task-attempt routes with the scripted agent: the full chain (setup -> agent -> commit -> cleanup ->
``inreview``), follow-up, git operations (branch-status, diff, rebase, push, pr, delete-file, merge),
children, containers/info with a real worktree, a failing agent, and the attempt creation errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

from shadow.reference.agent import AGENT_VARIANT, attempt_body
from shadow.workload.context import JSON, UNKNOWN_ID, Context, Family, Phase, Reply, data_field_is
from shadow.workload.gitrepo import commit_files, init_repo

__all__ = ["FAMILY", "build_agent_repo", "processes_settled"]

FAMILY = Family("attempts", requires=frozenset({"system", "projects", "tasks"}))

SETUP_SCRIPT = "echo 'setup: installing'; sleep 1; echo 'setup: done'"
CLEANUP_SCRIPT = "echo 'cleanup: tidying'; echo tidy >> cleanup.log"
DEV_SCRIPT = "echo 'dev server up'; sleep 30"


def processes_settled(count: int) -> Callable[[Reply], bool]:
    """Poll condition on a process list: at least ``count`` processes and none of them running."""

    def holds(reply: Reply) -> bool:
        data = reply.data if reply.envelope_ok else None
        return (
            isinstance(data, list)
            and len(data) >= count
            and all(isinstance(p, dict) and p.get("status") != "running" for p in data)
        )

    return holds


def build_agent_repo(root: Path) -> Path:
    """The agent's playground at ``root/repos/agent``: one commit on main, fixed date."""
    repo = init_repo(root / "repos/agent")
    commit_files(
        repo,
        {"README.md": "# Agent playground\n", "src/main.py": "print('main')\n"},
        "Initial commit",
        date="2025-02-01T00:00:00Z",
    )
    return repo


@FAMILY.step("prepare")
def prepare(ctx: Context) -> None:
    repo = ctx.prepare(build_agent_repo)
    body = {
        "name": "Agent Project",
        "git_repo_path": str(repo),
        "use_existing_repo": True,
        "setup_script": SETUP_SCRIPT,
        "dev_script": DEV_SCRIPT,
        "cleanup_script": CLEANUP_SCRIPT,
    }
    ctx.state["project.agent"] = ctx.entity(ctx.call("create-project", "POST", "/api/projects", json_body=body))


@FAMILY.step("create", needs=("project.agent", "agent"))
def create(ctx: Context) -> None:
    task_body = {
        "project_id": ctx.state["project.agent"]["id"],
        "title": "Add hello file",
        "description": "Create hello.txt with a greeting.",
    }
    task = ctx.entity(ctx.call("create-task", "POST", "/api/tasks", json_body=task_body))
    ctx.state["task.agent"] = task
    body = attempt_body(task["id"])
    ctx.state["attempt"] = ctx.entity(ctx.call("create", "POST", "/api/task-attempts", json_body=body))


@FAMILY.step("chain", needs=("attempt", "task.agent"))
def chain(ctx: Context) -> None:
    # setup script -> scripted agent (writes hello.txt, commit) -> cleanup script (commit) -> inreview
    ctx.poll("wait-inreview", f"/api/tasks/{ctx.state['task.agent']['id']}", data_field_is("status", "inreview"))
    params = {"task_attempt_id": ctx.state["attempt"]["id"]}
    ctx.poll("wait-chain-processes", "/api/execution-processes", processes_settled(3), params=params)
    attempt = ctx.entity(ctx.get("get", f"/api/task-attempts/{ctx.state['attempt']['id']}"))
    if attempt.get("container_ref"):
        ctx.recorder.set_prefix("WORKTREES", str(PurePosixPath(attempt["container_ref"]).parent))
    ctx.state["attempt.ready"] = attempt


@FAMILY.step("read", needs=("attempt.ready",))
def read(ctx: Context) -> None:
    attempt = ctx.state["attempt.ready"]
    ctx.get("list-by-task", "/api/task-attempts", {"task_id": attempt["task_id"]})
    ctx.get("list-all", "/api/task-attempts")
    ctx.get("list-unknown-task", "/api/task-attempts", {"task_id": UNKNOWN_ID})
    ctx.get("task-after-chain", "/api/tasks", {"project_id": ctx.state["project.agent"]["id"]})
    ctx.get("containers-info", "/api/containers/info", {"ref": str(attempt["container_ref"])})


@FAMILY.step("git-status", needs=("attempt.ready",))
def git_status(ctx: Context) -> None:
    path = f"/api/task-attempts/{ctx.state['attempt']['id']}"
    ctx.get("branch-status", f"{path}/branch-status")
    # The live diff never ends (and on Linux feeds on its own file reads): read a short window.
    ctx.stream("diff-live", f"{path}/diff", window=1.5)


@FAMILY.step("follow-up", needs=("attempt.ready",))
def follow_up(ctx: Context) -> None:
    attempt_id = ctx.state["attempt"]["id"]
    prompt = "Add a second line.\nagent: append hello.txt second line\nagent: say Appended a second line."
    # Always pass the variant: 0.0.71 does not inherit it and would run the real Claude Code.
    body = {"prompt": prompt, "variant": AGENT_VARIANT}
    ctx.entity(ctx.call("follow-up", "POST", f"/api/task-attempts/{attempt_id}/follow-up", json_body=body))
    params = {"task_attempt_id": attempt_id}
    ctx.poll("wait-follow-up", "/api/execution-processes", processes_settled(5), params=params)
    ctx.get("task-after-follow-up", f"/api/tasks/{ctx.state['task.agent']['id']}")
    ctx.state["attempt.followed-up"] = True


@FAMILY.step("git-operations", needs=("attempt.followed-up",))
def git_operations(ctx: Context) -> None:
    path = f"/api/task-attempts/{ctx.state['attempt']['id']}"
    ctx.call("delete-file-missing", "POST", f"{path}/delete-file", params={"file_path": "nope.txt"})
    # The cleanup script's commit can land after its process reads as completed (a race of 0.0.71 itself);
    # rebasing a dirty worktree then fails with 500. Wait, as a client would, for the worktree to be clean.
    ctx.poll("wait-clean-worktree", f"{path}/branch-status", data_field_is("has_uncommitted_changes", False))
    ctx.call("rebase", "POST", f"{path}/rebase")
    ctx.call("push-without-token", "POST", f"{path}/push")
    ctx.call("pr-without-token", "POST", f"{path}/pr", json_body={"title": "Parity PR", "body": "From the workload"})
    ctx.call("pr-missing-title", "POST", f"{path}/pr", json_body={"body": "no title"})
    ctx.call("open-editor", "POST", f"{path}/open-editor", content="null", headers=JSON)
    ctx.get("branch-status-after-follow-up", f"{path}/branch-status")


@FAMILY.step("children", needs=("attempt.ready",))
def children(ctx: Context) -> None:
    body = {
        "project_id": ctx.state["project.agent"]["id"],
        "title": "Child task",
        "description": "Continues the parent attempt.",
        "parent_task_attempt": ctx.state["attempt"]["id"],
    }
    ctx.entity(ctx.call("create-child", "POST", "/api/tasks", json_body=body))
    ctx.get("children", f"/api/task-attempts/{ctx.state['attempt']['id']}/children")


@FAMILY.step("failing-agent", needs=("project.existing", "agent"))
def failing_agent(ctx: Context) -> None:
    # No cleanup script in this project: a failed agent with no next action finalizes the task to inreview.
    task_body = {
        "project_id": ctx.state["project.existing"]["id"],
        "title": "Failing agent",
        "description": "This run fails.\nagent: stderr something went wrong\nagent: fail 3",
    }
    task = ctx.entity(ctx.call("failing-task", "POST", "/api/tasks", json_body=task_body))
    body = attempt_body(task["id"])
    attempt = ctx.entity(ctx.call("failing-create", "POST", "/api/task-attempts", json_body=body))
    ctx.poll("wait-failing-inreview", f"/api/tasks/{task['id']}", data_field_is("status", "inreview"))
    params = {"task_attempt_id": attempt["id"]}
    processes = ctx.data(
        ctx.poll("wait-failing-process", "/api/execution-processes", processes_settled(1), params=params)
    )
    ctx.get("failing-task-list", "/api/tasks", {"project_id": ctx.state["project.existing"]["id"]})
    agent = f"/api/execution-processes/{processes[0]['id']}"  # no scripts here: the agent is the only process
    ctx.stream("failing-raw-logs", f"{agent}/raw-logs", window=5.0)
    ctx.stream("failing-normalized-logs", f"{agent}/normalized-logs", window=5.0)


@FAMILY.step("create-errors", needs=("project.existing",))
def create_errors(ctx: Context) -> None:
    task_body = {"project_id": ctx.state["project.existing"]["id"], "title": "Attempt errors", "description": None}
    task = ctx.entity(ctx.call("errors-task", "POST", "/api/tasks", json_body=task_body))
    cases = {
        "create-unknown-executor": {
            "task_id": task["id"],
            "executor_profile_id": {"executor": "NOPE"},
            "base_branch": "main",
        },
        "create-unknown-branch": attempt_body(task["id"], base_branch="no-such-branch"),
        "create-unknown-task": attempt_body(UNKNOWN_ID),
    }
    for name, body in cases.items():
        ctx.call(name, "POST", "/api/task-attempts", json_body=body)
    ctx.call(
        "follow-up-unknown",
        "POST",
        f"/api/task-attempts/{UNKNOWN_ID}/follow-up",
        json_body={"prompt": "x", "variant": AGENT_VARIANT},
    )


@FAMILY.step("merge", needs=("attempt.followed-up",), phase=Phase.FINAL)
def merge(ctx: Context) -> None:
    # Last: processes' dev server and stopped agent are done; the worktree and the main repo are clean.
    path = f"/api/task-attempts/{ctx.state['attempt']['id']}"
    ctx.call("merge", "POST", f"{path}/merge")
    ctx.get("task-after-merge", f"/api/tasks/{ctx.state['task.agent']['id']}")
    ctx.get("branch-status-after-merge", f"{path}/branch-status")
    # Merged, clean and not ahead: the diff is the merge commit's, and the stream ends with `finished`.
    ctx.stream("diff-after-merge", f"{path}/diff", window=5.0)
