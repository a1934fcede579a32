import uuid

import pytest

from shadow.config import load_settings
from shadow.sampling import is_loop, is_write, sampled, should_shadow
from tests.factories import trequest


def test_sampled_share_is_close_to_the_rate_and_stable() -> None:
    ids = [uuid.UUID(int=n).hex for n in range(20_000)]
    share = sum(sampled(i, 25) for i in ids) / len(ids)
    assert 0.23 < share < 0.27
    assert [sampled(i, 25) for i in ids[:100]] == [sampled(i, 25) for i in ids[:100]]
    assert all(sampled(i, 100) for i in ids[:50]) and not any(sampled(i, 0) for i in ids[:50])


@pytest.mark.parametrize(("method", "write"), [("GET", False), ("head", False), ("POST", True), ("DELETE", True)])
def test_is_write(method: str, write: bool) -> None:
    assert is_write(method) is write


def test_writes_are_always_shadowed_reads_are_sampled() -> None:
    settings = load_settings(candidate="http://c", sample=0)
    request = trequest()
    assert should_shadow(request, "x", settings, write=True)
    assert not should_shadow(request, "x", settings, write=False)


def test_loop_guard_and_disabled() -> None:
    settings = load_settings(candidate="http://c")
    looped = trequest(headers=(("X-Shadow", "1"),))
    assert is_loop(looped, settings)
    assert not should_shadow(looped, "x", settings, write=True)
    off = load_settings(enabled=False)
    assert not should_shadow(trequest(), "x", off, write=True)
