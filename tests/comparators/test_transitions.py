from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from comparators.transitions import TransitionChange, compare_transitions

TASK = ["todo", "inprogress", "inreview", "done"]


def test_equal_sequences() -> None:
    assert compare_transitions(TASK, list(TASK)) == []


def test_missing_and_extra_at_their_indices() -> None:
    assert compare_transitions(TASK, ["todo", "inreview", "done"]) == [
        TransitionChange("missing", "inprogress", 1, None)
    ]
    assert compare_transitions(["running", "completed"], ["running", "failed", "completed"]) == [
        TransitionChange("extra", "failed", None, 1)
    ]


def test_a_reordering_is_one_order_change() -> None:
    changes = compare_transitions(["todo", "inprogress", "inreview"], ["todo", "inreview", "inprogress"])
    assert len(changes) == 1
    assert changes[0].kind == "order" and changes[0].value in {"inprogress", "inreview"}


def test_a_replaced_state_is_missing_plus_extra() -> None:
    assert compare_transitions(["running", "completed"], ["running", "failed"]) == [
        TransitionChange("missing", "completed", 1, None),
        TransitionChange("extra", "failed", None, 1),
    ]


def test_lost_writes_explain_states_a_side_never_showed() -> None:
    # The primary's feed re-read the task before "inprogress" was committed (CONTRACT-CORRECTIONS 34).
    primary, candidate = ["todo", "inreview"], ["todo", "inprogress", "inreview"]
    assert compare_transitions(primary, candidate, primary_lost=1) == [
        TransitionChange("extra", "inprogress", None, 1, race=True)
    ]
    # No lost write on the primary: the candidate showing a state the primary never had is a finding.
    assert compare_transitions(primary, candidate, candidate_lost=1)[0].race is False
    # A budget of one explains one state, not two.
    changes = compare_transitions(["a"], ["a", "b", "c"], primary_lost=1)
    assert [c.race for c in changes] == [True, False]


def test_one_lost_write_explains_the_repeat_it_leaves() -> None:
    # Observed (events-rowid-ambiguous and 5 of 9 full-workflow runs): the follow-up's inreview re-read came
    # too early, so the primary showed inprogress three times, collapsed to one: two states, one lost write.
    candidate = ["todo", "inprogress", "inreview", "inprogress", "inreview", "inprogress", "inreview", "done"]
    primary = ["todo", "inprogress", "inreview", "inprogress", "inreview", "done"]
    assert compare_transitions(primary, candidate, primary_lost=1) == [
        TransitionChange("extra", "inprogress", None, 5, race=True),
        TransitionChange("extra", "inreview", None, 6, race=True),
    ]
    assert [c.race for c in compare_transitions(primary, candidate)] == [False, False]
    # Two states that differ from both neighbours need two lost writes.
    changes = compare_transitions(["a", "d"], ["a", "b", "c", "d"], primary_lost=1)
    assert [(c.value, c.race) for c in changes] == [("b", True), ("c", False)]
    assert all(c.race for c in compare_transitions(["a", "d"], ["a", "b", "c", "d"], primary_lost=2))


def test_never_lost_states_are_not_explained() -> None:
    changes = compare_transitions(
        ["todo", "<deleted>"], ["todo"], candidate_lost=3, never_lost=frozenset({"<deleted>"})
    )
    assert changes == [TransitionChange("missing", "<deleted>", 1, None, race=False)]


@given(st.lists(st.sampled_from(TASK), max_size=6), st.lists(st.sampled_from(TASK), max_size=6))
def test_changes_account_for_every_unmatched_state(primary: list[str], candidate: list[str]) -> None:
    changes = compare_transitions(primary, candidate)
    assert (changes == []) == (primary == candidate)
    missing = sum(c.kind in ("missing", "order") for c in changes)
    extra = sum(c.kind in ("extra", "order") for c in changes)
    assert len(primary) - missing == len(candidate) - extra  # what remains is the common subsequence
