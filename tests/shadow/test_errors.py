import pytest

from shadow import errors


@pytest.mark.parametrize(
    ("cls", "kind"),
    [
        (errors.CandidateTimeout, "timeout"),
        (errors.CandidateRefused, "refused"),
        (errors.CandidateReset, "reset"),
        (errors.CandidateProtocolError, "protocol"),
        (errors.BreakerOpen, "breaker_open"),
        (errors.CandidateError, "other"),
    ],
)
def test_candidate_errors_carry_the_outcome_kind(cls: type[errors.CandidateError], kind: str) -> None:
    assert cls.kind == kind
    assert issubclass(cls, errors.ShadowError)


def test_the_documented_tree_is_the_real_one() -> None:
    doc = errors.__doc__ or ""
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert name in doc, f"{name} missing from the tree in the module docstring"
        assert issubclass(cls, errors.ShadowError)
