import asyncio

import pytest

from shadow.errors import ShedError
from shadow.lanes import GLOBAL, Lanes, profile_scope, scope_of
from tests.factories import PROJECT_ID, trequest


async def run_in_admission_order(lanes_plan: list[tuple[str, dict[str, object]]], lanes: Lanes) -> list[str]:
    """Admit all, then start them in *reverse* order; record the order they get through."""
    order: list[str] = []
    tickets = [(name, lanes.admit(**kwargs)) for name, kwargs in lanes_plan]  # type: ignore[arg-type]

    async def go(name: str, ticket: object) -> None:
        await ticket.wait()  # type: ignore[attr-defined]
        order.append(name)
        await asyncio.sleep(0.001)
        ticket.release()  # type: ignore[attr-defined]

    await asyncio.gather(*(go(name, ticket) for name, ticket in reversed(tickets)))
    return order


async def test_writes_reach_the_candidate_in_primary_completion_order() -> None:
    lanes = Lanes(100)
    plan = [(f"w{n}", {"write": True, "started_at": n, "completed_at": n + 0.5}) for n in range(6)]
    assert await run_in_admission_order(plan, lanes) == [f"w{n}" for n in range(6)]
    assert lanes.pending == 0


async def test_read_waits_only_for_writes_completed_before_it_started() -> None:
    lanes = Lanes(100)
    w1 = lanes.admit(write=True, started_at=0, completed_at=1)
    w2 = lanes.admit(write=True, started_at=1.5, completed_at=3)
    read = lanes.admit(write=False, started_at=2, completed_at=3.1)  # overlapped w2, started after w1
    assert read.waiting_on == 1
    waiter = asyncio.ensure_future(read.wait())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    w1.release()
    await asyncio.wait_for(waiter, 1)  # w2 still pending: not needed
    w2.release()
    read.release()


async def test_reads_do_not_wait_for_each_other_and_writes_wait_for_earlier_reads() -> None:
    lanes = Lanes(100)
    r1 = lanes.admit(write=False, started_at=0, completed_at=1)
    r2 = lanes.admit(write=False, started_at=0.5, completed_at=1.2)
    assert r1.waiting_on == 0 and r2.waiting_on == 0
    write = lanes.admit(write=True, started_at=1.1, completed_at=2)  # r1 completed before it started, r2 not
    assert write.waiting_on == 1
    r1.release()
    assert write.waiting_on == 0
    for ticket in (r2, write):
        ticket.release()


async def test_streams_never_hold_writes_back() -> None:
    lanes = Lanes(100)
    stream = lanes.admit(write=False, started_at=0, completed_at=0.1, stream=True)
    write = lanes.admit(write=True, started_at=1, completed_at=2)
    assert write.waiting_on == 0
    stream.release()
    write.release()


async def test_scopes_are_independent_but_global_orders_against_all() -> None:
    lanes = Lanes(100)
    a = lanes.admit(write=True, started_at=0, completed_at=1, scope="project_id=a")
    b = lanes.admit(write=True, started_at=0, completed_at=1.1, scope="project_id=b")
    assert b.waiting_on == 0
    everything = lanes.admit(write=False, started_at=2, completed_at=2.1, scope=GLOBAL)
    assert everything.waiting_on == 2
    a_read = lanes.admit(write=False, started_at=2, completed_at=2.2, scope="project_id=a")
    assert a_read.waiting_on == 1
    for ticket in (a, b, everything, a_read):
        ticket.release()
    assert lanes.pending == 0


def test_full_lanes_shed_at_once_and_release_is_idempotent() -> None:
    lanes = Lanes(2)
    first = lanes.admit(write=False, started_at=0, completed_at=1)
    lanes.admit(write=False, started_at=0, completed_at=1)
    with pytest.raises(ShedError, match="2 exchanges"):
        lanes.admit(write=True, started_at=0, completed_at=1)
    first.release()
    first.release()
    assert lanes.pending == 1
    lanes.admit(write=True, started_at=0, completed_at=1)


def test_scope_of_reads_path_params_query_and_json_body() -> None:
    keys = ("project_id", "id")
    assert (
        scope_of(trequest(path="/api/tasks", query=f"project_id={PROJECT_ID}"), "/api/tasks", keys)
        == f"project_id={PROJECT_ID}"
    )
    body = trequest(method="POST", path="/api/tasks", json={"project_id": "p1", "title": "t"})
    assert scope_of(body, "/api/tasks", keys) == "project_id=p1"
    assert scope_of(trequest(path="/api/projects/p9/branches"), "/api/projects/{id}/branches", keys) == "id=p9"
    assert scope_of(trequest(path="/api/health"), "/api/health", keys) == GLOBAL
    assert scope_of(trequest(path="/api/tasks", query="project_id=x"), "/api/tasks", ()) == GLOBAL


def test_profile_scope_reads_the_rules_scope_key() -> None:
    class Rule:
        def __init__(self, scope: str, scope_key: str | None) -> None:
            self.scope, self.scope_key = scope, scope_key

    get = trequest(path="/api/tasks", query="project_id=p1")
    assert profile_scope(get, Rule("project", "query:project_id"), {}) == "project=p1"
    post = trequest(method="POST", path="/api/tasks", json={"project_id": "p2"})
    assert profile_scope(post, Rule("project", "body:project_id"), {}) == "project=p2"
    assert profile_scope(trequest(path="/api/tasks/t9"), Rule("task", "path:task_id"), {"task_id": "t9"}) == "task=t9"
    assert profile_scope(trequest(method="PUT", path="/api/config"), Rule("config", None), {}) == "config"
    assert profile_scope(get, Rule("global", None), {}) == GLOBAL
    assert profile_scope(get, None, {}) == GLOBAL
    assert profile_scope(trequest(path="/api/tasks"), Rule("project", "query:project_id"), {}) == GLOBAL
