from __future__ import annotations

from runner.errors import CommandError, api_error, internal_error, soft_error


def test_constructors_and_wire_shape() -> None:
    assert soft_error("m").as_json() == {"kind": "soft", "message": "m"}
    assert api_error("ProjectError: x").as_json() == {"kind": "api", "message": "ProjectError: x"}
    error = internal_error("bug")
    assert isinstance(error, CommandError) and str(error) == "bug" and error.kind == "internal"
