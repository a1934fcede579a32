from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comparators.compare import (
    CompareContext,
    compare_exchange,
    judge,
    normalize_request,
    verdict_for_candidate_error,
    verdict_shed,
)
from comparators.intended import parse_intended
from comparators.message import HttpRequest, HttpResponse
from comparators.noise import NoiseModel, route_key
from comparators.profiles import load_profile
from comparators.result import Diff, DiffKind, Verdict, VerdictKind
from shadow.reference.agent import attempt_body

PROFILE = load_profile()
JSON = (("content-type", "application/json"),)
DATA = Path(__file__).parent / "data"


def envelope(
    data: Any, *, status: int = 200, success: bool = True, message: str | None = None, error_data: Any = None
) -> HttpResponse:
    body = {"success": success, "data": data, "error_data": error_data, "message": message}
    return HttpResponse(status=status, headers=JSON, body=json.dumps(body).encode())


def ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


def task(
    task_id: str,
    project_id: str,
    *,
    status: str = "todo",
    title: str = "Add hello file",
    at: str = "2026-11-26T07:12:12.517Z",
) -> dict[str, Any]:
    return {
        "id": task_id,
        "project_id": project_id,
        "title": title,
        "description": "Write hello.txt",
        "status": status,
        "parent_task_attempt": None,
        "created_at": at,
        "updated_at": at,
        "has_in_progress_attempt": False,
        "has_merged_attempt": False,
        "last_attempt_failed": False,
        "profile": "",
    }


def tasks(count: int, *, changed: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """A fresh list with fresh ids and timestamps (another backend's answer), statuses changed at will."""
    project = str(uuid.uuid4())
    at = f"2026-11-26T07:12:{len(project) % 60:02d}.{uuid.uuid4().int % 1000:03d}Z"
    return [
        task(tid, project, title=f"Task {n}", at=at, status=(changed or {}).get(n, "todo"))
        for n, tid in enumerate(ids(count))
    ]


def get(path: str, query: str = "") -> HttpRequest:
    return HttpRequest(method="GET", path=path, query=query)


def found(verdict: Any) -> list[tuple[str, DiffKind]]:
    return [(d.path, d.kind) for d in verdict.diffs]


# ------------------------------------------------------------------------------------------ detection


def test_equal_meaning_is_a_match() -> None:
    verdict = compare_exchange(PROFILE, get("/api/tasks"), envelope(tasks(5)), envelope(tasks(5)))
    assert verdict.kind is VerdictKind.MATCH and verdict.diffs == () and verdict.signature is None
    assert (verdict.route, verdict.group, verdict.method) == ("/api/tasks", "tasks", "GET")


def test_match_verdicts_are_validated_values_of_their_route() -> None:
    # Match verdicts are remembered per route: each must still be the verdict its own route gets.
    match = PROFILE.match("get", f"/api/tasks/{uuid.uuid4()}")
    verdict = judge("get", match, [])
    assert verdict == Verdict(kind=VerdictKind.MATCH, method="GET", route="/api/tasks/{task_id}", group="tasks")
    other = judge("DELETE", match, [])
    assert (other.method, other.route, other.kind) == ("DELETE", "/api/tasks/{task_id}", VerdictKind.MATCH)
    unknown = judge("GET", PROFILE.match("GET", "/api/nope/1"), [])
    assert (unknown.route, unknown.group) == ("/api/{seg}/{id}", "unknown")


def test_a_changed_status_code() -> None:
    verdict = compare_exchange(PROFILE, get("/api/tasks"), envelope(tasks(2)), envelope(tasks(2), status=201))
    assert found(verdict) == [("/status", DiffKind.STATUS)]
    assert (verdict.diffs[0].primary, verdict.diffs[0].candidate) == (200, 201)


def test_a_changed_enum_value_has_one_signature_at_any_index() -> None:
    at_4 = compare_exchange(
        PROFILE, get("/api/tasks"), envelope(tasks(10)), envelope(tasks(10, changed={4: "inreview"}))
    )
    at_9 = compare_exchange(
        PROFILE, get("/api/tasks"), envelope(tasks(10)), envelope(tasks(10, changed={9: "inreview"}))
    )
    assert found(at_4) == [("/body/data/4/status", DiffKind.VALUE)]
    assert found(at_9) == [("/body/data/9/status", DiffKind.VALUE)]
    assert at_4.kind is VerdictKind.MISMATCH and at_4.signature == at_9.signature


def test_a_dropped_field_and_an_extra_field() -> None:
    primary_id, candidate_id, project = ids(3)
    dropped = task(candidate_id, project)
    del dropped["parent_task_attempt"]
    verdict = compare_exchange(
        PROFILE, get(f"/api/tasks/{primary_id}"), envelope(task(primary_id, project)), envelope(dropped)
    )
    assert found(verdict) == [("/body/data/parent_task_attempt", DiffKind.MISSING)]
    extra = {**task(candidate_id, project), "workspace_id": str(uuid.uuid4())}
    verdict = compare_exchange(
        PROFILE, get(f"/api/tasks/{primary_id}"), envelope(task(primary_id, project)), envelope(extra)
    )
    assert found(verdict) == [("/body/data/workspace_id", DiffKind.EXTRA)]


def test_a_reordered_list_whose_order_matters() -> None:
    def projects(names: list[str]) -> list[dict[str, Any]]:
        return [
            {
                "id": str(uuid.uuid4()),
                "name": name,
                "git_repo_path": f"/tmp/w/{name}",
                "created_at": "2026-11-26T07:12:12.517Z",
            }
            for name in names
        ]

    newest_first = projects(["c", "b", "a"])
    first = compare_exchange(PROFILE, get("/api/projects"), envelope(newest_first), envelope(projects(["a", "b", "c"])))
    second = compare_exchange(
        PROFILE, get("/api/projects"), envelope(projects(["c", "b", "a"])), envelope(projects(["b", "c", "a"]))
    )
    assert found(first) == found(second) == [("/body/data", DiffKind.ORDER)]
    assert first.signature == second.signature


def test_a_wrong_error_shape() -> None:
    request = get(f"/api/tasks/{uuid.uuid4()}")
    empty_404 = HttpResponse(status=404)
    api_404 = envelope(None, status=404, success=False, message="DatabaseError: no rows returned")
    verdict = compare_exchange(PROFILE, request, empty_404, api_404)
    assert found(verdict) == [("/error/shape", DiffKind.ERROR_SHAPE)]
    again = compare_exchange(PROFILE, get(f"/api/tasks/{uuid.uuid4()}"), empty_404, api_404)
    assert verdict.signature == again.signature
    soft = envelope(None, success=False, message="Directory does not exist")
    hard = envelope(None, status=500, success=False, message="IoError: IO error: not found")
    both = compare_exchange(PROFILE, get("/api/filesystem/directory"), soft, hard)
    assert found(both) == [("/status", DiffKind.STATUS), ("/error/shape", DiffKind.ERROR_SHAPE)]


def test_error_messages_are_compared_after_masking() -> None:
    a, b = ids(2)
    primary = envelope(
        None,
        status=500,
        success=False,
        message=f"GitServiceError: repo path `/tmp/w1/{a}/sentinel.txt` should be relative",
    )
    candidate = envelope(
        None,
        status=500,
        success=False,
        message=f"GitServiceError: repo path `/tmp/w2/{b}/sentinel.txt` should be relative",
    )
    context = CompareContext(primary_prefixes={"WORK": "/tmp/w1"}, candidate_prefixes={"WORK": "/tmp/w2"})
    request = HttpRequest(method="POST", path=f"/api/task-attempts/{a}/delete-file")
    assert compare_exchange(PROFILE, request, primary, candidate, context=context).kind is VerdictKind.MATCH
    assert compare_exchange(PROFILE, request, primary, candidate).kind is VerdictKind.MISMATCH


def test_ids_are_mapped_back_and_a_wrong_reference_is_a_finding() -> None:
    task_p, task_c, project_p, project_c, other = ids(5)
    id_map = {task_c: task_p, project_c: project_p}
    request = get(f"/api/tasks/{task_p}")
    good = compare_exchange(
        PROFILE, request, envelope(task(task_p, project_p)), envelope(task(task_c, project_c)), id_map=id_map
    )
    assert good.kind is VerdictKind.MATCH
    wrong = compare_exchange(
        PROFILE, request, envelope(task(task_p, project_p)), envelope(task(task_c, other)), id_map=id_map
    )
    assert [(d.path, d.kind, d.primary) for d in wrong.diffs] == [("/body/data/project_id", DiffKind.VALUE, project_p)]


def test_headers_compared_per_route_and_status() -> None:
    png = (("content-type", "image/png"), ("cache-control", "public, max-age=31536000"))
    request = get(f"/api/images/{uuid.uuid4()}/file")
    primary = HttpResponse(status=200, headers=png, body=b"\x89PNG...")
    candidate = HttpResponse(status=200, headers=(("content-type", "image/png"),), body=b"\x89PNG...")
    assert found(compare_exchange(PROFILE, request, primary, candidate)) == [
        ("/headers/cache-control", DiffKind.HEADER)
    ]
    method_not_allowed = HttpRequest(method="POST", path="/api/health")
    verdict = compare_exchange(
        PROFILE,
        method_not_allowed,
        HttpResponse(status=405, headers=(("allow", "GET,HEAD"),)),
        HttpResponse(status=405, headers=(("allow", "GET"),)),
    )
    assert found(verdict) == [("/headers/allow", DiffKind.HEADER)]


def test_binary_and_html_bodies() -> None:
    wav = (("content-type", "audio/wav"),)
    request = get("/api/sounds/COW_MOOING")
    same = compare_exchange(
        PROFILE,
        request,
        HttpResponse(status=200, headers=wav, body=b"RIFF1"),
        HttpResponse(status=200, headers=wav, body=b"RIFF1"),
    )
    assert same.kind is VerdictKind.MATCH
    other = compare_exchange(
        PROFILE,
        request,
        HttpResponse(status=200, headers=wav, body=b"RIFF1"),
        HttpResponse(status=200, headers=wav, body=b"RIFF2"),
    )
    assert found(other) == [("/body", DiffKind.BODY)] and "sha256" in str(other.diffs[0].primary)
    html = (("content-type", "text/html"),)
    spa = compare_exchange(
        PROFILE, get("/api/nope"), HttpResponse(status=200, headers=html, body=b"<html>a</html>"), envelope(None)
    )
    assert spa.group == "unknown" and (("/headers/content-type", DiffKind.HEADER) in found(spa))


# ------------------------------------------------------------------------------------------ verdicts


def test_learned_noise_explains_only_what_it_saw_and_never_structure() -> None:
    noise = NoiseModel(threshold=0.5, min_observations=3)
    for _ in range(3):
        noise.observe(route_key("GET", "/api/tasks"), [Diff(path="/body/data/0/title", kind=DiffKind.VALUE)])
    primary, candidate = tasks(3), tasks(3)
    candidate[2]["title"] = "renamed"
    verdict = compare_exchange(PROFILE, get("/api/tasks"), envelope(primary), envelope(candidate), noise=noise)
    assert verdict.kind is VerdictKind.NOISE and verdict.diffs == ()
    assert [d.path for d in verdict.explained] == ["/body/data/2/title"] and verdict.explained[0].note.startswith(
        "noise:"
    )  # type: ignore[union-attr]
    del candidate[2]["title"]
    structural = compare_exchange(PROFILE, get("/api/tasks"), envelope(primary), envelope(candidate), noise=noise)
    assert structural.kind is VerdictKind.MISMATCH


def test_intended_divergences_apply_until_they_expire() -> None:
    listed = parse_intended(
        yaml.safe_dump(
            [
                {
                    "id": "confined",
                    "method": "GET",
                    "route": "/api/filesystem/directory",
                    "paths": ["/body/**", "/error/shape"],
                    "reason": "security fix",
                    "expires": "2026-12-31",
                }
            ]
        )
    )
    request = get("/api/filesystem/directory", "path=/etc")
    primary = envelope({"entries": [{"name": "passwd"}], "current_path": "/etc"})
    candidate = envelope(None, success=False, message="Path is outside the allowed roots")
    before = compare_exchange(PROFILE, request, primary, candidate, intended=listed, today=date(2026, 12, 31))
    assert before.kind is VerdictKind.INTENDED and before.diffs == () and before.explained
    after = compare_exchange(PROFILE, request, primary, candidate, intended=listed, today=date(2027, 1, 1))
    assert (
        after.kind is VerdictKind.MISMATCH
        and after.reason == "expired intended divergence: confined (expired 2026-12-31)"
    )


def test_stream_races_the_primary_is_known_for_are_noise() -> None:
    match = PROFILE.match("GET", "/api/events")
    race = Diff(path="/stream/entities/TASK:<uuid:1>", kind=DiffKind.EVENT_EXTRA, note="race: phantom DELETED_TASK")
    assert judge("GET", match, [race]).kind is VerdictKind.NOISE
    structural_race = Diff(path="/stream/x", kind=DiffKind.MISSING, note="race: but structural")
    assert judge("GET", match, [race, structural_race]).kind is VerdictKind.MISMATCH


def test_callers_verdicts_without_an_answer() -> None:
    request = HttpRequest(method="post", path=f"/api/tasks/{uuid.uuid4()}")
    timeout = verdict_for_candidate_error(PROFILE, request, "timeout", "after 5.0 s")
    assert (timeout.kind, timeout.route, timeout.method, timeout.reason) == (
        VerdictKind.TIMEOUT,
        "/api/tasks/{task_id}",
        "POST",
        "timeout: after 5.0 s",
    )
    assert verdict_for_candidate_error(PROFILE, request, "refused").kind is VerdictKind.CANDIDATE_ERROR
    assert verdict_shed(PROFILE, request).kind is VerdictKind.SHED


# ------------------------------------------------------------------------------------------ golden cases


def _side(data: dict[str, Any]) -> HttpResponse:
    response = data["response"]
    body = json.dumps(response["json"]).encode() if "json" in response else response.get("text", "").encode()
    return HttpResponse(status=response["status"], headers=tuple(tuple(h) for h in response["headers"]), body=body)


@pytest.mark.parametrize("case", sorted(p.name for p in DATA.iterdir() if p.is_dir()))
def test_golden_case(case: str) -> None:
    primary, candidate, expected = (
        json.loads((DATA / case / f"{name}.json").read_text()) for name in ("primary", "candidate", "expected")
    )
    request = HttpRequest(**primary["request"])
    context = CompareContext(
        primary_prefixes=primary.get("prefixes", {}), candidate_prefixes=candidate.get("prefixes", {})
    )
    verdict = compare_exchange(PROFILE, request, _side(primary), _side(candidate), context=context)
    assert (verdict.kind.value, [[d.path, d.kind.value] for d in verdict.diffs]) == (
        expected["verdict"],
        expected["diffs"],
    )


# ------------------------------------------------------------------------------------------ properties

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
    | st.sampled_from([str(uuid.UUID(int=7)), "2026-11-26T07:12:12.517Z", "/tmp/w1/x", '{"a": 1}']),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.sampled_from(["created_at", "content", "data"]), inner, max_size=4)
    ),
    max_leaves=20,
)
routes = st.sampled_from(
    [(r.method, r.template.replace("{", "x").replace("}", "")) for r in PROFILE.routes]
    + [("GET", "/api/nope"), ("PATCH", "/x")]
)
content_types = st.sampled_from(
    ["application/json", "text/plain; charset=utf-8", "text/event-stream", "text/html", "image/png", ""]
)
statuses = st.sampled_from([200, 201, 400, 404, 405, 415, 422, 500])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(routes, json_values, json_values, statuses, statuses, content_types, content_types)
def test_arbitrary_answers_never_crash(
    route: tuple[str, str], a: Any, b: Any, s1: int, s2: int, t1: str, t2: str
) -> None:
    request = HttpRequest(method=route[0], path=route[1])
    primary = HttpResponse(status=s1, headers=(("content-type", t1),), body=json.dumps(a).encode())
    candidate = HttpResponse(status=s2, headers=(("content-type", t2),), body=json.dumps(b).encode())
    context = CompareContext(primary_prefixes={"WORK": "/tmp/w1"}, candidate_prefixes={"WORK": "/tmp/w2"})
    verdict = compare_exchange(PROFILE, request, primary, candidate, context=context)
    assert verdict.kind in (VerdictKind.MATCH, VerdictKind.MISMATCH)


@settings(max_examples=100, deadline=None)
@given(routes, st.binary(max_size=200), content_types, statuses)
def test_arbitrary_bytes_never_crash_and_equal_bytes_match(
    route: tuple[str, str], raw: bytes, content_type: str, status: int
) -> None:
    request = HttpRequest(method=route[0], path=route[1])
    response = HttpResponse(status=status, headers=(("content-type", content_type),), body=raw)
    assert compare_exchange(PROFILE, request, response, response).kind is VerdictKind.MATCH
    context = CompareContext(primary_prefixes={"WORK": "/nowhere/p"}, candidate_prefixes={"WORK": "/nowhere/c"})
    assert compare_exchange(PROFILE, request, response, response, context=context).kind is VerdictKind.MATCH


@settings(max_examples=150, deadline=None)
@given(routes, json_values, statuses)
def test_a_response_compared_with_itself_is_a_match(route: tuple[str, str], doc: Any, status: int) -> None:
    request = HttpRequest(method=route[0], path=route[1])
    response = HttpResponse(
        status=status,
        headers=JSON,
        body=json.dumps({"success": True, "data": doc, "error_data": None, "message": None}).encode(),
    )
    # different prefixes on each side defeat the identical-bytes shortcut: the full path runs
    context = CompareContext(primary_prefixes={"WORK": "/nowhere/p"}, candidate_prefixes={"WORK": "/nowhere/c"})
    assert compare_exchange(PROFILE, request, response, response, context=context).kind is VerdictKind.MATCH


# ------------------------------------------------------------------------------------------ requests


def test_normalize_request_pairs_the_same_request_on_both_backends() -> None:
    a, b = ids(2)
    primary = HttpRequest(
        method="POST",
        path="/api/tasks",
        query="",
        headers=JSON,
        body=json.dumps({"project_id": a, "title": "T"}).encode(),
    )
    candidate = HttpRequest(
        method="post", path="/api/tasks", headers=JSON, body=json.dumps({"title": "T", "project_id": b}).encode()
    )
    assert normalize_request(PROFILE, primary) == normalize_request(PROFILE, candidate, side="candidate")
    other = HttpRequest(
        method="POST", path="/api/tasks", headers=JSON, body=json.dumps({"project_id": b, "title": "U"}).encode()
    )
    assert normalize_request(PROFILE, primary) != normalize_request(PROFILE, other)
    q1 = get(f"/api/tasks/{a}", f"x=1&project_id={a}")
    q2 = get(f"/api/tasks/{b}", f"project_id={b}&x=1")
    assert normalize_request(PROFILE, q1) == normalize_request(PROFILE, q2)
    context = CompareContext(primary_prefixes={"WORK": "/tmp/w1"}, candidate_prefixes={"WORK": "/tmp/w2"})
    d1, d2 = (
        get("/api/filesystem/directory", "path=/tmp/w1/repo"),
        get("/api/filesystem/directory", "path=/tmp/w2/repo"),
    )
    assert normalize_request(PROFILE, d1, context) == normalize_request(PROFILE, d2, context, side="candidate")
    assert json.loads(normalize_request(PROFILE, d1, context))["query"] == [["path", "<WORK>/repo"]]


def test_normalize_request_ignores_the_random_multipart_boundary() -> None:
    def upload(boundary: str, content: bytes) -> HttpRequest:
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
                f"Content-Type: image/png\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return HttpRequest(
            method="POST",
            path="/api/images/upload",
            headers=(("content-type", f"multipart/form-data; boundary={boundary}"),),
            body=body,
        )

    assert normalize_request(PROFILE, upload("b1", b"\x89PNG1")) == normalize_request(
        PROFILE, upload("zz2", b"\x89PNG1")
    )
    assert normalize_request(PROFILE, upload("b1", b"\x89PNG1")) != normalize_request(
        PROFILE, upload("b1", b"\x89PNG2")
    )
    part = json.loads(normalize_request(PROFILE, upload("b1", b"\x89PNG1")))["body"]["multipart"][0]
    assert (part["name"], part["filename"]) == ("image", "a.png")


# ------------------------------------------------------------------------------------------ real bodies


def _fixed_date_repo(path: Path) -> None:
    """A git repo whose only commit has a fixed date, so branch listings are identical on both sides."""
    import os
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_DATE": "2025-01-02T00:00:00Z", "GIT_COMMITTER_DATE": "2025-01-02T00:00:00Z"}
    path.mkdir(parents=True)
    (path / "README.md").write_text("parity\n")
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=P", "-c", "user.email=p@example.invalid", "commit", "-qm", "init"],
    ):
        subprocess.run(["git", *args], cwd=path, env=env, check=True)


def _real_exchanges(base_url: str, work: Path) -> list[tuple[HttpRequest, HttpResponse]]:
    """One fixed sequence of requests: reads, writes, and every failure shape we can trigger."""
    import httpx

    _fixed_date_repo(work / "repo")
    taken: list[tuple[HttpRequest, HttpResponse]] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:

        def call(
            method: str,
            path: str,
            *,
            query: str = "",
            body: Any = None,
            raw: bytes | None = None,
            headers: dict[str, str] | None = None,
        ) -> Any:
            content = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
            sent = dict(headers or ({"content-type": "application/json"} if body is not None else {}))
            response = client.request(method, path + (f"?{query}" if query else ""), content=content, headers=sent)
            request = HttpRequest(method=method, path=path, query=query, headers=tuple(sent.items()), body=content)
            taken.append(
                (
                    request,
                    HttpResponse(
                        status=response.status_code,
                        headers=tuple(response.headers.multi_items()),
                        body=response.content,
                    ),
                )
            )
            try:
                return response.json().get("data")
            except ValueError:
                return None

        for path in (
            "/api/health",
            "/api/info",
            "/api/profiles",
            "/api/templates",
            "/api/auth/github/check",
            "/api/sounds/COW_MOOING",
        ):
            call("GET", path)
        call("GET", "/api/templates", query="global=true")
        call("GET", "/api/mcp-config", query="profile=CLAUDE_CODE")
        project = call(
            "POST",
            "/api/projects",
            body={
                "name": "parity",
                "git_repo_path": str(work / "repo"),
                "use_existing_repo": True,
                "setup_script": "echo setup",
            },
        )
        call("GET", "/api/filesystem/directory", query=f"path={work}")
        call("GET", "/api/projects")
        call("GET", f"/api/projects/{project['id']}")
        call("GET", f"/api/projects/{project['id']}/branches")
        task = call(
            "POST",
            "/api/tasks",
            body={"project_id": project["id"], "title": "Add hello file", "description": "agent: nothing"},
        )
        call("GET", "/api/tasks", query=f"project_id={project['id']}")
        call("PUT", f"/api/tasks/{task['id']}", body={"status": "inreview"})
        call("GET", f"/api/tasks/{task['id']}")
        # failure shapes: D, E (400, 422, 415), C, A, 405, the SPA fallback
        call("GET", f"/api/tasks/{uuid.uuid4()}")
        call("GET", "/api/tasks/not-a-uuid")
        call("POST", "/api/tasks", body={"project_id": project["id"]})
        call("POST", "/api/tasks", raw=b'{"project_id": "x"}')
        call("POST", "/api/tasks", body={"project_id": str(uuid.uuid4()), "title": "orphan"})
        call("GET", "/api/mcp-config", query="profile=NOPE")
        call("GET", "/api/filesystem/directory", query=f"path={work}/missing")
        call("GET", f"/api/projects/{project['id']}/search")
        call("POST", "/api/health")
        call("GET", "/api/nonexistent")
        # B: a pull request without a GitHub token; F: search in a project whose repo path is gone
        attempt = call("POST", "/api/task-attempts", body=attempt_body(task["id"]))
        call("POST", f"/api/task-attempts/{attempt['id']}/pr", body={"title": "PR"})
        call("PUT", f"/api/projects/{project['id']}", body={"name": "parity", "git_repo_path": str(work / "gone")})
        call("GET", f"/api/projects/{project['id']}/search", query="q=readme")
    return taken


@pytest.mark.e2e
def test_real_bodies_of_two_identical_backends_compare_equal(primary_pair: Any, tmp_path: Path) -> None:
    from comparators.error_shapes import Shape, classify

    first, second = primary_pair
    sides = [_real_exchanges(instance.base_url, tmp_path / name) for instance, name in ((first, "a"), (second, "b"))]
    context = CompareContext(
        primary_prefixes={"WORK": str(tmp_path / "a"), "HOME": str(first.home)},
        candidate_prefixes={"WORK": str(tmp_path / "b"), "HOME": str(second.home)},
    )
    assert len(sides[0]) == len(sides[1])
    verdicts = [
        compare_exchange(PROFILE, request, answer, other, context=context)
        for (request, answer), (_, other) in zip(*sides, strict=True)
    ]
    unexplained = [
        (v.method, v.route, [(d.path, d.kind.value, d.primary, d.candidate) for d in v.diffs])
        for v in verdicts
        if v.kind is VerdictKind.MISMATCH
    ]
    assert unexplained == []
    shapes = {classify(answer).shape for _, answer in sides[0]}
    assert {
        Shape.OK,
        Shape.SOFT_ERROR,
        Shape.SOFT_ERROR_DATA,
        Shape.API_ERROR,
        Shape.EMPTY_404,
        Shape.REJECTION,
        Shape.EMPTY_500,
        Shape.EMPTY_405,
        Shape.HTML,
        Shape.BINARY,
    } <= shapes

    # ...and the engine still sees a real difference in real data.
    request, answer = next(
        (r, a) for r, a in sides[1] if r.method == "GET" and r.path.startswith("/api/tasks/") and a.status == 200
    )
    changed = json.loads(answer.body)
    changed["data"]["status"] = "done"
    tampered = answer.model_copy(update={"body": json.dumps(changed).encode()})
    original = next(
        a for r, a in sides[0] if r.method == "GET" and r.path.startswith("/api/tasks/") and a.status == 200
    )
    verdict = compare_exchange(PROFILE, request, original, tampered, context=context)
    assert found(verdict) == [("/body/data/status", DiffKind.VALUE)]


def test_the_primarys_backtrace_after_a_github_transport_error_is_not_compared() -> None:
    request = HttpRequest(method="GET", path="/api/auth/github/check")
    trace = "\n\nFound at    0: <unknown>\n   1: start_thread\n             at ./nptl/pthread_create.c:442:8\n"

    def answer(message: str) -> HttpResponse:
        body = {"success": False, "data": None, "error_data": None, "message": message}
        return HttpResponse(status=500, headers=JSON, body=json.dumps(body).encode())

    connect = "GitHubServiceError: Service Error: client error (Connect)"
    assert compare_exchange(PROFILE, request, answer(connect + trace), answer(connect)).kind is VerdictKind.MATCH
    # The error itself still counts: another failure is a mismatch at /body/message.
    other = compare_exchange(PROFILE, request, answer(connect + trace), answer("GitHubServiceError: fetch failed"))
    assert other.kind is VerdictKind.MISMATCH and [d.path for d in other.diffs] == ["/body/message"]
