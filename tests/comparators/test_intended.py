from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from comparators.intended import IntendedError, load_intended, parse_intended
from comparators.result import Diff, DiffKind

ENTRY = {
    "id": "fs-directory-confined",
    "method": "GET",
    "route": "/api/filesystem/directory",
    "paths": ["/body/data/entries/**", "/body/message"],
    "kinds": ["value", "missing", "extra"],
    "reason": "the candidate confines listings to allowed roots",
    "expires": "2027-01-31",
}
ROUTE = "/api/filesystem/directory"
LISTED = Diff(path="/body/data/entries/3/name", kind=DiffKind.VALUE, primary="etc", candidate="x")


def test_every_shipped_entry_names_a_profile_route() -> None:
    from comparators.profiles import load_profile

    routes = {(r.method, r.template) for r in load_profile().routes}
    shipped = load_intended().entries
    assert shipped
    for entry in shipped:
        assert (entry.method, entry.route) in routes, entry.id


def test_a_guarded_entry_covers_only_the_refusal_it_names() -> None:
    refusal = Diff(
        path="/error/shape",
        kind=DiffKind.ERROR_SHAPE,
        primary="ok",
        candidate="A",
        note="candidate message: Path is outside the runner's allowed roots",
    )
    other_refusal = refusal.model_copy(update={"note": "candidate message: Directory does not exist"})
    shipped = load_intended()
    today = date(2027, 1, 1)
    assert shipped.explain("GET", ROUTE, [refusal], today).explained
    assert shipped.explain("GET", ROUTE, [other_refusal], today).remaining == [other_refusal]


def test_an_unexpired_entry_explains_matching_differences() -> None:
    listed = parse_intended(yaml.safe_dump([ENTRY]))
    other_path = Diff(path="/status", kind=DiffKind.STATUS, primary=200, candidate=403)
    other_kind = Diff(path="/body/data/entries", kind=DiffKind.LENGTH, primary=3, candidate=1)
    outcome = listed.explain("get", ROUTE, [LISTED, other_path, other_kind], date(2027, 1, 31))
    assert [d.path for d in outcome.explained] == ["/body/data/entries/3/name"]
    assert (
        outcome.explained[0].note == "intended: fs-directory-confined: the candidate confines listings to allowed roots"
    )
    assert outcome.remaining == [other_path, other_kind]
    assert outcome.expired == []
    assert listed.explain("GET", "/api/projects", [LISTED], date(2027, 1, 1)).remaining == [LISTED]


def test_an_expired_entry_explains_nothing_and_says_so() -> None:
    outcome = parse_intended(yaml.safe_dump([ENTRY])).explain("GET", ROUTE, [LISTED], date(2027, 2, 1))
    assert outcome.explained == [] and outcome.remaining == [LISTED]
    assert outcome.expired == ["fs-directory-confined (expired 2027-01-31)"]


def test_without_kinds_any_kind_is_covered() -> None:
    entry = {**ENTRY, "kinds": []}
    shape = Diff(path="/body/message", kind=DiffKind.ERROR_SHAPE, primary="A", candidate="C")
    assert parse_intended(yaml.safe_dump([entry])).explain("GET", ROUTE, [shape], date(2026, 1, 1)).explained


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[unclosed", "not valid YAML"),
        ("a: 1", "expected a list"),
        (yaml.safe_dump([{**ENTRY, "reason": ""}]), "entries.0.reason"),
        (yaml.safe_dump([{k: v for k, v in ENTRY.items() if k != "expires"}]), "entries.0.expires"),
        (yaml.safe_dump([{**ENTRY, "route": "api/x"}]), "template must be an absolute path"),
        (yaml.safe_dump([{**ENTRY, "paths": ["body/x"]}]), "not a JSON pointer"),
        (yaml.safe_dump([{**ENTRY, "id": "Has Spaces"}]), "lower-case slug"),
        (yaml.safe_dump([{**ENTRY, "kinds": ["typo"]}]), "entries.0.kinds.0"),
        (yaml.safe_dump([ENTRY, ENTRY]), "listed twice"),
    ],
)
def test_bad_lists_fail_with_one_line(text: str, message: str) -> None:
    with pytest.raises(IntendedError) as caught:
        parse_intended(text, "x.yaml")
    assert message in str(caught.value) and str(caught.value).startswith("x.yaml: ")
    assert "\n" not in str(caught.value)


def test_load_from_a_file_and_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "intended.yaml"
    path.write_text(yaml.safe_dump([ENTRY]))
    assert load_intended(path).entries[0].expires == date(2027, 1, 31)
    with pytest.raises(IntendedError, match="cannot read"):
        load_intended(tmp_path / "absent.yaml")


def test_today_defaults_to_the_current_date() -> None:
    running = parse_intended(yaml.safe_dump([{**ENTRY, "expires": "2999-12-31"}]))
    assert [d.path for d in running.explain("GET", ROUTE, [LISTED]).explained] == [LISTED.path]
    lapsed = parse_intended(yaml.safe_dump([{**ENTRY, "expires": "2001-01-01"}]))
    assert lapsed.explain("GET", ROUTE, [LISTED]).expired == ["fs-directory-confined (expired 2001-01-01)"]
