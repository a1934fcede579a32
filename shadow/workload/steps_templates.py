"""Template routes: every list filter (including the two-filter error), create global and project
templates, get, update, duplicate-name errors, delete."""

from __future__ import annotations

from shadow.workload.context import UNKNOWN_ID, Context, Family

__all__ = ["FAMILY"]

FAMILY = Family("templates", requires=frozenset({"projects"}))


@FAMILY.step("create-global")
def create_global(ctx: Context) -> None:
    body = {"project_id": None, "title": "Parity checklist", "description": "Check parity.", "template_name": "Parity"}
    ctx.state["template.global"] = ctx.entity(ctx.call("create-global", "POST", "/api/templates", json_body=body))


@FAMILY.step("create-project", needs=("project.existing",))
def create_project(ctx: Context) -> None:
    body = {
        "project_id": ctx.state["project.existing"]["id"],
        "title": "Project checklist",
        "description": None,
        "template_name": "Project Checklist",
    }
    ctx.state["template.project"] = ctx.entity(ctx.call("create-project", "POST", "/api/templates", json_body=body))


@FAMILY.step("list")
def list_templates(ctx: Context) -> None:
    ctx.get("list-all", "/api/templates")
    ctx.get("list-global", "/api/templates", {"global": "true"})
    ctx.get("list-not-global", "/api/templates", {"global": "false"})
    ctx.get("list-global-invalid", "/api/templates", {"global": "maybe"})


@FAMILY.step("list-project", needs=("project.existing",))
def list_project(ctx: Context) -> None:
    project_id = ctx.state["project.existing"]["id"]
    ctx.get("list-project", "/api/templates", {"project_id": project_id})
    ctx.get("list-not-global-project", "/api/templates", {"global": "false", "project_id": project_id})
    ctx.get("list-global-and-project", "/api/templates", {"global": "true", "project_id": project_id})


@FAMILY.step("get-update", needs=("template.global", "template.project"))
def get_update(ctx: Context) -> None:
    ctx.get("get", f"/api/templates/{ctx.state['template.global']['id']}")
    path = f"/api/templates/{ctx.state['template.project']['id']}"
    ctx.call("update", "PUT", path, json_body={"title": "Project checklist v2", "description": "Now described."})
    ctx.get("get-updated", path)


@FAMILY.step("errors", needs=("project.existing", "template.global", "template.project"))
def errors(ctx: Context) -> None:
    duplicate = {"project_id": None, "title": "Again", "description": None, "template_name": "Parity"}
    ctx.call("create-duplicate-global", "POST", "/api/templates", json_body=duplicate)
    project_duplicate = {
        **duplicate,
        "project_id": ctx.state["project.existing"]["id"],
        "template_name": "Project Checklist",
    }
    ctx.call("create-duplicate-project", "POST", "/api/templates", json_body=project_duplicate)
    unknown_project = {**duplicate, "project_id": UNKNOWN_ID, "template_name": "Orphan"}
    ctx.call("create-unknown-project", "POST", "/api/templates", json_body=unknown_project)


@FAMILY.step("delete", needs=("template.project",))
def delete(ctx: Context) -> None:
    path = f"/api/templates/{ctx.state['template.project']['id']}"
    ctx.call("delete", "DELETE", path)
    ctx.get("get-deleted", path)
    ctx.get("list-after-delete", "/api/templates")
