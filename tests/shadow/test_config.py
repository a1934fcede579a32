from pathlib import Path

import pytest

from shadow.config import HeaderRule, load_settings
from shadow.errors import ConfigError


def test_defaults_need_only_a_candidate() -> None:
    settings = load_settings(candidate="http://127.0.0.1:9/")
    assert settings.candidate == "http://127.0.0.1:9"  # trailing slash dropped once, here
    assert settings.sample == 100.0 and settings.enabled and settings.lane_scope_keys == ()


def test_enabled_without_candidate_is_one_clear_line() -> None:
    with pytest.raises(ConfigError, match="no candidate URL"):
        load_settings()


def test_disabled_needs_no_candidate() -> None:
    assert load_settings(enabled=False).candidate is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"candidate": "ftp://x"}, "candidate: .*not an http"),
        ({"candidate": "http://x", "sample": 150}, "sample: "),
        ({"candidate": "http://x", "candidate_timeout": 0}, "candidate_timeout"),
        ({"candidate": "http://x", "no_such_knob": 1}, "no_such_knob"),
        ({"candidate": "http://x", "header_rules": [{"name": "bad header"}]}, "header_rules.0.name"),
    ],
)
def test_bad_values_name_the_setting(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(**overrides)
    assert "\n" not in str(info.value)


def test_environment_then_file_then_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "shadow.yaml"
    config.write_text(
        "candidate: http://file:1\nsample: 25\nbreaker:\n  failure_threshold: 9\n"
        "header_rules:\n  - {name: Authorization, value: Convex k}\n"
    )
    monkeypatch.setenv("SHADOW_SAMPLE", "50")
    monkeypatch.setenv("SHADOW_BREAKER__RESET_AFTER", "3")
    settings = load_settings(config, workers=4)
    assert settings.candidate == "http://file:1"  # file
    assert settings.sample == 50  # env beats file
    assert settings.workers == 4  # explicit beats env
    assert settings.breaker.failure_threshold == 9 and settings.breaker.reset_after == 3
    assert settings.header_rules == (HeaderRule(name="Authorization", value="Convex k"),)


def test_json_settings_file_and_none_overrides_are_ignored(tmp_path: Path) -> None:
    config = tmp_path / "shadow.json"
    config.write_text('{"candidate": "http://json:2", "lane_scope_keys": ["project_id"]}')
    settings = load_settings(config, candidate=None)
    assert settings.candidate == "http://json:2" and settings.lane_scope_keys == ("project_id",)


def test_missing_or_malformed_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="settings file not found"):
        load_settings(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("candidate: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml"):
        load_settings(broken)
