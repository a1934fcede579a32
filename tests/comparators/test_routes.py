from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comparators.profiles import load_profile
from comparators.routes import MAX_FALLBACK_DEPTH, Router, Template, fallback_template, parse_template

ID = "3f2a1b2c-1111-2222-3333-444455556666"


def test_parse_template() -> None:
    template = parse_template("/api/task-attempts/{id}/branch-status")
    assert template.segments == ("api", "task-attempts", None, "branch-status")
    assert template.params == ("id",)


@pytest.mark.parametrize(
    "text", ["api/tasks", "/api//tasks", "/api/tasks/", "/api/{id}/{id}", "/api/{bad name}", "/api/{x", " /api"]
)
def test_bad_templates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="template"):
        parse_template(text)


ROUTER: Router[str] = Router(
    [
        ("GET", "/api/tasks/{task_id}", "get-task"),
        ("PUT", "/api/tasks/{task_id}", "put-task"),
        ("POST", "/api/tasks/create-and-start", "create-and-start"),
        ("GET", "/api/images/{id}/file", "image-file"),
        ("GET", "/api/images/task/{task_id}", "task-images"),
        ("DELETE", "/api/images/{id}", "delete-image"),
    ]
)


def test_literal_segments_beat_parameters() -> None:
    found = ROUTER.lookup("POST", "/api/tasks/create-and-start")
    assert found is not None and found.value == "create-and-start"
    found = ROUTER.lookup("GET", "/api/images/task/file")
    assert found is not None and found.value == "task-images" and found.params == {"task_id": "file"}


def test_any_segment_fills_a_parameter_like_the_primary() -> None:
    found = ROUTER.lookup("GET", "/api/tasks/not-a-uuid")
    assert found is not None and found.value == "get-task" and found.params == {"task_id": "not-a-uuid"}
    found = ROUTER.lookup("GET", "/api/images/..%2F..%2Fetc/file")
    assert found is not None and found.params == {"id": "../../etc"}


def test_path_first_then_method() -> None:
    found = ROUTER.lookup("GET", "/api/tasks/create-and-start")  # axum: the literal path, method not allowed
    assert found is not None and found.template.text == "/api/tasks/create-and-start"
    assert found.value is None and not found.method_allowed
    head = ROUTER.lookup("HEAD", f"/api/tasks/{ID}")
    assert head is not None and head.value == "get-task"


def test_unknown_paths_and_trailing_slashes_do_not_match() -> None:
    assert ROUTER.lookup("GET", "/api/tasks/") is None
    assert ROUTER.lookup("GET", "/api/nonexistent") is None
    assert ROUTER.lookup("GET", f"/api/tasks/{ID}?x=1") is not None


def test_duplicates_and_overlaps_are_refused() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        Router([("GET", "/a/{id}", 1), ("GET", "/a/{id}", 2)])
    with pytest.raises(ValueError, match="match the same paths"):
        Router([("GET", "/a/{id}", 1), ("PUT", "/a/{task_id}", 2)])


def test_fallback_templates_are_bounded() -> None:
    vocabulary = frozenset({"api", "projects", "tasks"})
    assert fallback_template(f"/api/projects/{ID}/nope", vocabulary) == "/api/projects/{id}/{seg}"
    assert fallback_template("/api/tasks/12345", vocabulary) == "/api/tasks/{id}"
    assert fallback_template("/api/projects/", vocabulary) == "/api/projects/"
    assert fallback_template("/wp-admin/setup.php?x=1", vocabulary) == "/{seg}/{seg}"
    deep = "/api" + "/tasks" * 20
    assert fallback_template(deep, vocabulary).count("/") == MAX_FALLBACK_DEPTH + 1
    assert fallback_template(deep, vocabulary).endswith("/{rest}")
    # Whatever is requested, only known words, {id}, {seg} and {rest} can appear.
    for path in ("/api/" + "x" * 300, "/api/%00%ff", "/api/tasks/<script>", "/a/b/c/d/e/f/g/h"):
        segments = fallback_template(path, vocabulary).split("/")[1:]
        assert set(segments) <= vocabulary | {"{id}", "{seg}", "{rest}", ""}


# The walk the compiled regex replaces, kept as the oracle: depth first, a literal segment before a
# parameter at every position, backtracking; any non-empty segment fills a parameter.
def _walk(templates: list[str], path: str) -> tuple[str, dict[str, str]] | None:
    parsed = [parse_template(text) for text in templates]
    path = path.split("?", 1)[0]
    segments = path[1:].split("/") if path.startswith("/") else path.split("/")

    def find(candidates: list[Template], index: int) -> Template | None:
        if index == len(segments):
            return next((t for t in candidates if len(t.segments) == index), None)
        deeper = [t for t in candidates if len(t.segments) > index]
        literal = [t for t in deeper if t.segments[index] == segments[index]]
        found = find(literal, index + 1) if literal else None
        if found is None and segments[index]:
            params = [t for t in deeper if t.segments[index] is None]
            found = find(params, index + 1) if params else None
        return found

    found = find(parsed, 0)
    if found is None:
        return None
    values = [unquote(s) for wanted, s in zip(found.segments, segments, strict=True) if wanted is None]
    return found.text, dict(zip(found.params, values, strict=True))


WALK_TEMPLATES = [
    "/a/{x}/c",
    "/a/b/{y}",
    "/a/{x}/{z}/d",
    "/a/b/c/{w}",
    "/{p}/b",
    "/a/{x}",
    "/a/b",
    "/{p}/{q}/c/d",
    "/e",
]
WALK_ROUTER: Router[str] = Router([("GET", text, text) for text in WALK_TEMPLATES])


@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", "", "x%2Fy", "é", "a b", "\n"]), min_size=0, max_size=5),
    st.sampled_from(["/", "", "//"]),
    st.sampled_from(["", "?b=c", "?"]),
)
def test_the_compiled_lookup_picks_what_the_tree_walk_picks(segments: list[str], lead: str, query: str) -> None:
    path = lead + "/".join(segments) + query
    found = WALK_ROUTER.lookup("GET", path)
    expected = _walk(WALK_TEMPLATES, path)
    assert (None if found is None else (found.template.text, dict(found.params))) == expected


def test_the_shipped_profile_routes_agree_with_the_tree_walk() -> None:
    profile = load_profile()
    templates = sorted({route.template for route in profile.routes})
    router: Router[str] = Router([("GET", text, text) for text in templates])
    for text in templates:
        # each template with its parameters filled by a word of another template (literal vs parameter)
        for filler in ("x", "create-and-start", "branch-status", ID):
            path = "/".join(filler if part.startswith("{") else part for part in text.split("/"))
            found = router.lookup("GET", path)
            expected = _walk(templates, path)
            assert (None if found is None else (found.template.text, dict(found.params))) == expected
