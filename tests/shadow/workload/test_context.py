from __future__ import annotations

import httpx
import pytest

from shadow.workload.context import Context, Family, Phase, StepFailed, data_field_is
from shadow.workload.session import Reply


def _reply(status: int, body: bytes) -> Reply:
    return Reply("f.s", status, httpx.Headers(), body)


def test_family_registers_steps_in_order_and_refuses_duplicates() -> None:
    family = Family("demo")

    @family.step("one")
    def one(ctx: Context) -> None: ...

    @family.step("two", needs=("x",), phase=Phase.FINAL)
    def two(ctx: Context) -> None: ...

    assert [(s.qualified, s.needs, s.phase) for s in family.steps] == [
        ("demo.one", (), Phase.MAIN),
        ("demo.two", ("x",), Phase.FINAL),
    ]
    with pytest.raises(ValueError, match="declared twice"):
        family.step("one")(one)


def test_data_and_entity_demand_a_successful_envelope() -> None:
    ok = _reply(200, b'{"success":true,"data":{"id":"abc","status":"todo"},"error_data":null,"message":null}')
    assert Context.entity(ok)["id"] == "abc"
    assert data_field_is("status", "todo")(ok) and not data_field_is("status", "done")(ok)
    with pytest.raises(StepFailed, match="successful envelope"):
        Context.data(_reply(200, b'{"success":false,"data":null,"error_data":null,"message":"nope"}'))
    with pytest.raises(StepFailed, match="successful envelope"):
        Context.data(_reply(404, b""))
    with pytest.raises(StepFailed, match="entity with an id"):
        Context.entity(_reply(200, b'{"success":true,"data":"OK"}'))
    assert not data_field_is("status", "todo")(_reply(500, b"garbage"))
