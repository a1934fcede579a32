from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from comparators.canonical import NotJson, parse_json
from comparators.compare import CompareContext, compare_exchange
from comparators.fastpath import fast_path_for
from comparators.message import HttpRequest, HttpResponse
from comparators.normalize import NormalizeContext, Normalizer, RuleRef
from comparators.profiles import load_profile

PROFILE = load_profile()
JSON = (("content-type", "application/json"),)
WORK_P, WORK_C = "/tmp/vkp-work-a", "/tmp/vkp-work-bb"
HOME_P, HOME_C = "/tmp/vkp-home-a", "/tmp/vkp-home-b"
SHA_A, SHA_B = "9fceb02d0ae598e95dc970b74767f19372d61af8", "0123456789abcdef0123456789abcdef01234567"


def contexts(id_map: dict[str, str] | None = None) -> tuple[NormalizeContext, NormalizeContext]:
    context = CompareContext(
        primary_prefixes={"WORK": WORK_P, "HOME": HOME_P}, candidate_prefixes={"WORK": WORK_C, "HOME": HOME_C}
    )
    return context.normalize_contexts(id_map)


def exact_equal(normalizer: Normalizer, primary: bytes, candidate: bytes, ctxs: Any) -> bool:
    """What the exact path decides for two JSON bodies (bodies.py: parse, normalize per side, compare)."""
    try:
        p_doc, c_doc = parse_json(primary), parse_json(candidate)
    except NotJson:
        return False
    return normalizer.canonical(p_doc, ctxs[0], owned=True) == normalizer.canonical(c_doc, ctxs[1], owned=True)


DEFAULT = PROFILE.normalizer(None)


def fast(primary: bytes | str, candidate: bytes | str, *, normalizer: Normalizer = DEFAULT, **kw: Any) -> bool:
    path = fast_path_for(normalizer)
    assert path is not None
    p = primary.encode() if isinstance(primary, str) else primary
    c = candidate.encode() if isinstance(candidate, str) else candidate
    ctxs = contexts(kw.get("id_map"))
    answer = path.equal(p, c, ctxs)
    if answer:  # the property every test below leans on
        assert exact_equal(normalizer, p, c, ctxs)
    return answer


def ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


# ------------------------------------------------------------------------------------------ eligibility


def test_routes_whose_rules_look_at_values_have_no_fast_path() -> None:
    by_key = {route.key: route for route in PROFILE.routes}
    assert fast_path_for(PROFILE.normalizer(by_key["GET /api/tasks"])) is not None
    assert fast_path_for(PROFILE.normalizer(by_key["GET /api/info"])) is not None  # mask_value: structural
    assert fast_path_for(PROFILE.normalizer(by_key["GET /api/filesystem/git-repos"])) is None  # sort_array
    assert fast_path_for(PROFILE.normalizer(by_key["GET /api/profiles"])) is None  # parse_json_string
    custom = Normalizer([RuleRef(rule="mask_regex", params={"custom": [{"regex": "a+", "replacement": "a"}]})])
    assert fast_path_for(custom) is None
    by_path = Normalizer([RuleRef(rule="mask_timestamp", params={"paths": ["/data/created_at"]})])
    assert fast_path_for(by_path) is None  # a tree kernel that decides by value


# ------------------------------------------------------------------------------------------ what it proves


def task(task_id: str, project_id: str, at: str, *, status: str = "todo") -> dict[str, Any]:
    return {"id": task_id, "project_id": project_id, "title": "Add hello", "status": status, "created_at": at}


def envelope(data: Any) -> str:
    return json.dumps({"success": True, "data": data, "error_data": None, "message": None}, separators=(",", ":"))


def test_equal_meaning_with_other_ids_timestamps_and_directories_is_proven() -> None:
    a, b, pa, pb = ids(4)
    primary = envelope([task(a, pa, "2026-11-26T07:12:12.517Z"), task(b, pa, "2026-11-30T07:12:12.517123Z")])
    candidate = envelope([task(b, pb, "2026-11-26T07:13:02Z"), task(a, pb, "2026-03-31T00:00:00.123456789Z")])
    assert fast(primary, candidate)
    process_p = envelope({"script": f"cd {WORK_P}/repo && git checkout vk-1a2b-add-hello", "sha": SHA_A})
    process_c = envelope({"script": f"cd {WORK_C}/repo && git checkout vk-9f8e-add-hello", "sha": SHA_B})
    assert fast(process_p, process_c)


def test_ids_swapped_between_two_fields_are_not_a_match() -> None:
    a, b = ids(2)
    primary = envelope({"id": a, "parent": b, "items": [a, b]})
    assert fast(primary, envelope({"id": b, "parent": a, "items": [b, a]}))  # a consistent renaming
    assert not fast(primary, envelope({"id": b, "parent": a, "items": [a, b]}))  # swapped in one place only
    assert not fast(envelope({"id": a, "parent": a}), envelope({"id": a, "parent": b}))  # one id became two


def test_id_map_and_known_ids_are_honoured_exactly() -> None:
    p_task, c_task, p_project, c_project, other = ids(5)
    id_map = {c_task: p_task, c_project: p_project}
    primary = envelope(task(p_task, p_project, "2026-11-26T07:12:12.517Z"))
    good = envelope(task(c_task, c_project, "2026-11-26T07:12:12Z"))
    assert fast(primary, good, id_map=id_map)
    wrong = envelope(task(c_task, other, "2026-11-26T07:12:12Z"))  # numbered where the primary has a known id
    assert not fast(primary, wrong, id_map=id_map)
    conflict = {c_task: p_task, c_project: p_task}  # two candidate ids mapped to one primary id
    assert not fast(primary, good, id_map=conflict)
    not_an_id = {c_task: "task-7"}  # a mapping to something that is not a UUID: the exact path decides
    assert not fast(primary, good, id_map=not_an_id)
    unmapped = envelope(task(c_task, c_project, "2026-11-26T07:12:12Z"))
    assert not fast(primary, unmapped, id_map={c_project: p_project, other: p_task})


@pytest.mark.parametrize(
    ("primary_ts", "candidate_ts", "proven"),
    [
        ("2026-11-26T07:12:12.517Z", "2026-11-26T07:12:12+00:00", False),  # another format family
        ("2026-11-26T07:12:12.517Z", "2026-11-26T07:12:12.51Z", False),  # 2 digits: not AutoSi
        ("2026-11-26T07:12:12.517Z", "2026-02-29T07:12:12Z", False),  # no such day in 2026
        ("2028-02-29T07:12:12Z", "2028-02-29T07:12:12Z", True),  # equal text is always fine
        ("2026-11-26T07:12:12.517Z", "2026-04-31T07:12:12Z", False),
        ("2026-11-26T07:12:12.517Z", "0000-01-30T07:12:12Z", False),  # datetime has no year 0
        ("2026-11-26T07:12:12.517Z", "2026-13-01T07:12:12Z", False),
        ("2026-11-26T07:12:12.517Z", "2026-01-31T23:59:59.999999999Z", True),
    ],
)
def test_timestamps_are_proven_equal_only_within_the_autosi_family(
    primary_ts: str, candidate_ts: str, proven: bool
) -> None:
    a = str(uuid.uuid4())
    assert fast(envelope(task(a, a, primary_ts)), envelope(task(a, a, candidate_ts))) is proven


def test_a_route_comparing_precision_exactly_never_conflates_precisions() -> None:
    exact = Normalizer(
        [
            RuleRef(rule="mask_timestamp", params={"paths": ["/**/created_at"], "precision": "exact"}),
            RuleRef(rule="mask_uuid"),
        ]
    )
    a = str(uuid.uuid4())
    ms = envelope(task(a, a, "2026-11-26T07:12:12.517Z"))
    assert not fast(ms, envelope(task(a, a, "2026-11-26T07:12:12.517123Z")), normalizer=exact)
    assert fast(ms, envelope(task(a, a, "2026-11-27T08:00:00.001Z")), normalizer=exact)


def test_another_key_order_or_spacing_falls_through_to_the_exact_path() -> None:
    a = str(uuid.uuid4())
    primary = envelope({"id": a, "status": "todo"})
    candidate = json.dumps({"data": {"status": "todo", "id": a}, "message": None, "error_data": None, "success": True})
    assert not fast(primary, candidate)
    assert exact_equal(DEFAULT, primary.encode(), candidate.encode(), contexts())  # the exact path does match them


def test_ids_or_masked_values_inside_object_keys_fall_through() -> None:
    a, b, c = sorted(ids(3))
    # Keys are sorted before numbering: {a: 1, b: 2} against {c: 1, a: 2} reverses the order on one side.
    assert not fast(envelope({a: 1, b: 2}), envelope({c: 1, a: 2}))
    assert not fast(envelope({f"{WORK_P}/x": 1}), envelope({f"{WORK_C}/x": 1}))


@pytest.mark.parametrize(
    ("primary", "candidate"),
    [
        # A UUID that starts at the escaped letter of \b: the candidate's \0 would not even be JSON.
        ('{"s":"\\bbcdef12-1234-1234-1234-123456789abc"}', '{"s":"\\0bcdef12-1234-1234-1234-123456789abc"}'),
        # \/ before a prefix: the candidate's \<WORK> would not be JSON either.
        ('{"s":"\\/tmp/vkp-work-a/x"}', '{"s":"\\<WORK>/x"}'),
        # \u escapes are spelled otherwise by the canonical form.
        ('{"s":"\\u0061bcdef12-1234-1234-1234-123456789abc"}', '{"s":"abcdef12-1234-1234-1234-123456789abc"}'),
    ],
)
def test_matches_that_could_start_inside_an_escape_fall_through(primary: str, candidate: str) -> None:
    assert not fast(primary, candidate)


def test_the_candidates_directory_in_both_answers_is_no_match() -> None:
    """Prefixes differ per side: the candidate's work dir as text in both answers is masked only in the
    candidate's, so the normalized answers differ (a kernel that finds nothing in the primary must still
    run on the candidate when it depends on the side)."""
    body = envelope({"script": f"cd {WORK_C}/repo"})
    assert not exact_equal(DEFAULT, body.encode(), body.encode(), contexts())
    assert not fast(body, body)
    assert fast(envelope({"script": f"cd {WORK_P}/repo"}), envelope({"script": f"cd {WORK_C}/repo"}))


def test_a_forty_character_number_is_not_masked_as_a_sha() -> None:
    number_p, number_c = "1" * 38 + "e1", "2" * 38 + "e1"
    assert not fast(f'{{"n":{number_p}}}', f'{{"n":{number_c}}}')
    assert fast(f'{{"n":{number_p},"s":"{SHA_A}"}}', f'{{"n":{number_p},"s":"{SHA_B}"}}')
    assert fast(f'{{"s":"{SHA_A}"}}', f'{{"s":"{SHA_B}"}}')


def test_a_primary_that_is_not_json_falls_through() -> None:
    a, b = ids(2)
    assert not fast(f'{{"id":"{a}"', f'{{"id":"{b}"')
    assert not fast('{"created_at":"2026-11-26T07:12:12Z","x":NaN}', '{"created_at":"2026-11-26T07:12:13Z","x":NaN}')


def test_compare_exchange_takes_the_fast_path_for_equal_answers() -> None:
    a, b, pa, pb = ids(4)
    request = HttpRequest(method="GET", path="/api/tasks", query=f"project_id={pa}")
    primary = HttpResponse(status=200, headers=JSON, body=envelope([task(a, pa, "2026-11-26T07:12:12.517Z")]).encode())
    candidate = HttpResponse(status=200, headers=JSON, body=envelope([task(b, pb, "2026-11-26T07:12:13Z")]).encode())
    with mock.patch("comparators.compare.diff_bodies", side_effect=AssertionError("exact path taken")):
        assert compare_exchange(PROFILE, request, primary, candidate).kind.value == "match"
    other_type = candidate.model_copy(update={"headers": (("content-type", "text/plain"),)})
    assert compare_exchange(PROFILE, request, primary, other_type).kind.value == "mismatch"


# ------------------------------------------------------------------------------------------ soundness property
#
# Documents are generated abstractly (strings are lists of fragments: text, the n-th id, a path below a prefix,
# a timestamp, a SHA, a branch, a squash subject, escapes), rendered once per side with that side's ids,
# directories and timestamps, and the candidate is then mutated. Whatever comes out, a fast-path "equal" must
# be an exact-path "equal".

_TS_FORMS = [
    "2026-11-{d:02d}T07:12:{s:02d}Z",
    "2026-11-{d:02d}T07:12:{s:02d}.517Z",
    "2026-11-{d:02d}T07:12:{s:02d}.517123Z",
    "2026-11-{d:02d}T07:12:{s:02d}.517123456Z",
    "2026-11-{d:02d}T07:12:{s:02d}+00:00",
    "2026-11-{d:02d}T07:12:{s:02d}.5Z",
    "2026-02-{d:02d}T07:12:{s:02d}Z",
    "0000-01-{d:02d}T07:12:{s:02d}Z",
]
_fragment = st.one_of(
    # The other side's directory as plain text: no prefix of this side, but one of the other's.
    st.tuples(
        st.just("text"),
        st.sampled_from(["", "a", "done", "add hello", "é", "tab\t", 'q"', "b\\", "/x", f"{WORK_C}/x", HOME_P]),
    ),
    st.tuples(st.just("id"), st.integers(0, 3)),
    st.tuples(st.just("path"), st.sampled_from(["WORK", "HOME"]), st.sampled_from(["", "/repo", "/vk-1a2b-slug"])),
    st.tuples(st.just("ts"), st.integers(0, 3)),
    st.tuples(st.just("sha"), st.integers(0, 1)),
    st.tuples(st.just("branch"), st.integers(0, 1)),
    st.tuples(st.just("subject"), st.integers(0, 1)),
)
_string = st.lists(_fragment, min_size=1, max_size=3).map(lambda parts: ("str", parts))
_scalar = st.one_of(
    _string,
    _string,
    _string,
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.just(1.5),
    st.just(1234567890123456789012),
)
_key = st.one_of(
    st.sampled_from(["id", "status", "created_at", "updated_at", "merge_commit", "script", "data"]),
    st.lists(_fragment, min_size=1, max_size=1).map(lambda parts: ("str", parts)),
)
_abstract = st.recursive(
    _scalar,
    lambda inner: (
        st.lists(inner, max_size=3) | st.lists(st.tuples(_key, inner), max_size=4).map(lambda kv: ("obj", kv))
    ),
    max_leaves=12,
)


class Side:
    def __init__(self, ids: list[str], stamps: list[str], work: str, home: str, shas: list[str], hexes: list[str]):
        self.ids, self.stamps, self.work, self.home, self.shas, self.hexes = ids, stamps, work, home, shas, hexes

    def fragment(self, part: tuple[Any, ...]) -> str:
        kind = part[0]
        if kind == "text":
            return str(part[1])
        if kind == "id":
            return self.ids[part[1]]
        if kind == "path":
            return (self.work if part[1] == "WORK" else self.home) + part[2]
        if kind == "ts":
            return self.stamps[part[1]]
        if kind == "sha":
            return self.shas[part[1]]
        if kind == "branch":
            return f"vk-{self.hexes[part[1]][:4]}-add-hello"
        return f"Add hello (vibe-kanban {self.hexes[part[1]]})"


def render(doc: Any, side: Side, style: dict[str, bool]) -> str:
    """Raw JSON as a server might write it: compact or spaced, with or without \\/ and \\u escapes."""
    sep_item, sep_key = (", ", ": ") if style["spaced"] else (",", ":")
    if isinstance(doc, tuple) and doc[0] == "obj":
        members = [render(k, side, style) + sep_key + render(v, side, style) for k, v in doc[1]]
        return "{" + sep_item.join(members) + "}"
    if isinstance(doc, tuple):  # ("str", fragments)
        text = json.dumps("".join(side.fragment(part) for part in doc[1]), ensure_ascii=style["ascii"])
        return text.replace("/", "\\/") if style["slash"] else text
    if isinstance(doc, list):
        return "[" + sep_item.join(render(item, side, style) for item in doc) + "]"
    return json.dumps(doc)


_uuid = st.uuids().map(str)
_stamp = st.builds(
    lambda form, d, s: form.format(d=d, s=s), st.sampled_from(_TS_FORMS), st.integers(1, 31), st.integers(0, 59)
)
_autosi = st.builds(
    lambda form, d, s: form.format(d=d, s=s), st.sampled_from(_TS_FORMS[:4]), st.integers(1, 28), st.integers(0, 59)
)
_side_values = st.fixed_dictionaries(
    {
        "ids": st.lists(_uuid | _uuid.map(str.upper), min_size=4, max_size=4),
        "stamps": st.lists(_autosi | _autosi | _stamp, min_size=4, max_size=4),
        "shas": st.lists(st.sampled_from([SHA_A, SHA_B, "1" * 38 + "e1", "a" + "1" * 39]), min_size=2, max_size=2),
        "hexes": st.lists(st.sampled_from(["1a2b3c4d", "9f8e7d6c", "00000000"]), min_size=2, max_size=2),
    }
)
_style = st.fixed_dictionaries({"spaced": st.booleans(), "ascii": st.booleans(), "slash": st.booleans()})
_normalizers = st.sampled_from(
    [PROFILE.normalizer(route) for route in PROFILE.routes if route.stream is None]
    + [
        PROFILE.normalizer(None),
        Normalizer([RuleRef(rule="mask_timestamp", params={"precision": "exact"}), RuleRef(rule="mask_uuid")]),
        Normalizer([RuleRef(rule="mask_uuid")]),
        Normalizer([RuleRef(rule="id_map"), RuleRef(rule="ignore", params={"paths": ["/data/*/id"]})]),
    ]
)
Mutation = Callable[[str], str]
_mutations: st.SearchStrategy[Mutation] = st.sampled_from(
    [
        lambda raw: raw,
        lambda raw: raw,
        lambda raw: raw,
        lambda raw: raw,
        lambda raw: raw.replace("done", "todo", 1),
        lambda raw: raw.replace(",", ", ", 1),
        lambda raw: raw.replace("1", "2", 1),
        lambda raw: raw.replace("a", "b", 1),
        lambda raw: raw.replace("Z", "z", 1),
        lambda raw: raw[:-1],
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    doc=_abstract,
    normalizer=_normalizers,
    primary=_side_values,
    candidate=_side_values,
    same=st.lists(st.booleans(), min_size=4, max_size=4),
    styles=_style.map(lambda style: (style, style)) | st.tuples(_style, _style),
    mutate=_mutations,
    mapped=st.sampled_from(["none", "right", "conflict", "partial"]),
)
def test_a_fast_path_match_is_always_an_exact_path_match(
    doc: Any,
    normalizer: Normalizer,
    primary: dict[str, list[str]],
    candidate: dict[str, list[str]],
    same: list[bool],
    styles: tuple[dict[str, bool], dict[str, bool]],
    mutate: Mutation,
    mapped: str,
) -> None:
    path = fast_path_for(normalizer)
    if path is None:
        return
    # Each candidate value is the primary's or its own, so the sides share some values and differ in others.
    c_values = {
        key: [p if keep else c for p, c, keep in zip(primary[key], candidate[key], same, strict=False)]
        for key in primary
    }
    p_side = Side(primary["ids"], primary["stamps"], WORK_P, HOME_P, primary["shas"], primary["hexes"])
    c_side = Side(c_values["ids"], c_values["stamps"], WORK_C, HOME_C, c_values["shas"], c_values["hexes"])
    id_map = {
        "none": None,
        "right": dict(zip(c_values["ids"], primary["ids"], strict=True)),
        "conflict": {c_values["ids"][0]: primary["ids"][1], c_values["ids"][1]: primary["ids"][1]},
        "partial": {c_values["ids"][2]: primary["ids"][2]},
    }[mapped]
    p_raw = render(doc, p_side, styles[0]).encode()
    c_raw = mutate(render(doc, c_side, styles[1])).encode()
    ctxs = contexts(id_map)
    answer = path.equal(p_raw, c_raw, ctxs)
    event(f"fast path: {'not proven' if not answer else 'match, same bytes' if p_raw == c_raw else 'match'}")
    if answer:
        assert exact_equal(normalizer, p_raw, c_raw, ctxs), (p_raw, c_raw, id_map)


def test_the_property_sees_matches_too() -> None:
    """The property above is not vacuous: equal renderings of a rich document are proven equal."""
    doc = (
        "obj",
        [
            ("id", ("str", [("id", 0)])),
            ("data", [("obj", [("created_at", ("str", [("ts", 0)])), ("script", ("str", [("path", "WORK", "/x")]))])]),
            ("merge_commit", ("str", [("sha", 0)])),
            ("status", ("str", [("text", "done "), ("branch", 1), ("text", " "), ("subject", 0)])),
            ("refs", [("str", [("id", 1)]), ("str", [("id", 0)])]),
        ],
    )
    p = Side(ids(4), ["2026-11-26T07:12:12.517Z"] * 4, WORK_P, HOME_P, [SHA_A, SHA_A], ["1a2b3c4d"] * 2)
    c = Side(ids(4), ["2026-11-26T07:12:13Z"] * 4, WORK_C, HOME_C, [SHA_B, SHA_B], ["9f8e7d6c"] * 2)
    style = {"spaced": False, "ascii": True, "slash": False}
    assert fast(render(doc, p, style), render(doc, c, style))


_fresh_side = st.fixed_dictionaries(
    {
        "ids": st.lists(_uuid, min_size=4, max_size=4, unique=True),
        "stamps": st.lists(_autosi, min_size=4, max_size=4),
        "shas": st.lists(st.sampled_from([SHA_A, SHA_B]), min_size=2, max_size=2),
        "hexes": st.lists(st.sampled_from(["1a2b3c4d", "9f8e7d6c"]), min_size=2, max_size=2),
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    doc=_abstract,
    normalizer=_normalizers,
    primary=_fresh_side,
    candidate=_fresh_side,
    style=_style,
    mutate=_mutations,
    mapped=st.booleans(),
)
def test_equivalent_renderings_are_matched_only_when_the_exact_path_agrees(
    doc: Any,
    normalizer: Normalizer,
    primary: dict[str, list[str]],
    candidate: dict[str, list[str]],
    style: dict[str, bool],
    mutate: Mutation,
    mapped: bool,
) -> None:
    """Two backends' answers for the same state: fresh ids (a consistent renaming, or correlated through
    id_map), other AutoSi timestamps, SHAs, branches and directories; sometimes one edit on top."""
    path = fast_path_for(normalizer)
    if path is None:
        return
    p_side = Side(primary["ids"], primary["stamps"], WORK_P, HOME_P, primary["shas"], primary["hexes"])
    c_side = Side(candidate["ids"], candidate["stamps"], WORK_C, HOME_C, candidate["shas"], candidate["hexes"])
    id_map = dict(zip(candidate["ids"], primary["ids"], strict=True)) if mapped else None
    # Wrapped so that every document holds values that differ between the sides.
    doc = ("obj", [("id", ("str", [("id", 0)])), ("data", doc), ("created_at", ("str", [("ts", 1)]))])
    p_raw = render(doc, p_side, style).encode()
    c_raw = mutate(render(doc, c_side, style)).encode()
    ctxs = contexts(id_map)
    answer = path.equal(p_raw, c_raw, ctxs)
    exact = exact_equal(normalizer, p_raw, c_raw, ctxs)
    event(f"fast {answer}, exact {exact}, same bytes {p_raw == c_raw}")
    if answer:
        assert exact, (p_raw, c_raw, id_map)


# ------------------------------------------------------------------------------------------ hand-over
#
# When the fast path cannot prove equality, the exact path parses the bodies with the timestamp members
# already masked (Attempt.primary/.candidate) and skips that rule. Its verdict must be the one it reaches
# from the bodies themselves: every difference, path, kind and value alike.

_ROUTES = [route for route in PROFILE.routes if route.stream is None and route.method == "GET"]


def _verdicts(request: HttpRequest, primary: HttpResponse, candidate: HttpResponse, **kw: Any) -> tuple[Any, Any]:
    context = CompareContext(
        primary_prefixes={"WORK": WORK_P, "HOME": HOME_P}, candidate_prefixes={"WORK": WORK_C, "HOME": HOME_C}
    )
    with_fast = compare_exchange(PROFILE, request, primary, candidate, context=context, **kw)
    with mock.patch("comparators.compare.fast_path_for", new=lambda normalizer: None):
        exact = compare_exchange(PROFILE, request, primary, candidate, context=context, **kw)
    return with_fast, exact


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    doc=_abstract,
    route=st.sampled_from(_ROUTES),
    primary=_fresh_side,
    candidate=_fresh_side,
    styles=_style.map(lambda style: (style, style)) | st.tuples(_style, _style),
    mutate=_mutations,
    status=st.sampled_from([200, 404]),
)
def test_the_exact_path_after_a_failed_fast_path_reaches_the_same_verdict(
    doc: Any,
    route: Any,
    primary: dict[str, list[str]],
    candidate: dict[str, list[str]],
    styles: tuple[dict[str, bool], dict[str, bool]],
    mutate: Mutation,
    status: int,
) -> None:
    p_side = Side(primary["ids"], primary["stamps"], WORK_P, HOME_P, primary["shas"], primary["hexes"])
    c_side = Side(candidate["ids"], candidate["stamps"], WORK_C, HOME_C, candidate["shas"], candidate["hexes"])
    doc = (
        "obj",
        [
            ("success", status == 200),
            ("data", doc),
            ("error_data", None),
            ("message", None if status == 200 else ("str", [("text", "TaskError: "), ("path", "WORK", "/x")])),
            ("created_at", ("str", [("ts", 1)])),
        ],
    )
    request = HttpRequest(method="GET", path=route.template.replace("{", "x").replace("}", ""))
    responses = [
        HttpResponse(status=status, headers=JSON, body=raw)
        for raw in (render(doc, p_side, styles[0]).encode(), mutate(render(doc, c_side, styles[1])).encode())
    ]
    with_fast, exact = _verdicts(request, *responses)
    path = fast_path_for(PROFILE.normalizer(route))
    attempt = path.attempt(responses[0].body, responses[1].body, contexts()) if path else None
    handed = attempt is not None and not attempt.proven and (attempt.primary or attempt.candidate)
    event(f"verdict {exact.kind.value}, {'handed over' if handed else 'not handed over'}")
    assert with_fast == exact


def test_the_hand_over_covers_spaced_members_and_escaped_keys() -> None:
    a, b = ids(2)
    request = HttpRequest(method="GET", path="/api/tasks")
    primary = HttpResponse(
        status=200,
        headers=JSON,
        body=f'{{"success": true, "data": [{{"id": "{a}", "created_at" : "2026-11-26T07:12:12.517Z", '
        f'"status": "todo"}}], "error_data": null, "message": null}}'.encode(),
    )
    spaced = primary.body.replace(a.encode(), b.encode()).replace(b'"todo"', b'"done"')
    escaped = spaced.replace(b'"created_at"', b'"created\\u005fat"')
    for body in (spaced, escaped):
        with_fast, exact = _verdicts(request, primary, primary.model_copy(update={"body": body}))
        assert with_fast == exact
        assert [(d.path, d.kind.value) for d in exact.diffs] == [("/body/data/0/status", "value")]


_IDS = [str(uuid.UUID(int=n)).encode() for n in range(1, 5)]


@given(
    st.lists(st.tuples(st.sampled_from(_IDS), st.sampled_from(_IDS)), max_size=6),
    st.frozensets(st.sampled_from(_IDS)),
    st.frozensets(st.sampled_from(_IDS)),
)
def test_same_uuids_is_equal_numbering(
    pairs: list[tuple[bytes, bytes]], p_known: frozenset[bytes], c_known: frozenset[bytes]
) -> None:
    from comparators.normalize import number_uuids

    fast = fast_path_for(PROFILE.normalizer(PROFILE.match("GET", "/api/tasks").rule))
    assert fast is not None and fast._numbers_uuids
    p_found, c_found = [p for p, _ in pairs], [c for _, c in pairs]
    p_ctx = NormalizeContext(known_ids=frozenset(k.decode() for k in p_known))
    c_ctx = NormalizeContext(known_ids=frozenset(k.decode() for k in c_known))
    expected = number_uuids(p_found, p_known) == number_uuids(c_found, c_known)
    assert fast._same_uuids(p_found, c_found, p_ctx, c_ctx) == expected
    same_known = NormalizeContext(known_ids=frozenset(k.decode() for k in p_known))
    assert fast._same_uuids(p_found, c_found, p_ctx, same_known) == (
        number_uuids(p_found, p_known) == number_uuids(c_found, p_known)
    )
