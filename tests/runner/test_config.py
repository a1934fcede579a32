"""RunnerSettings from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from runner.config import RunnerSettings

BASE = {"RUNNER_CONVEX_SITE_URL": "http://127.0.0.1:1/", "RUNNER_KEY_ID": "k", "RUNNER_SECRET": "s3cr3t-value"}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.startswith("RUNNER_"):
            monkeypatch.delenv(key)
    for key, value in BASE.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_roots_by_path_separator_or_json(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    env.setenv("RUNNER_ROOTS", f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}")
    settings = RunnerSettings()
    assert settings.roots == [tmp_path / "a", tmp_path / "b"]
    assert settings.listing_default == tmp_path / "a"
    assert settings.convex_site_url == "http://127.0.0.1:1"
    env.setenv("RUNNER_ROOTS", f'["{tmp_path / "b"}"]')
    assert RunnerSettings().roots == [tmp_path / "b"]


def test_the_secret_never_shows(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("RUNNER_ROOTS", str(tmp_path))
    settings = RunnerSettings()
    assert "s3cr3t-value" not in repr(settings) and "s3cr3t-value" not in str(settings.model_dump())
    assert settings.secret.get_secret_value() == "s3cr3t-value"


@pytest.mark.parametrize(
    "change",
    [
        {"RUNNER_ROOTS": "relative/path"},
        {"RUNNER_ROOTS": "/does/not/exist"},
        {"RUNNER_ROOTS": ""},
        {"RUNNER_CONVEX_SITE_URL": "ftp://x"},
        {"RUNNER_CONCURRENCY": "0"},
    ],
)
def test_bad_values_are_refused(env: pytest.MonkeyPatch, tmp_path: Path, change: dict[str, str]) -> None:
    env.setenv("RUNNER_ROOTS", str(tmp_path))
    for key, value in change.items():
        env.setenv(key, value)
    with pytest.raises(ValidationError):
        RunnerSettings()


def test_required_values(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("RUNNER_ROOTS", str(tmp_path))
    env.delenv("RUNNER_SECRET")
    with pytest.raises(ValidationError, match="secret"):
        RunnerSettings()


def test_home_defaults_to_the_process_home_and_must_be_absolute(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("RUNNER_ROOTS", str(tmp_path))
    env.setenv("HOME", str(tmp_path / "someone"))
    assert RunnerSettings().home == tmp_path / "someone"
    env.setenv("RUNNER_HOME", str(tmp_path / "elsewhere"))
    assert RunnerSettings().home == tmp_path / "elsewhere"
    env.setenv("RUNNER_HOME", "relative")
    with pytest.raises(ValidationError, match="absolute"):
        RunnerSettings()


def test_listing_defaults_to_home_when_home_is_inside_the_roots(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "home").mkdir()
    env.setenv("RUNNER_HOME", str(tmp_path / "home"))
    env.setenv("RUNNER_ROOTS", f"{tmp_path / 'work'}{os.pathsep}{tmp_path / 'home'}")
    assert RunnerSettings().listing_default == tmp_path / "home"  # like 0.0.71, which lists $HOME
    env.setenv("RUNNER_ROOTS", str(tmp_path / "work"))
    assert RunnerSettings().listing_default == tmp_path / "work"  # HOME outside the roots is never listed
