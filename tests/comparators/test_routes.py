from __future__ import annotations

import pytest

from comparators.routes import MAX_FALLBACK_DEPTH, Router, fallback_template, parse_template

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
