"""The project's shape, checked: tests mirror the packages (a port of mitmproxy's
``test/filename_matching.py``, both directions), and imports only go the allowed ways (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("comparators", "shadow", "runner")
# Files that are not modules of their own concept: package markers and entry points.
EXEMPT_NAMES = frozenset({"__init__.py", "__main__.py"})
# Modules that were on main before this check existed and have no test file yet. Entries can only go:
# the last test below fails as soon as one of them gets its test file (then delete the entry).
PENDING = frozenset({"shadow/models.py"})
FORBIDDEN_MODULE_NAMES = frozenset({"utils.py", "helpers.py", "common.py", "misc.py"})


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if p.name not in EXEMPT_NAMES)


def _test_for(source: Path) -> Path:
    relative = source.relative_to(ROOT)
    return ROOT / "tests" / relative.parent / f"test_{relative.name}"


def test_every_module_has_its_test_file() -> None:
    missing = [
        f"{source.relative_to(ROOT)} MUST have a matching test file: {_test_for(source).relative_to(ROOT)}"
        for source in _sources()
        if not _test_for(source).is_file() and str(source.relative_to(ROOT)) not in PENDING
    ]
    assert missing == []


def test_every_test_file_has_its_module() -> None:
    unknown = []
    for package in PACKAGES:
        for test in sorted((ROOT / "tests" / package).rglob("test_*.py")):
            relative = test.relative_to(ROOT / "tests")
            source = ROOT / relative.parent / relative.name.removeprefix("test_")
            entry_point = source.with_name("__main__.py") if source.name == "main.py" else source
            stub = source.with_suffix(".pyi")  # a C extension (comparators/_scan.c) is known by its stub
            if not source.is_file() and not entry_point.is_file() and not stub.is_file():
                unknown.append(f"{test.relative_to(ROOT)} DOES NOT MATCH a source file: {source.relative_to(ROOT)}")
    assert unknown == []


def test_no_dumping_ground_modules() -> None:
    assert [str(p.relative_to(ROOT)) for p in _sources() if p.name in FORBIDDEN_MODULE_NAMES] == []


def _imports(path: Path) -> set[str]:
    return _imported_names(path.read_text(), ".".join(path.relative_to(ROOT).parent.parts))


def _imported_names(source: str, package: str) -> set[str]:
    """Everything ``source`` (a module of ``package``) imports, anywhere in the file, relative imports resolved."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
    return found


def _top(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def _all_modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("comparators", {"shadow", "runner"}), ("runner", {"comparators", "shadow"})],
)
def test_import_direction(package: str, forbidden: set[str]) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(_top(_imports(path)) & forbidden)
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {path: names for path, names in wrong.items() if names} == {}


@pytest.mark.parametrize(
    ("library", "allowed"), [("mitmproxy", {"shadow/addon.py"}), ("deepdiff", {"comparators/json_diff.py"})]
)
def test_only_one_module_imports(library: str, allowed: set[str]) -> None:
    importers = {str(path.relative_to(ROOT)) for path in _all_modules() if library in _top(_imports(path))}
    assert importers <= allowed


def test_the_pending_list_only_shrinks() -> None:
    stale = sorted(entry for entry in PENDING if not (ROOT / entry).is_file() or _test_for(ROOT / entry).is_file())
    assert stale == [], "remove these from PENDING: they now have a test file (or are gone)"


def test_the_scanner_sees_hidden_imports() -> None:
    # Function-level and relative imports must count, or the rules above prove nothing.
    source = "def f():\n    import mitmproxy.http\nfrom ..shadow import models\nfrom . import paths\n"
    assert _imported_names(source, "comparators.sub") == {"mitmproxy.http", "comparators.shadow", "comparators.sub"}
    assert _top(_imported_names("from shadow.models import Exchange\n", "comparators")) == {"shadow"}
