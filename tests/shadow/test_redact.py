from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlite_utils import Database

from comparators.result import Diff, DiffKind
from shadow import redact
from shadow.models import ComparisonRecord
from shadow.record_codec import to_json
from shadow.redact import MARKER_PATTERN, Redactor, is_secret_name
from shadow.store import ResultStore, StoreSettings

PAT = "ghp_" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c"  # GitHub classic token shape: ghp_ + 36
OAUTH = "gho_" + "Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2cBa1Z"

# The default config of a fresh 0.0.71 HOME, from CONTRACT.md section 0, with a PAT and an OAuth token set.
CONFIG = {
    "config_version": "v6",
    "theme": "SYSTEM",
    "executor_profile": {"executor": "CLAUDE_CODE"},
    "disclaimer_acknowledged": False,
    "onboarding_acknowledged": False,
    "github_login_acknowledged": False,
    "telemetry_acknowledged": False,
    "notifications": {"sound_enabled": True, "push_enabled": True, "sound_file": "COW_MOOING"},
    "editor": {"editor_type": "VS_CODE", "custom_command": None},
    "github": {"pat": PAT, "oauth_token": OAUTH, "username": "octo", "primary_email": None, "default_pr_base": "main"},
    "analytics_enabled": None,
    "workspace_dir": None,
    "last_app_version": "0.0.71",
    "show_release_notes": False,
}


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(b"test-key")


@pytest.mark.parametrize(
    "name",
    ["token", "oauth_token", "pat", "password", "api_key", "apiKey", "X-Api-Key", "GITHUB_TOKEN", "client_secret",
     "accessToken", "Authorization", "x-auth-token", "privateKey", "credentials", "PASSWD"],
)  # fmt: skip
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["path", "git_repo_path", "file_path", "github_login_acknowledged", "default_pr_base", "input_tokens",
     "sort_key", "Idempotency-Key", "patch", "username", "content-type", "session_id", "key", "keyboard"],
)  # fmt: skip
def test_names_that_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_marker_is_keyed_stable_and_short(redactor: Redactor) -> None:
    marker = redactor.marker(PAT)
    assert MARKER_PATTERN.fullmatch(marker)
    assert marker == redactor.marker(PAT)  # equal secrets compare equal
    assert marker != redactor.marker(OAUTH)
    assert marker != Redactor(b"another key").marker(PAT)  # keyed: not a plain hash anyone can precompute
    assert redactor.marker(marker) == marker  # redacting twice changes nothing


def test_config_body_keeps_everything_but_the_tokens(redactor: Redactor) -> None:
    redacted = redactor.json_value(CONFIG)
    assert redacted["github"]["pat"] == redactor.marker(PAT)
    assert redacted["github"]["oauth_token"] == redactor.marker(OAUTH)
    rest = {k: v for k, v in redacted.items() if k != "github"}
    assert rest == {k: v for k, v in CONFIG.items() if k != "github"}
    assert redacted["github"]["username"] == "octo" and redacted["github"]["default_pr_base"] == "main"


def test_null_token_stays_null(redactor: Redactor) -> None:
    assert redactor.json_value({"github": {"pat": None, "oauth_token": ""}}) == {
        "github": {"pat": None, "oauth_token": ""}
    }


def test_numbers_under_token_like_names_are_kept(redactor: Redactor) -> None:
    assert redactor.json_value({"usage": {"input_tokens": 12, "token_count": 3}}) == {
        "usage": {"input_tokens": 12, "token_count": 3}
    }


def test_everything_below_a_secret_name_is_hashed(redactor: Redactor) -> None:
    redacted = redactor.json_value({"secrets": {"a": "one", "b": ["two", 3]}})
    assert redacted == {"secrets": {"a": redactor.marker("one"), "b": [redactor.marker("two"), 3]}}


def test_json_text_keeps_formatting(redactor: Redactor) -> None:
    text = '{\n  "name" :  "x",\n  "token": "s3cr3t-value"\n}'
    assert redactor.json_text(text) == text.replace("s3cr3t-value", redactor.marker("s3cr3t-value"))


def test_json_text_falls_back_when_the_secret_also_sits_elsewhere(redactor: Redactor) -> None:
    text = '{"title": "s3cr3t", "token": "s3cr3t"}'
    out = redactor.json_text(text)
    assert out is not None
    assert json.loads(out) == {"title": "s3cr3t", "token": redactor.marker("s3cr3t")}


def test_embedded_json_string_is_redacted_by_structure(redactor: Redactor) -> None:
    # GET /api/profiles answers {content: "<pretty JSON>"}; a profile may carry an API key in its env.
    content = json.dumps({"executors": {"AMP": {"DEFAULT": {"AMP": {"env": {"AMP_API_KEY": "k-123456"}}}}}}, indent=2)
    body = json.dumps({"success": True, "data": {"content": content, "path": "/h/profiles.json"}}).encode()
    out = json.loads(redactor.body(body, "application/json"))
    inner = json.loads(out["data"]["content"])
    assert inner["executors"]["AMP"]["DEFAULT"]["AMP"]["env"]["AMP_API_KEY"] == redactor.marker("k-123456")
    assert out["data"]["content"].count("\n") == content.count("\n")  # still pretty
    assert out["data"]["path"] == "/h/profiles.json"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"push failed for {PAT}", PAT),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
        ("curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def'", "eyJhbGciOiJIUzI1NiJ9.abc.def"),
        ("remote: https://x-access-token:s3cretT0ken@github.com/o/r.git", "s3cretT0ken"),
        ("OPENAI key sk-proj-abcdefghijklmnopqrstuv", "sk-proj-abcdefghijklmnopqrstuv"),
        ("aws AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
        ("PASSWORD=hunter2hunter2 ok", "hunter2hunter2"),
        ('{"api_key": "not-parsed-since-not-json', "not-parsed-since-not-json"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "MIIEow"),
    ],
)  # fmt: skip
def test_secret_shapes_in_free_text(redactor: Redactor, text: str, secret: str) -> None:
    out = redactor.text(text)
    assert secret not in out
    assert MARKER_PATTERN.search(out)


@pytest.mark.parametrize(
    "text",
    [
        "GitHubServiceError: GitHub token is invalid or expired.",
        "TaskAttemptError: Validation error: Executor profile not found: NOPE",
        '{"oauth_token":null}',
        "token: null",
        "/var/tmp/vibe-kanban/worktrees/vk-1a2b-hello",
    ],
)
def test_ordinary_text_is_left_alone(redactor: Redactor, text: str) -> None:
    assert redactor.text(text) == text


def test_headers(redactor: Redactor) -> None:
    headers = (
        ("Authorization", "Bearer abc.def.ghi"),
        ("Cookie", "sid=123; theme=dark"),
        ("Set-Cookie", "sid=456; Path=/; HttpOnly"),
        ("X-Api-Key", "k1"),
        ("Idempotency-Key", "exchange-1"),
        ("Content-Type", "application/json"),
    )
    assert redactor.headers(headers) == (
        ("Authorization", f"Bearer {redactor.marker('abc.def.ghi')}"),
        ("Cookie", f"sid={redactor.marker('123')}; theme={redactor.marker('dark')}"),
        ("Set-Cookie", f"sid={redactor.marker('456')}; Path=/; HttpOnly"),
        ("X-Api-Key", redactor.marker("k1")),
        ("Idempotency-Key", "exchange-1"),
        ("Content-Type", "application/json"),
    )


def test_query_keeps_ordinary_parameters_raw(redactor: Redactor) -> None:
    query = "project_id=4f1c&access_token=a%2Bb&path=%2Ftmp%2Fx"
    assert redactor.query(query) == f"project_id=4f1c&access_token={redactor.marker('a+b')}&path=%2Ftmp%2Fx"


def test_form_and_event_stream_and_binary_bodies(redactor: Redactor) -> None:
    form = redactor.body(b"user=me&password=pw123", "application/x-www-form-urlencoded")
    assert form == f"user=me&password={redactor.marker('pw123')}".encode()
    stream = b'id: 1\nevent: json_patch\ndata: [{"op":"add","path":"/x","value":{"token":"tk-1"}}]\n\n'
    out = redactor.body(stream, "text/event-stream").decode()
    assert "tk-1" not in out and out.startswith("id: 1\nevent: json_patch\ndata: [")
    binary = b"\x89PNG\r\n\x1a\n\xff\xfe" + PAT.encode() + b"\x00\x01"
    out_binary = redactor.body(binary, "image/png")
    assert PAT.encode() not in out_binary and out_binary.startswith(b"\x89PNG\r\n\x1a\n\xff\xfe")


def test_diff_at_a_secret_field_is_hashed_outright(redactor: Redactor) -> None:
    diff = Diff(path="/body/data/github/pat", kind=DiffKind.VALUE, primary="plain-looking", candidate=None)
    assert redactor.diff(diff).primary == redactor.marker("plain-looking")
    nested = Diff(path="/body/data/github", kind=DiffKind.VALUE, primary={"pat": PAT}, candidate={"pat": None})
    assert redactor.diff(nested).primary == {"pat": redactor.marker(PAT)}


def test_unconfigured_key_is_random_per_process_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(redact, "_process_key", None)
    with caplog.at_level(logging.WARNING, logger="shadow.redact"):
        first, second = Redactor.from_key(None), Redactor.from_key(None)
    assert first.marker(PAT) == second.marker(PAT)
    assert first.marker(PAT) != Redactor.from_key(SecretStr("configured")).marker(PAT)
    warnings = [r for r in caplog.records if r.name == "shadow.redact"]
    assert len(warnings) == 1 and "per-process key" in warnings[0].getMessage()


def test_a_whole_record_keeps_no_secret(redactor: Redactor, make_record: Callable[..., ComparisonRecord]) -> None:
    record = make_record(
        method="PUT",
        route="/api/config",
        group="config",
        path="/api/config",
        request_body=CONFIG,
        request_headers=(("Authorization", f"token {PAT}"),),
        primary={"success": True, "data": CONFIG, "error_data": None, "message": None},
        candidate={"success": True, "data": {**CONFIG, "github": {**CONFIG["github"], "pat": None}}},  # type: ignore[dict-item]
        diffs=(Diff(path="/body/data/github/pat", kind=DiffKind.VALUE, primary=PAT, candidate=None),),
    )
    text = to_json(redactor.record(record).model_dump(mode="python"))
    assert PAT not in text and OAUTH not in text
    assert redactor.marker(PAT) in text


# -- property: whatever the document, a secret under a secret-like name never reaches the store --------

SECRET_KEYS = ["token", "password", "pat", "oauth_token", "api_key", "apiKey", "GITHUB_TOKEN", "client_secret",
               "X-Api-Key", "accessToken", "secret", "credentials"]  # fmt: skip
FILLER_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda k: not is_secret_name(k)
)
# Filler has no capital letters, so it cannot contain the secret (which starts with "Zq").
FILLER = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet="abcdefghijklmnopqrstuvwxyz 0123456789", max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FILLER_KEYS, inner, max_size=3),
    max_leaves=12,
)
SECRETS = st.builds(
    lambda tail: "Zq" + tail,
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=10, max_size=30),
).filter(lambda s: s.strip() == s and len(s.strip()) >= 12)


def _escapes(secret: str) -> list[str]:
    """The forms a secret could take inside stored JSON text."""
    return [secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]]


@st.composite
def planted(draw: st.DrawFn, secret: str) -> Any:
    node: Any = {draw(st.sampled_from(SECRET_KEYS)): secret}
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        shape = draw(st.sampled_from(["list", "dict", "embedded"]))
        if shape == "list":
            items = draw(st.lists(FILLER, max_size=3))
            items.insert(draw(st.integers(min_value=0, max_value=len(items))), node)
            node = items
        elif shape == "dict":
            fields = draw(st.dictionaries(FILLER_KEYS, FILLER, max_size=3))
            fields[draw(FILLER_KEYS)] = node
            node = fields
        else:  # a JSON document inside a string, as /api/profiles "content" is
            node = {draw(FILLER_KEYS): json.dumps(node, indent=draw(st.sampled_from([None, 2])))}
    return node


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],  # make_record is pure
)
@given(data=st.data(), secret=SECRETS)
def test_planted_secret_never_reaches_a_stored_row(
    make_record: Callable[..., ComparisonRecord], data: st.DataObject, secret: str
) -> None:
    document = data.draw(planted(secret), label="document")
    elsewhere = data.draw(planted(secret), label="the same secret planted elsewhere")
    other = data.draw(planted("Zq-another-secret-0001"), label="a different secret")
    records = [
        make_record(
            method="PUT",
            route="/api/config",
            group="config",
            path="/api/config",
            request_body=document,
            primary={"success": True, "data": document},
            candidate={"success": True, "data": elsewhere},
            diffs=(Diff(path="/body/data", kind=DiffKind.VALUE, primary=document, candidate=elsewhere),),
        ),
        make_record(primary={"data": other}, candidate={"data": document}, recorded_at=1_700_000_001.0),
    ]
    store = ResultStore(Database(memory=True), settings=StoreSettings(redaction_key=SecretStr("k")))
    store.record_many(records)
    dumped = "\n".join(repr(list(store.db.table(name).rows)) for name in store.db.table_names())
    for form in _escapes(secret) + _escapes("Zq-another-secret-0001"):
        assert form not in dumped
    # Equal secrets hash equal, different secrets differ: the stored rows still tell them apart.
    marker = Redactor(b"k").marker(secret)
    assert marker in dumped
    assert Redactor(b"k").marker("Zq-another-secret-0001") in dumped
