"""Filesystem routes: directory listings (default, given, missing, a file) and git-repo discovery."""

from __future__ import annotations

from shadow.workload.context import Context, Family
from shadow.workload.gitrepo import init_repo

__all__ = ["FAMILY"]

FAMILY = Family("filesystem")


@FAMILY.step("prepare")
def prepare(ctx: Context) -> None:
    # A small fixed tree: mixed-case names check the case-insensitive sort, dot-entries must be hidden.
    root = ctx.workdir / "fs"
    for directory in ("Beta", "alpha", ".hidden", "repos/one", "repos/two/deeper"):
        (root / directory).mkdir(parents=True, exist_ok=True)
    (root / "zeta.txt").write_text("zeta\n")
    (root / "Apple.md").write_text("# apple\n")
    (root / ".dotfile").write_text("hidden\n")
    init_repo(root / "repos/one")
    init_repo(root / "repos/two/deeper")
    ctx.state["fs.root"] = root


@FAMILY.step("directory-default")
def directory_default(ctx: Context) -> None:
    ctx.get("directory-default", "/api/filesystem/directory")


@FAMILY.step("directory", needs=("fs.root",))
def directory(ctx: Context) -> None:
    root = ctx.state["fs.root"]
    ctx.get("directory", "/api/filesystem/directory", {"path": str(root)})
    ctx.get("directory-missing", "/api/filesystem/directory", {"path": str(root / "missing")})
    ctx.get("directory-file", "/api/filesystem/directory", {"path": str(root / "zeta.txt")})
    ctx.get("directory-empty-path", "/api/filesystem/directory", {"path": ""})


@FAMILY.step("git-repos", needs=("fs.root",))
def git_repos(ctx: Context) -> None:
    ctx.get("git-repos", "/api/filesystem/git-repos", {"path": str(ctx.state["fs.root"] / "repos")})
