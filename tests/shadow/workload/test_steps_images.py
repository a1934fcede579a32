"""Images family, checked on the recorded answers of the real binary."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from shadow.har import HarCapture
from shadow.workload.steps_images import MAIN_IMAGE


def _json(capture: HarCapture, request_id: str) -> tuple[int, dict[str, Any]]:
    response = capture.last(request_id).response
    assert response is not None
    return response.status, dict(json.loads(response.body)) if response.content_type == "application/json" else {}


def test_upload_dedupes_by_content(primary_capture: HarCapture) -> None:
    first = _json(primary_capture, "images.upload")[1]["data"]
    again = _json(primary_capture, "images.upload-dedupe")[1]["data"]
    assert first == again
    assert first["hash"] == hashlib.sha256(MAIN_IMAGE).hexdigest() and first["size_bytes"] == len(MAIN_IMAGE)
    assert first["original_name"] == "parity.png" and first["mime_type"] == "image/png"


def test_file_is_served_byte_for_byte_with_cache_headers(primary_capture: HarCapture) -> None:
    response = primary_capture.last("images.get-file").response
    assert response is not None and response.body == MAIN_IMAGE
    assert response.content_type == "image/png"
    assert response.header("cache-control") == "public, max-age=31536000"


def test_list_delete_and_errors(primary_capture: HarCapture) -> None:
    listed = _json(primary_capture, "images.list-by-task")[1]["data"]
    assert [image["original_name"] for image in listed] == ["parity.png"]
    assert _json(primary_capture, "images.get-file-deleted") == (
        404,
        {"success": False, "data": None, "error_data": None, "message": "Image not found."},
    )
    assert _json(primary_capture, "images.delete-unknown")[0] == 200
    assert _json(primary_capture, "images.upload-bad-extension")[0] == 400
    assert _json(primary_capture, "images.upload-no-extension")[1]["data"]["mime_type"] == "image/png"
    assert _json(primary_capture, "images.upload-wrong-field")[0] == 404
    not_multipart = primary_capture.last("images.upload-not-multipart").response
    assert not_multipart is not None and not_multipart.status == 400 and b"boundary" in not_multipart.body
