"""mcp.readServers / mcp.writeServers against the real vibe-kanban 0.0.71: the same starting file and the same
GET/POST sequence, once through the primary's /api/mcp-config and once through the runner's handlers, must give
the same answers (HOME masked) and, for JSON, the same file bytes. The end-to-end test runs the sequence
through the whole candidate (convex-test host + runner) instead of the handlers."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from runner.confine import OUTSIDE_ROOTS, Roots
from runner.dispatch import HandlerContext, run_command
from shadow.candidate import Candidate
from shadow.reference.instance import Instance, running_instance


# What 0.0.71 knows per agent (the deployment sends it in the payload; convex/lib/mcp.ts).
def _agent(relative_path: str, servers_key: str, template: dict[str, Any], *, is_toml: bool = False) -> dict[str, Any]:
    return {
        "relativePath": relative_path,
        "serversPath": [servers_key],
        "isToml": is_toml,
        "templateJson": json.dumps(template),
    }


AGENTS: dict[str, dict[str, Any]] = {
    "CLAUDE_CODE": _agent(".claude.json", "mcpServers", {"mcpServers": {}}),
    "GEMINI": _agent(".gemini/settings.json", "mcpServers", {"mcpServers": {}}),
    "AMP": _agent(".config/amp/settings.json", "amp.mcpServers", {"amp.mcpServers": {}}),
    "OPENCODE": _agent(
        ".config/opencode/opencode.json", "mcp", {"mcp": {}, "$schema": "https://opencode.ai/config.json"}
    ),
    "CODEX": _agent(".codex/config.toml", "mcp_servers", {"mcp_servers": {}}, is_toml=True),
}
HOME_MARK = "<HOME>"

Op = tuple[str, Any]  # ("GET", None) or ("POST", servers)


@dataclass
class Scenario:
    name: str
    profile: str
    start: str | bytes | None  # the config file's content before the sequence (None: absent)
    ops: list[Op]
    setup: str = ""  # "dir": the config path is a directory; "parent-file": its parent is a file
    same_bytes: bool = True  # compare the file bytes afterwards (else TOML values: where tomli-w spells differently)
    error_prefix_only: bool = False  # parse errors: Python's parser words them differently (documented)
    notes: list[str] = field(default_factory=list)


TWO = {"zeta": {"command": "z", "args": ["1"]}, "alpha": {"command": "a", "env": {"B": "1", "A": "2"}}}
SCENARIOS = [
    Scenario(
        "every message from a missing file",
        "CLAUDE_CODE",
        None,
        [
            ("GET", None),
            ("POST", {}),
            ("POST", TWO),
            ("GET", None),
            ("POST", {"zeta": {"command": "z"}, "beta": {"command": "b"}}),
            ("POST", {"one": {"command": "x"}}),
            ("POST", {}),
        ],
    ),
    Scenario(
        "other keys kept, keys sorted, serde's number and string forms",
        "CLAUDE_CODE",
        '{"zz": 1, "mcpServers": {"q": {"command": "q"}}, "aa": {"y": 1, "b": 2}, "num": 1.0, "big": 1e20, '
        '"small": 1e-7, "s5": 0.00001, "big_int": 18446744073709551615, "neg": -0.0, "u": "\\u00e9\\u001f/\\u2028"}',
        [("GET", None), ("POST", {"q": {"command": "q2"}, "r": {"command": "r", "n": 2.5}})],
    ),
    Scenario(
        "servers that are not an object, then a root that is not an object",
        "CLAUDE_CODE",
        '{"mcpServers": [1, 2]}',
        [("GET", None), ("POST", {"a": 1}), ("GET", None)],
    ),
    Scenario("a root that is an array", "CLAUDE_CODE", "[1]", [("GET", None), ("POST", {"a": 1})]),
    Scenario("an empty file", "CLAUDE_CODE", "", [("GET", None), ("POST", {"a": 1})]),
    Scenario("a blank file", "CLAUDE_CODE", "  \n ", [("GET", None), ("POST", {"a": 1})]),
    Scenario("a file that is not UTF-8 counts as absent", "CLAUDE_CODE", b"\xff\xfe{}", [("GET", None), ("POST", {})]),
    Scenario("the config path is a directory", "CLAUDE_CODE", None, [("GET", None), ("POST", {})], setup="dir"),
    Scenario("a parent is a file", "GEMINI", None, [("GET", None), ("POST", {})], setup="parent-file"),
    Scenario("a dotted servers key and nested directories", "AMP", None, [("POST", {"a": {"command": "a"}})]),
    Scenario("a template with a second key", "OPENCODE", None, [("POST", {"a": {"type": "local"}}), ("GET", None)]),
    Scenario(
        "TOML: written sorted, plain values before tables",
        "CODEX",
        None,
        [
            ("POST", {"a": {"command": "a", "args": ["x", "y"], "env": {"K": "V"}, "n": 1.5, "t": True}}),
            ("GET", None),
            ("POST", {}),
        ],
    ),
    Scenario(
        "TOML: other tables and datetimes kept, datetimes read as serde's private form",
        "CODEX",
        "[mcp_servers.x]\nwhen = 1979-05-27T07:32:00Z\nd = 1979-05-27\nlt = 07:32:00\ninf = inf\n"
        '[other]\nk = [1, 2]\nmodel = "o3"\n',
        [("GET", None), ("POST", {"x": {"command": "x"}, "y": {"command": "y"}})],
        same_bytes=False,  # tomli-w spells the kept datetime with a space instead of "T"
    ),
    Scenario(
        "TOML: a null cannot be written (serde's column in the compact JSON)",
        "CODEX",
        None,
        [
            ("POST", {"a": {"command": "a"}}),
            ("POST", {"a": {"command": None}}),
            ("POST", {"x": {"a": [1, None]}, "y": {"b": None}}),
            ("GET", None),
        ],
    ),
    Scenario("TOML: a blank file is empty", "CODEX", "  \n", [("GET", None), ("POST", {"s": 5})]),
    Scenario(
        "malformed JSON (message words differ)",
        "CLAUDE_CODE",
        "{bad json",
        [("GET", None), ("POST", {})],
        error_prefix_only=True,
    ),
    Scenario(
        "malformed TOML (message words differ)",
        "CODEX",
        "not toml [",
        [("GET", None), ("POST", {})],
        error_prefix_only=True,
    ),
]


def _prepare(home: Path, scenario: Scenario) -> Path:
    """Lay out the scenario's starting state under ``home``; returns the config file's path."""
    relative = AGENTS[scenario.profile]["relativePath"]
    target = home / relative
    for top in {Path(relative).parts[0] for relative in (a["relativePath"] for a in AGENTS.values())}:
        path = home / top
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    if scenario.setup == "dir":
        target.mkdir(parents=True)
    elif scenario.setup == "parent-file":
        target.parent.write_text("x")
    elif scenario.start is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        content = scenario.start
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return target


def _masked(value: Any, home: Path) -> Any:
    return str(value).replace(str(home), HOME_MARK) if isinstance(value, str) else value


def _primary_answers(client: httpx.Client, home: Path, scenario: Scenario) -> list[tuple[str, Any]]:
    answers: list[tuple[str, Any]] = []
    for method, servers in scenario.ops:
        params = {"profile": scenario.profile}
        if method == "GET":
            response = client.get("/api/mcp-config", params=params)
        else:
            response = client.post("/api/mcp-config", params=params, json={"servers": servers})
        body = response.json()
        if response.status_code == 200 and body["success"] and method == "GET":
            data = body["data"]
            answers.append(("servers", (data["mcp_config"]["servers"], _masked(data["config_path"], home))))
        elif response.status_code == 200 and body["success"]:
            answers.append(("message", body["data"]))
        elif response.status_code == 200:
            answers.append(("soft", body["message"]))
        else:
            answers.append((f"http {response.status_code}", body["message"]))
    return answers


def _runner_answers(ctx: HandlerContext, scenario: Scenario) -> list[tuple[str, Any]]:
    """The same sequence through the dispatch table, mapped the way the deployment maps outcomes."""
    answers: list[tuple[str, Any]] = []
    payload = {"agent": scenario.profile, **AGENTS[scenario.profile]}
    for method, servers in scenario.ops:
        if method == "GET":
            outcome = run_command("mcp.readServers", payload, ctx)
        else:
            outcome = run_command("mcp.writeServers", {**payload, "bodyJson": json.dumps({"servers": servers})}, ctx)
        if outcome["ok"] and method == "GET":
            result = outcome["result"]
            answers.append(("servers", (json.loads(result["serversJson"]), _masked(result["config_path"], ctx.home))))
        elif outcome["ok"]:
            answers.append(("message", outcome["result"]))
        elif outcome["error"]["kind"] == "soft":
            answers.append(("soft", outcome["error"]["message"]))
        else:
            assert outcome["error"]["kind"] == "api", outcome
            answers.append(("http 500", outcome["error"]["message"]))
    return answers


@pytest.fixture(scope="module")
def oracle() -> Iterator[tuple[Instance, httpx.Client]]:
    """One real 0.0.71 instance for every scenario (each scenario lays out its own files in its HOME)."""
    with running_instance() as instance, httpx.Client(base_url=instance.base_url, timeout=30) as client:
        yield instance, client


def _prefix(answer: tuple[str, Any]) -> tuple[str, Any]:
    kind, text = answer
    return (kind, text.split(":", 1)[0]) if kind in {"soft", "http 500"} else answer


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_the_handlers_answer_and_write_like_the_primary(
    scenario: Scenario, oracle: tuple[Instance, httpx.Client], tmp_path: Path
) -> None:
    instance, client = oracle
    primary_file = _prepare(instance.home, scenario)
    expected = _primary_answers(client, instance.home, scenario)

    home = tmp_path / "home"
    home.mkdir()
    ours_file = _prepare(home, scenario)
    ctx = HandlerContext(roots=Roots([tmp_path / "home"]), default_dir=home, home=home)
    got = _runner_answers(ctx, scenario)

    if scenario.error_prefix_only:
        assert [_prefix(a) for a in got] == [_prefix(a) for a in expected]
    else:
        assert got == expected
    if primary_file.is_file():
        if scenario.same_bytes:
            assert ours_file.read_bytes() == primary_file.read_bytes()
        else:
            assert tomllib.loads(ours_file.read_text()) == tomllib.loads(primary_file.read_text())
    else:
        assert ours_file.is_file() == primary_file.is_file()


class TestConfinement:
    def payload(self, **extra: Any) -> dict[str, Any]:
        return {"agent": "CLAUDE_CODE", **AGENTS["CLAUDE_CODE"], **extra}

    def test_home_is_allowed_without_being_a_root(self, tmp_path: Path) -> None:
        home, root = tmp_path / "home", tmp_path / "root"
        home.mkdir()
        root.mkdir()
        ctx = HandlerContext(roots=Roots([root]), default_dir=root, home=home)
        outcome = run_command("mcp.writeServers", self.payload(bodyJson='{"servers": {"a": {"command": "a"}}}'), ctx)
        assert outcome == {"ok": True, "result": "Added 1 MCP server(s)"}
        assert (home / ".claude.json").is_file()

    def test_a_symlink_out_of_home_and_roots_is_refused_and_its_target_untouched(self, tmp_path: Path) -> None:
        home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
        home.mkdir()
        elsewhere.mkdir()
        target = elsewhere / "victim.json"
        target.write_text('{"keep": true}')
        (home / ".claude.json").symlink_to(target)
        ctx = HandlerContext(roots=Roots([home]), default_dir=home, home=home)
        for kind, extra in [("mcp.readServers", {}), ("mcp.writeServers", {"bodyJson": '{"servers": {}}'})]:
            outcome = run_command(kind, self.payload(**extra), ctx)
            assert outcome == {"ok": False, "error": {"kind": "soft", "message": OUTSIDE_ROOTS}}
        assert target.read_text() == '{"keep": true}'

    @pytest.mark.parametrize("relative", ["../escape.json", "/etc/passwd", "a/../../b.json"])
    def test_a_relative_path_must_stay_below_home(self, tmp_path: Path, relative: str) -> None:
        ctx = HandlerContext(roots=Roots([tmp_path]), default_dir=tmp_path, home=tmp_path)
        outcome = run_command("mcp.readServers", self.payload(relativePath=relative), ctx)
        assert outcome["ok"] is False
        assert outcome["error"]["kind"] == "internal"
        assert "relativePath" in outcome["error"]["message"]

    def test_a_payload_without_a_servers_object_is_refused_and_nothing_is_written(self, tmp_path: Path) -> None:
        ctx = HandlerContext(roots=Roots([tmp_path]), default_dir=tmp_path, home=tmp_path)
        for body in [None, '{"server": {}}', '{"servers": [1]}', "{"]:
            payload = self.payload() if body is None else self.payload(bodyJson=body)
            outcome = run_command("mcp.writeServers", payload, ctx)
            assert outcome["ok"] is False and outcome["error"]["kind"] == "internal", outcome
        assert os.listdir(tmp_path) == []


def _sequence(client: httpx.Client, home: Path) -> list[tuple[int, Any, str | None]]:
    """GET/POST through a whole backend; answers with HOME masked."""
    steps: list[tuple[str, str, Any]] = [
        ("GET", "CLAUDE_CODE", None),
        ("POST", "CLAUDE_CODE", {}),
        ("POST", "CLAUDE_CODE", TWO),
        ("GET", "CLAUDE_CODE", None),
        ("POST", "CLAUDE_CODE", {"one": {"command": "x", "args": ["-y"], "timeout": 30.0, "big": 1e20, "$ref": "é"}}),
        ("GET", "CLAUDE_CODE", None),
        ("POST", "CODEX", {"a": {"command": "a", "env": {"K": "V"}}}),
        ("GET", "CODEX", None),
        ("POST", "CODEX", {"a": {"command": None}}),
        ("GET", "OPENCODE", None),
        ("GET", "NOPE", None),
    ]
    answers: list[tuple[int, Any, str | None]] = []
    for method, profile, servers in steps:
        if method == "GET":
            response = client.get("/api/mcp-config", params={"profile": profile})
        else:
            response = client.post("/api/mcp-config", params={"profile": profile}, json={"servers": servers})
        text = response.text.replace(str(home), HOME_MARK)
        parsed = json.loads(text)
        # The primary's servers are a HashMap, printed in no fixed order: compare parsed, and also the text
        # (number forms such as 30.0 and 1e20) where at most one server makes the order fixed.
        data = parsed["data"]
        servers = data["mcp_config"]["servers"] if isinstance(data, dict) else None
        answers.append((response.status_code, parsed, text if servers is None or len(servers) <= 1 else None))
    return answers


def test_the_candidate_answers_the_sequence_like_the_primary(primary: Instance, candidate: Candidate) -> None:
    with httpx.Client(base_url=primary.base_url, timeout=30) as client:
        expected = _sequence(client, primary.home)
    with httpx.Client(base_url=candidate.base_url, timeout=30) as client:
        got = _sequence(client, candidate.home)
    assert got == expected
    assert (candidate.home / ".claude.json").read_bytes() == (primary.home / ".claude.json").read_bytes()
    assert (candidate.home / ".codex/config.toml").read_bytes() == (primary.home / ".codex/config.toml").read_bytes()
