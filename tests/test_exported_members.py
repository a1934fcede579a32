"""httpx's check, for each of our packages: ``__all__`` lists exactly the public names of the package."""

from __future__ import annotations

import types

import pytest

import comparators
import runner
import shadow


@pytest.mark.parametrize("package", [comparators, shadow, runner], ids=lambda p: p.__name__)
def test_all_imports_are_exported(package: types.ModuleType) -> None:
    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    exported = list(package.__all__)
    assert len(exported) == len(set(exported))
    assert set(exported) == public


def test_the_comparators_surface_is_importable_by_name() -> None:
    for name in comparators.__all__:
        assert getattr(comparators, name) is not None
