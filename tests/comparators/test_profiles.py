from __future__ import annotations

import json
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import pytest
import yaml

from comparators.normalize import RULES
from comparators.profiles import DEFAULT_PROFILE, ProfileError, RouteRule, load_profile, shipped_profiles
from shadow.reference.instance import Instance

ID = "3f2a1b2c-1111-4222-8333-444455556666"

# CONTRACT.md §3, method + path, written out independently of the YAML (param names per corrections item 5).
CONTRACT_ROUTES = """
GET /api/health | GET /api/info | PUT /api/config | GET /api/sounds/{sound} | GET /api/mcp-config
POST /api/mcp-config | GET /api/profiles | PUT /api/profiles | POST /api/auth/github/device/start
POST /api/auth/github/device/poll | GET /api/auth/github/check | GET /api/containers/info
GET /api/filesystem/directory | GET /api/filesystem/git-repos
GET /api/projects | POST /api/projects | GET /api/projects/{id} | PUT /api/projects/{id} | DELETE /api/projects/{id}
GET /api/projects/{id}/branches | GET /api/projects/{id}/search | POST /api/projects/{id}/open-editor
GET /api/tasks | POST /api/tasks | POST /api/tasks/create-and-start | GET /api/tasks/{task_id}
PUT /api/tasks/{task_id} | DELETE /api/tasks/{task_id}
GET /api/task-attempts | POST /api/task-attempts | GET /api/task-attempts/{id} | POST /api/task-attempts/{id}/follow-up
POST /api/task-attempts/{id}/start-dev-server | GET /api/task-attempts/{id}/branch-status
GET /api/task-attempts/{id}/diff | POST /api/task-attempts/{id}/merge | POST /api/task-attempts/{id}/push
POST /api/task-attempts/{id}/rebase | POST /api/task-attempts/{id}/pr | POST /api/task-attempts/{id}/open-editor
POST /api/task-attempts/{id}/delete-file | GET /api/task-attempts/{id}/children | POST /api/task-attempts/{id}/stop
GET /api/execution-processes | GET /api/execution-processes/{id} | POST /api/execution-processes/{id}/stop
GET /api/execution-processes/{id}/raw-logs | GET /api/execution-processes/{id}/normalized-logs
GET /api/templates | POST /api/templates | GET /api/templates/{template_id} | PUT /api/templates/{template_id}
DELETE /api/templates/{template_id}
POST /api/images/upload | GET /api/images/{id}/file | DELETE /api/images/{id} | GET /api/images/task/{task_id}
GET /api/events
"""
CONTRACT = sorted(route.strip() for line in CONTRACT_ROUTES.strip().splitlines() for route in line.split("|"))


def _concrete(template: str) -> str:
    return (
        template.replace("{sound}", "COW_MOOING")
        .replace("{id}", ID)
        .replace("{task_id}", ID)
        .replace("{template_id}", ID)
    )


def test_the_shipped_profile_has_every_route_of_the_contract() -> None:
    profile = load_profile()
    assert profile.name == DEFAULT_PROFILE
    keys = [route.key for route in profile.routes]
    assert len(keys) == len(set(keys)) == 58
    assert sorted(keys) == CONTRACT
    assert sorted((r.key, r.stream) for r in profile.streams) == [
        ("GET /api/events", "events"),
        ("GET /api/execution-processes/{id}/normalized-logs", "normalized_logs"),
        ("GET /api/execution-processes/{id}/raw-logs", "raw_logs"),
        ("GET /api/task-attempts/{id}/diff", "diff"),
    ]


def test_every_rule_of_the_shipped_profile_resolves_and_compiles() -> None:
    profile = load_profile()
    refs = [*profile.defaults.rules, *(ref for route in profile.routes for ref in route.rules)]
    assert refs and all(ref.rule in RULES for ref in refs)
    for route in (None, *profile.routes):
        assert profile.normalizer(route).rule_names[-1] == "mask_uuid"


@pytest.mark.parametrize("key", CONTRACT)
def test_each_contract_route_matches_its_own_rule(key: str) -> None:
    method, template = key.split(" ")
    match = load_profile().match(method, _concrete(template))
    assert match.rule is not None and match.rule.key == key and match.template == template
    assert match.group != "unknown" and match.method_allowed


def test_groups_flags_and_scope_hints() -> None:
    profile = load_profile()
    assert {r.group for r in profile.routes} == {
        "system",
        "config",
        "auth",
        "filesystem",
        "projects",
        "tasks",
        "task_attempts",
        "execution_processes",
        "templates",
        "images",
        "events",
    }
    by_key = {r.key: r for r in profile.routes}
    assert by_key["GET /api/tasks"].eventual and not by_key["GET /api/tasks"].write
    assert by_key["POST /api/tasks"].write and by_key["POST /api/tasks"].scope_key == "body:project_id"
    assert by_key["DELETE /api/templates/{template_id}"].write
    assert by_key["GET /api/images/{id}/file"].headers == ("cache-control",)
    assert profile.headers_for(None, 405) == ("allow",)
    assert [ref.rule for ref in by_key["GET /api/profiles"].rules] == ["parse_json_string"]


def test_unknown_paths_get_a_bounded_template() -> None:
    profile = load_profile()
    match = profile.match("GET", f"/api/nonexistent/{ID}")
    assert (match.template, match.group, match.rule, match.method_allowed) == ("/api/{seg}/{id}", "unknown", None, True)
    assert not profile.match("POST", "/api/nonexistent").method_allowed  # the primary answers 405
    wrong_method = profile.match("GET", "/api/tasks/create-and-start")
    assert (wrong_method.template, wrong_method.group, wrong_method.rule) == (
        "/api/tasks/create-and-start",
        "tasks",
        None,
    )


def test_matches_are_remembered_with_read_only_params() -> None:
    profile = load_profile()
    path = f"/api/tasks/{ID}"
    first = profile.match("GET", path)
    assert profile.match("GET", path) is first  # looked up once per (method, path)
    assert dict(first.params) == {"task_id": ID}
    with pytest.raises(TypeError):
        first.params["task_id"] = "other"  # type: ignore[index]
    assert profile.match("DELETE", path).rule is not first.rule  # the method is part of the key
    assert profile.match("GET", "/api/tasks").template == "/api/tasks"


def test_shipped_profiles_are_listed() -> None:
    assert shipped_profiles() == [DEFAULT_PROFILE]


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data))
    return path


MINIMAL = {"name": "mini", "routes": [{"method": "GET", "template": "/api/x/{id}", "group": "x"}]}


def test_a_profile_loads_from_yaml_or_json_with_its_own_intended_list(tmp_path: Path) -> None:
    assert load_profile(_write(tmp_path, "p.json", MINIMAL)).routes[0].key == "GET /api/x/{id}"
    _write(
        tmp_path,
        "intended.yaml",
        [
            {
                "id": "x",
                "method": "GET",
                "route": "/api/x/{id}",
                "paths": ["/status"],
                "reason": "why",
                "expires": "2030-01-01",
            }
        ],
    )
    loaded = load_profile(str(_write(tmp_path, "p.yaml", {**MINIMAL, "intended": "intended.yaml"})))
    assert [entry.id for entry in loaded.intended.entries] == ["x"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("- just a list", "expected a mapping"),
        (
            {**MINIMAL, "routes": [{"method": "GET", "template": "/x", "group": "x", "rules": [{"rule": "nope"}]}]},
            "routes.0 (GET /x) rules.0: unknown rule 'nope'",
        ),
        (
            {
                **MINIMAL,
                "routes": [
                    {"method": "GET", "template": "/x", "group": "x", "rules": [{"rule": "ignore", "paths": ["x"]}]}
                ],
            },
            "not a JSON pointer",
        ),
        ({**MINIMAL, "routes": [MINIMAL["routes"][0], MINIMAL["routes"][0]]}, "listed twice"),  # type: ignore[index]
        ({**MINIMAL, "routes": [{"method": "FETCH", "template": "/x", "group": "x"}]}, "unknown HTTP method"),
        (
            {**MINIMAL, "routes": [{"method": "GET", "template": "x", "group": "x"}]},
            "template must be an absolute path",
        ),
        (
            {**MINIMAL, "routes": [{"method": "GET", "template": "/x", "group": "x", "scope_key": "path:id"}]},
            "names no parameter",
        ),
        (
            {**MINIMAL, "routes": [{"method": "GET", "template": "/x", "group": "x", "stream": "video"}]},
            "routes.0 (GET /x) stream: Input should be",
        ),
        ({**MINIMAL, "intended": "missing.yaml"}, "intended divergences"),
    ],
)
def test_bad_profiles_fail_with_one_line(tmp_path: Path, content: object, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert str(path) in str(caught.value)


def test_unknown_names_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"unknown profile 'vibe-kanban-9'.*vibe-kanban-0\.0\.71"):
        load_profile("vibe-kanban-9")
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "absent.yaml")
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path)


def test_write_is_derived_from_the_method_unless_given() -> None:
    assert RouteRule(method="get", template="/x", group="x").write is False  # type: ignore[call-arg]
    assert RouteRule(method="DELETE", template="/x", group="x").write is True  # type: ignore[call-arg]
    assert RouteRule(method="POST", template="/x", group="x", write=False).write is False


@pytest.mark.e2e
def test_the_real_binary_allows_exactly_the_profiles_methods(primary: Instance) -> None:
    """Trust the binary: a PATCH (no route has it) is answered with `allow:` listing the path's methods."""
    methods: dict[str, set[str]] = defaultdict(set)
    for route in load_profile().routes:
        methods[route.template].add(route.method)
    with httpx.Client(base_url=primary.base_url, timeout=10) as client:
        for template, expected in sorted(methods.items()):
            response = client.request("PATCH", _concrete(template))
            allowed = set((response.headers.get("allow") or "").split(",")) - {"HEAD"}
            assert response.status_code in (404, 405), template
            assert allowed == expected, template
        unknown = client.request("PATCH", f"/api/nonexistent/{uuid.uuid4()}")
        assert unknown.headers.get("allow") == "GET,HEAD"  # only the SPA fallback: not a route of the profile
