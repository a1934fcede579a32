"""Image routes: upload (and sha256 dedupe), file download with its headers, list by task, delete, and the
upload errors (bad extension, no ``image`` field, not multipart)."""

from __future__ import annotations

from shadow.workload.context import JSON, UNKNOWN_ID, Context, Family
from shadow.workload.pngimage import solid_png

__all__ = ["FAMILY"]

FAMILY = Family("images", requires=frozenset({"projects"}))

MAIN_IMAGE = solid_png(8, 8, (30, 160, 60))


@FAMILY.step("upload")
def upload(ctx: Context) -> None:
    files = {"image": ("parity.png", MAIN_IMAGE, "image/png")}
    ctx.state["image.main"] = ctx.entity(ctx.call("upload", "POST", "/api/images/upload", files=files))
    # Same bytes under another name: the first record comes back (dedupe by sha256, first name kept).
    same = {"image": ("copy-of-parity.png", MAIN_IMAGE, "image/png")}
    ctx.call("upload-dedupe", "POST", "/api/images/upload", files=same)


@FAMILY.step("file", needs=("image.main",))
def file(ctx: Context) -> None:
    ctx.get("get-file", f"/api/images/{ctx.state['image.main']['id']}/file")
    ctx.get("get-file-unknown", f"/api/images/{UNKNOWN_ID}/file")
    ctx.get("get-file-bad-id", "/api/images/not-a-uuid/file")


@FAMILY.step("list-by-task", needs=("image.main", "project.existing"))
def list_by_task(ctx: Context) -> None:
    body = {
        "project_id": ctx.state["project.existing"]["id"],
        "title": "Review the screenshot",
        "description": None,
        "image_ids": [ctx.state["image.main"]["id"]],
    }
    task = ctx.entity(ctx.call("create-task", "POST", "/api/tasks", json_body=body))
    ctx.get("list-by-task", f"/api/images/task/{task['id']}")
    ctx.get("list-by-unknown-task", f"/api/images/task/{UNKNOWN_ID}")


@FAMILY.step("delete")
def delete(ctx: Context) -> None:
    files = {"image": ("to-delete.png", solid_png(2, 2, (20, 20, 220)), "image/png")}
    image = ctx.entity(ctx.call("upload-to-delete", "POST", "/api/images/upload", files=files))
    ctx.call("delete", "DELETE", f"/api/images/{image['id']}")
    ctx.get("get-file-deleted", f"/api/images/{image['id']}/file")
    ctx.call("delete-unknown", "DELETE", f"/api/images/{UNKNOWN_ID}")


@FAMILY.step("upload-errors")
def upload_errors(ctx: Context) -> None:
    text = b"not an image at all\n"
    ctx.call("upload-bad-extension", "POST", "/api/images/upload", files={"image": ("notes.txt", text, "text/plain")})
    ctx.call("upload-no-extension", "POST", "/api/images/upload", files={"image": ("noext", text, "text/plain")})
    png = solid_png(3, 3, (1, 2, 3))
    ctx.call("upload-wrong-field", "POST", "/api/images/upload", files={"file": ("wrong-field.png", png, "image/png")})
    ctx.call("upload-not-multipart", "POST", "/api/images/upload", content='{"image": null}', headers=JSON)
