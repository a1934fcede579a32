"""Task routes: create (with images), list, get, update, create-and-start (runs the scripted agent through
the config's executor profile), delete."""

from __future__ import annotations

from shadow.workload.context import UNKNOWN_ID, Context, Family, data_field_is
from shadow.workload.pngimage import solid_png

__all__ = ["FAMILY"]

FAMILY = Family("tasks", requires=frozenset({"system", "projects"}))


@FAMILY.step("create", needs=("project.existing",))
def create(ctx: Context) -> None:
    body = {
        "project_id": ctx.state["project.existing"]["id"],
        "title": "Write docs",
        "description": "Document the public API.",
    }
    ctx.state["task.docs"] = ctx.entity(ctx.call("create", "POST", "/api/tasks", json_body=body))


@FAMILY.step("create-with-image", needs=("project.existing",))
def create_with_image(ctx: Context) -> None:
    files = {"image": ("task-image.png", solid_png(4, 4, (200, 30, 30)), "image/png")}
    image = ctx.entity(ctx.call("upload-image", "POST", "/api/images/upload", files=files))
    ctx.state["image.task"] = image
    body = {
        "project_id": ctx.state["project.existing"]["id"],
        "title": "Task with image",
        "description": "See the attached screenshot.",
        "image_ids": [image["id"]],
    }
    task = ctx.entity(ctx.call("create-with-image", "POST", "/api/tasks", json_body=body))
    ctx.get("images-of-task", f"/api/images/task/{task['id']}")


@FAMILY.step("read", needs=("project.existing", "task.docs"))
def read(ctx: Context) -> None:
    ctx.get("list", "/api/tasks", {"project_id": ctx.state["project.existing"]["id"]})
    ctx.get("get", f"/api/tasks/{ctx.state['task.docs']['id']}")
    ctx.get("list-unknown-project", "/api/tasks", {"project_id": UNKNOWN_ID})


@FAMILY.step("update", needs=("task.docs",))
def update(ctx: Context) -> None:
    path = f"/api/tasks/{ctx.state['task.docs']['id']}"
    ctx.call("update-status", "PUT", path, json_body={"status": "inprogress"})
    body = {"title": "Write docs (v2)", "description": "Document every route.", "status": "inreview"}
    ctx.call("update", "PUT", path, json_body=body)
    ctx.call("update-unknown-status", "PUT", path, json_body={"status": "blocked"})
    ctx.get("get-updated", path)


@FAMILY.step("update-images", needs=("task.docs", "image.task"))
def update_images(ctx: Context) -> None:
    task_id = ctx.state["task.docs"]["id"]
    body = {"image_ids": [ctx.state["image.task"]["id"]]}
    ctx.call("update-image-ids", "PUT", f"/api/tasks/{task_id}", json_body=body)
    ctx.get("images-after-update", f"/api/images/task/{task_id}")


@FAMILY.step("create-and-start", needs=("project.existing", "config"))
def create_and_start(ctx: Context) -> None:
    # config.executor_profile is CLAUDE_CODE/FAKE (system.config), so this runs the scripted agent on the
    # repository's current branch; the project has no scripts, so the chain is agent -> commit -> inreview.
    body = {
        "project_id": ctx.state["project.existing"]["id"],
        "title": "Started at once",
        "description": "Write a file.\nagent: write started.txt started by create-and-start\nagent: say Wrote started.txt.",
    }
    task = ctx.entity(ctx.call("create-and-start", "POST", "/api/tasks/create-and-start", json_body=body))
    ctx.poll("wait-started-inreview", f"/api/tasks/{task['id']}", data_field_is("status", "inreview"))
    ctx.state["task.started"] = task
    ctx.get("list-after-start", "/api/tasks", {"project_id": ctx.state["project.existing"]["id"]})


@FAMILY.step("delete", needs=("task.started",))
def delete(ctx: Context) -> None:
    # Removes the attempt's worktree, then the rows (cascade to attempts and processes).
    path = f"/api/tasks/{ctx.state['task.started']['id']}"
    ctx.call("delete", "DELETE", path)
    ctx.get("get-deleted", path)
