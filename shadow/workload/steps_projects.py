"""Project routes: create (existing and new repository, every validation error), get, list, update,
branches, search, open-editor, and at the end delete (plus the cascade to tasks and templates)."""

from __future__ import annotations

from pathlib import Path

from shadow.workload.context import JSON, Context, Family, Phase
from shadow.workload.gitrepo import commit_files, git, init_repo

__all__ = ["FAMILY", "build_existing_repo"]

FAMILY = Family("projects")


def build_existing_repo(path: Path) -> Path:
    """``main`` (two commits) plus ``feature/base-x`` and ``newer``, all with fixed dates; back on main."""
    init_repo(path)
    commit_files(
        path,
        {
            "README.md": "# Existing repo\n\nA fixture for the parity workload.\n",
            "src/app.py": "print('app')\n",
            "src/util/helpers_lib.py": "def helper():\n    return 1\n",
            "docs/GUIDE.md": "# Guide\n",
            ".gitignore": "build/\n",
        },
        "Initial commit",
        date="2025-01-01T00:00:00Z",
    )
    commit_files(path, {"src/app.py": "print('app v2')\n"}, "Update app", date="2025-01-02T00:00:00Z")
    git(path, "checkout", "-q", "-b", "feature/base-x")
    commit_files(path, {"feature.txt": "feature\n"}, "Feature work", date="2025-01-03T00:00:00Z")
    git(path, "checkout", "-q", "-b", "newer", "main")
    commit_files(path, {"newer.txt": "newer\n"}, "Newer work", date="2025-03-01T00:00:00Z")
    git(path, "checkout", "-q", "main")
    (path / "build").mkdir(exist_ok=True)
    (path / "build/output.log").write_text("ignored by git, still found by search\n")
    return path


@FAMILY.step("prepare")
def prepare(ctx: Context) -> None:
    repos = ctx.workdir / "repos"
    ctx.state["repo.existing"] = build_existing_repo(repos / "existing")
    (repos / "plain-dir").mkdir(parents=True, exist_ok=True)
    (repos / "a-file.txt").write_text("not a directory\n")


@FAMILY.step("create-existing", needs=("repo.existing",))
def create_existing(ctx: Context) -> None:
    body = {"name": "Existing Repo", "git_repo_path": str(ctx.state["repo.existing"]), "use_existing_repo": True}
    ctx.state["project.existing"] = ctx.entity(ctx.call("create-existing", "POST", "/api/projects", json_body=body))


@FAMILY.step("create-new")
def create_new(ctx: Context) -> None:
    body = {
        "name": "Created Repo",
        "git_repo_path": str(ctx.workdir / "repos/created"),
        "use_existing_repo": False,
        "setup_script": "echo setup",
        "dev_script": "echo dev",
        "cleanup_script": "echo cleanup",
        "copy_files": "README.md",
    }
    ctx.state["project.created"] = ctx.entity(ctx.call("create-new", "POST", "/api/projects", json_body=body))


@FAMILY.step("create-errors", needs=("repo.existing",))
def create_errors(ctx: Context) -> None:
    repos = ctx.workdir / "repos"
    cases = {
        "create-duplicate": ctx.state["repo.existing"],
        "create-missing-path": repos / "does-not-exist",
        "create-not-a-directory": repos / "a-file.txt",
        "create-not-a-repo": repos / "plain-dir",
    }
    for name, path in cases.items():
        body = {"name": "Broken", "git_repo_path": str(path), "use_existing_repo": True}
        ctx.call(name, "POST", "/api/projects", json_body=body)


@FAMILY.step("create-cascade")
def create_cascade(ctx: Context) -> None:
    # A project with a task and a template of its own: deleting it at the end shows the cascade.
    body = {"name": "Cascade", "git_repo_path": str(ctx.workdir / "repos/cascade"), "use_existing_repo": False}
    project = ctx.entity(ctx.call("create-cascade", "POST", "/api/projects", json_body=body))
    ctx.state["project.cascade"] = project
    task = {"project_id": project["id"], "title": "Doomed task", "description": "Deleted with its project"}
    ctx.state["cascade.task"] = ctx.entity(ctx.call("cascade-task", "POST", "/api/tasks", json_body=task))
    template = {"project_id": project["id"], "title": "Doomed", "description": None, "template_name": "Doomed"}
    ctx.state["cascade.template"] = ctx.entity(
        ctx.call("cascade-template", "POST", "/api/templates", json_body=template)
    )


@FAMILY.step("read", needs=("project.existing",))
def read(ctx: Context) -> None:
    ctx.get("list", "/api/projects")
    ctx.get("get", f"/api/projects/{ctx.state['project.existing']['id']}")


@FAMILY.step("update", needs=("project.created", "repo.existing"))
def update(ctx: Context) -> None:
    path = f"/api/projects/{ctx.state['project.created']['id']}"
    # Omitted scripts and copy_files are cleared; name and path keep their values unless given.
    ctx.call("update", "PUT", path, json_body={"name": "Created Repo (renamed)"})
    ctx.call("update-duplicate-path", "PUT", path, json_body={"git_repo_path": str(ctx.state["repo.existing"])})
    ctx.get("get-updated", path)


@FAMILY.step("branches", needs=("project.existing",))
def branches(ctx: Context) -> None:
    ctx.get("branches", f"/api/projects/{ctx.state['project.existing']['id']}/branches")


@FAMILY.step("search", needs=("project.existing",))
def search(ctx: Context) -> None:
    path = f"/api/projects/{ctx.state['project.existing']['id']}/search"
    ctx.get("search", path, {"q": "app"})
    ctx.get("search-case-insensitive", path, {"q": "guide"})
    ctx.get("search-ignored-file", path, {"q": "output"})
    ctx.get("search-without-q", path)
    ctx.get("search-blank-q", path, {"q": "  "})


@FAMILY.step("open-editor", needs=("project.existing",))
def open_editor(ctx: Context) -> None:
    path = f"/api/projects/{ctx.state['project.existing']['id']}/open-editor"
    ctx.call("open-editor", "POST", path, content="null", headers=JSON)


@FAMILY.step("delete", needs=("project.created",), phase=Phase.FINAL)
def delete(ctx: Context) -> None:
    path = f"/api/projects/{ctx.state['project.created']['id']}"
    ctx.call("delete", "DELETE", path)
    ctx.get("get-deleted", path)


@FAMILY.step("delete-cascade", needs=("project.cascade", "cascade.task", "cascade.template"), phase=Phase.FINAL)
def delete_cascade(ctx: Context) -> None:
    ctx.call("delete-cascade", "DELETE", f"/api/projects/{ctx.state['project.cascade']['id']}")
    ctx.get("cascade-task-gone", f"/api/tasks/{ctx.state['cascade.task']['id']}")
    ctx.get("cascade-template-gone", f"/api/templates/{ctx.state['cascade.template']['id']}")
    ctx.get("list-after-delete", "/api/projects")
