from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from comparators.alignment import AlignItem, Alignment, Side, align


def _ids(*ids: str) -> list[AlignItem]:
    return [AlignItem(key=f"GET /x/{i}", request_id=i) for i in ids]


def test_pairs_by_request_id_and_keeps_the_last_poll() -> None:
    primary = _ids("a", "wait", "wait", "wait", "b", "only-p")
    candidate = _ids("a", "wait", "b", "only-c")
    result = align(primary, candidate)
    assert result.by_request_id
    assert result.pairs == ((0, 0), (3, 1), (4, 2))  # the 3rd poll pairs with the candidate's only one
    assert result.poll_repeats == ((Side.PRIMARY, 1), (Side.PRIMARY, 2))
    assert [(u.side, u.index) for u in result.unpaired] == [(Side.CANDIDATE, 3), (Side.PRIMARY, 5)]
    assert "only-p" in result.unpaired[1].reason
    assert result.unpaired_counts() == {"primary": 1, "candidate": 1}
    assert result.poll_repeat_counts() == {"primary": 2, "candidate": 0}


def test_id_pairing_ignores_order() -> None:
    result = align(_ids("a", "b", "c"), _ids("c", "a", "b"))
    assert result.pairs == ((0, 1), (1, 2), (2, 0))


def test_without_ids_aligns_by_order_and_reports_leftovers_with_their_side() -> None:
    keys_p = ["POST /api/projects", "GET /api/tasks/{id}", "GET /api/tasks/{id}", "PUT /api/tasks/{id}", "GET /a"]
    keys_c = ["POST /api/projects", "GET /api/tasks/{id}", "DELETE /x", "PUT /api/tasks/{id}"]
    primary = [AlignItem(key=k, method=k.split()[0]) for k in keys_p]
    candidate = [AlignItem(key=k, method=k.split()[0]) for k in keys_c]
    result = align(primary, candidate)
    assert not result.by_request_id
    assert result.pairs == ((0, 0), (2, 1), (3, 3))  # the poll's last GET pairs
    assert result.poll_repeats == ((Side.PRIMARY, 1),)
    assert [(u.side, u.index) for u in result.unpaired] == [(Side.CANDIDATE, 2), (Side.PRIMARY, 4)]


def test_repeated_writes_are_not_collapsed_as_polls() -> None:
    items = [AlignItem(key="POST /api/images/upload", method="POST")] * 2
    result = align(items, items)
    assert result.pairs == ((0, 0), (1, 1)) and result.poll_repeats == ()


def test_entries_without_ids_are_aligned_by_order_when_ids_are_used() -> None:
    primary = [*_ids("a"), AlignItem(key="GET /browser"), *_ids("b")]
    candidate = [AlignItem(key="GET /browser"), *_ids("b", "a")]
    result = align(primary, candidate)
    assert result.pairs == ((0, 2), (1, 0), (2, 1))


_keys = st.lists(st.sampled_from(["GET /a", "GET /b", "POST /c", "PUT /d"]), max_size=25)


def _accounted(result: Alignment, n_primary: int, n_candidate: int) -> None:
    seen = {Side.PRIMARY: [], Side.CANDIDATE: []}  # type: dict[Side, list[int]]
    for p, c in result.pairs:
        seen[Side.PRIMARY].append(p)
        seen[Side.CANDIDATE].append(c)
    for side, index in result.poll_repeats:
        seen[side].append(index)
    for unpaired in result.unpaired:
        seen[unpaired.side].append(unpaired.index)
    assert sorted(seen[Side.PRIMARY]) == list(range(n_primary))
    assert sorted(seen[Side.CANDIDATE]) == list(range(n_candidate))


@given(_keys, _keys)
def test_order_alignment_accounts_for_every_entry_once_and_preserves_order(a: list[str], b: list[str]) -> None:
    primary = [AlignItem(key=k, method=k.split()[0]) for k in a]
    candidate = [AlignItem(key=k, method=k.split()[0]) for k in b]
    result = align(primary, candidate)
    _accounted(result, len(a), len(b))
    candidate_order = [c for _, c in result.pairs]
    assert candidate_order == sorted(candidate_order)
    assert all(primary[p].key == candidate[c].key for p, c in result.pairs)


@given(st.lists(st.sampled_from("abcdef"), max_size=20), st.lists(st.sampled_from("abcdefg"), max_size=20))
def test_id_alignment_accounts_for_every_entry_once(a: list[str], b: list[str]) -> None:
    result = align(_ids(*a), _ids(*b))
    if a and b:
        _accounted(result, len(a), len(b))
        assert len(result.pairs) == len(set(a) & set(b))


@given(_keys)
def test_a_capture_aligns_fully_with_itself(keys: list[str]) -> None:
    items = [AlignItem(key=k, method=k.split()[0]) for k in keys]
    result = align(items, items)
    assert result.unpaired == ()
    assert len(result.pairs) + len(result.poll_repeats) // 2 == len(keys)
