"""Execution-process routes: list, get, raw and normalized logs of every finished process (SSE replay
ending with ``finished``), a dev server started and stopped, and a running agent stopped."""

from __future__ import annotations

from typing import Any

from shadow.reference.agent import AGENT_VARIANT
from shadow.workload.context import UNKNOWN_ID, Context, Family, Reply, StepFailed, data_field_is
from shadow.workload.steps_attempts import processes_settled

__all__ = ["FAMILY"]

FAMILY = Family("processes", requires=frozenset({"attempts"}))


def _running(run_reason: str) -> Any:
    def holds(reply: Reply) -> bool:
        data = reply.data if reply.envelope_ok else None
        return isinstance(data, list) and any(
            p.get("run_reason") == run_reason and p.get("status") == "running" for p in data if isinstance(p, dict)
        )

    return holds


@FAMILY.step("list", needs=("attempt.followed-up",))
def list_processes(ctx: Context) -> None:
    attempt_id = ctx.state["attempt"]["id"]
    processes = ctx.data(ctx.get("list", "/api/execution-processes", {"task_attempt_id": attempt_id}))
    ctx.get("list-unknown-attempt", "/api/execution-processes", {"task_attempt_id": UNKNOWN_ID})
    if not isinstance(processes, list) or not processes:
        raise StepFailed("no execution processes listed for the attempt")
    ctx.state["processes.finished"] = processes


@FAMILY.step("logs", needs=("processes.finished",))
def logs(ctx: Context) -> None:
    # Request ids name each process by its position and run reason: the same on every backend.
    for index, process in enumerate(ctx.state["processes.finished"], start=1):
        label = f"{index}-{process.get('run_reason')}"
        path = f"/api/execution-processes/{process['id']}"
        ctx.get(f"get-{label}", path)
        ctx.stream(f"raw-logs-{label}", f"{path}/raw-logs", window=5.0)
        ctx.stream(f"normalized-logs-{label}", f"{path}/normalized-logs", window=5.0)


@FAMILY.step("dev-server", needs=("attempt.followed-up",))
def dev_server(ctx: Context) -> None:
    attempt_id = ctx.state["attempt"]["id"]
    params = {"task_attempt_id": attempt_id}
    ctx.call("start-dev-server", "POST", f"/api/task-attempts/{attempt_id}/start-dev-server")
    listed = ctx.poll("wait-dev-server-running", "/api/execution-processes", _running("devserver"), params=params)
    dev = next(p for p in listed.data if p.get("run_reason") == "devserver" and p.get("status") == "running")
    path = f"/api/execution-processes/{dev['id']}"
    # A running script has a normalized-logs stream with no events (404 only once it has ended).
    ctx.stream("dev-server-normalized-logs-running", f"{path}/normalized-logs", window=1.0)
    ctx.call("stop-dev-server", "POST", f"{path}/stop")  # SIGINT, 2 s, SIGTERM, 2 s, SIGKILL
    ctx.poll("wait-dev-server-killed", path, data_field_is("status", "killed"))
    ctx.call("stop-dev-server-again", "POST", f"{path}/stop")
    ctx.get("task-after-dev-server", f"/api/tasks/{ctx.state['task.agent']['id']}")


@FAMILY.step("stop-agent", needs=("attempt.followed-up",))
def stop_agent(ctx: Context) -> None:
    attempt_id = ctx.state["attempt"]["id"]
    body = {"prompt": "Think for a long time.\nagent: sleep 30", "variant": AGENT_VARIANT}
    process = ctx.entity(
        ctx.call("follow-up-slow", "POST", f"/api/task-attempts/{attempt_id}/follow-up", json_body=body)
    )
    path = f"/api/execution-processes/{process['id']}"
    # Read the agent's live normalized log while it runs (it ends with EOF, never `finished`, once it exits).
    ctx.stream("slow-agent-normalized-logs-live", f"{path}/normalized-logs", window=1.0)
    ctx.call("stop-attempt", "POST", f"/api/task-attempts/{attempt_id}/stop")
    ctx.poll("wait-agent-killed", path, data_field_is("status", "killed"))
    ctx.get("task-after-stop", f"/api/tasks/{ctx.state['task.agent']['id']}")
    params = {"task_attempt_id": attempt_id}
    ctx.poll("wait-all-stopped", "/api/execution-processes", processes_settled(7), params=params)
