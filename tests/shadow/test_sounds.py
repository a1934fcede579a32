"""Sounds: fetched once from a real 0.0.71 (then cached), uploaded with sounds:store, and served by the
candidate exactly as the primary serves them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shadow.candidate import Candidate, start_candidate
from shadow.reference.instance import Instance, running_instance
from shadow.sounds import SOUND_NAMES, SoundsError, ensure_sounds, seed_sounds, sounds_dir


class CountingPrimary:
    """The real ``running_instance``, counting how often a primary had to be started."""

    def __init__(self) -> None:
        self.started = 0

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Instance]:
        self.started += 1
        with running_instance() as instance:
            yield instance


def test_fetched_once_from_a_real_primary_then_from_the_cache(tmp_path: Path) -> None:
    directory = tmp_path / "sounds"
    primary = CountingPrimary()
    first = ensure_sounds(directory=directory, primary=primary)
    assert primary.started == 1
    assert list(first) == list(SOUND_NAMES)
    assert all(data[:4] == b"RIFF" and data[8:12] == b"WAVE" for data in first.values())
    assert sorted(p.name for p in directory.glob("*.wav")) == sorted(f"{name}.wav" for name in SOUND_NAMES)

    assert ensure_sounds(directory=directory, primary=primary) == first
    assert primary.started == 1  # served from the cache

    (directory / "ROOSTER.wav").write_bytes(b"not a wav")  # a damaged cache is fetched again
    assert ensure_sounds(directory=directory, primary=primary) == first
    assert primary.started == 2
    assert not list(directory.glob(".*.partial"))


def test_the_candidate_serves_the_primarys_sounds_and_errors(primary: Instance, candidate: Candidate) -> None:
    with (
        httpx.Client(base_url=primary.base_url, timeout=30) as p,
        httpx.Client(base_url=candidate.base_url, timeout=30) as c,
    ):
        for name in SOUND_NAMES:
            expected, got = p.get(f"/api/sounds/{name}"), c.get(f"/api/sounds/{name}")
            assert got.status_code == expected.status_code == 200
            assert got.content == expected.content, name
            for header in ("content-type", "content-length"):
                assert got.headers.get(header) == expected.headers.get(header), (name, header)
        for name in ("cow_mooing", "NOPE", "COW%20MOOING"):
            expected, got = p.get(f"/api/sounds/{name}"), c.get(f"/api/sounds/{name}")
            assert (got.status_code, got.headers["content-type"], got.text) == (
                expected.status_code,
                expected.headers["content-type"],
                expected.text,
            ), name


@pytest.fixture(scope="module")
def unseeded() -> Iterator[Candidate]:
    started = start_candidate(runners=0, sounds=False)
    try:
        yield started
    finally:
        started.stop()


def test_seeding_a_deployment_that_has_none(unseeded: Candidate) -> None:
    url = f"{unseeded.base_url}/api/sounds/COW_MOOING"
    before = httpx.get(url, timeout=10)
    assert before.status_code == 500
    assert before.json()["message"].startswith("DeploymentError: sound COW_MOOING has not been uploaded")

    assert seed_sounds(unseeded.api_url, unseeded.admin_key) == list(SOUND_NAMES)
    cached = ensure_sounds()
    for name in SOUND_NAMES:
        assert httpx.get(f"{unseeded.base_url}/api/sounds/{name}", timeout=10).content == cached[name]
    stored = unseeded.admin_call("query", "sounds:get", {"name": "ROOSTER"})

    seed_sounds(unseeded.api_url, unseeded.admin_key)  # again: unchanged sounds keep their stored file
    assert unseeded.admin_call("query", "sounds:get", {"name": "ROOSTER"}) == stored


def test_seeding_needs_a_valid_admin_key(unseeded: Candidate) -> None:
    with pytest.raises(SoundsError, match="admin key"):
        seed_sounds(unseeded.api_url, "")
    with pytest.raises(SoundsError, match="ABSTRACT_SOUND1"):
        seed_sounds(unseeded.api_url, "not-the-admin-key")


def test_the_cache_lives_next_to_the_binary() -> None:
    from shadow.reference.binary import cache_dir, ensure_binary

    assert sounds_dir().parent == cache_dir() == ensure_binary().parent
