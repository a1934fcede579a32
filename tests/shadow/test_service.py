"""Wiring with the real profile, comparator and evidence store; the candidate is httpx.MockTransport."""

import logging
from pathlib import Path

import httpx
import pytest

from comparators.result import Diff, DiffKind
from shadow.config import load_settings
from shadow.errors import ConfigError
from shadow.offload import OffloadedPipeline
from shadow.pipeline import Pipeline
from shadow.service import build_pipeline, build_shadow, open_store
from shadow.store import ResultStore
from tests.factories import texchange, trequest, tresponse

HEALTH = b'{"success":true,"data":"OK","error_data":null,"message":null}'
JSON = (("content-type", "application/json"),)


async def test_build_pipeline_judges_with_the_real_comparator_and_keeps_evidence(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=HEALTH, headers={"content-type": "application/json"})

    store_path = tmp_path / "evidence.db"
    settings = load_settings(candidate="http://candidate", store=store_path, offload=False)
    pipeline = build_pipeline(settings, transport=httpx.MockTransport(handler))
    await pipeline.start()
    pipeline.submit(texchange(request=trequest(path="/api/health"), primary=tresponse(body=HEALTH, headers=JSON)))
    assert await pipeline.drain(5)
    await pipeline.stop()
    assert pipeline.counts == {"match": 1}
    with ResultStore.open(store_path, create=False) as store:
        totals = store.totals()
    assert totals.total == 1 and totals.by_group == {"system": {"match": 1}}


def test_an_unknown_profile_is_a_config_error() -> None:
    settings = load_settings(candidate="http://c", profile="no-such-profile")
    with pytest.raises(ConfigError, match="cannot load profile 'no-such-profile'"):
        build_shadow(settings)


def test_build_shadow_offloads_by_default() -> None:
    assert isinstance(build_shadow(load_settings(candidate="http://c")), OffloadedPipeline)
    assert isinstance(build_shadow(load_settings(candidate="http://c", offload=False)), Pipeline)


def test_an_unopenable_store_is_one_log_line_and_no_store(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings = load_settings(candidate="http://c", store=blocker / "evidence.db")
    with caplog.at_level(logging.ERROR):
        assert open_store(settings) is None
    assert "comparisons will not be kept" in caplog.text and str(blocker) in caplog.text
    assert len(caplog.records) == 1
    assert open_store(load_settings(candidate="http://c")) is None


async def test_a_learned_noise_model_explains_volatile_fields_in_the_proxy(tmp_path: Path) -> None:
    from comparators.noise import NoiseModel, route_key

    model = NoiseModel(min_observations=1)
    model.observe(route_key("GET", "/api/info"), [Diff(path="/body/data/build", kind=DiffKind.VALUE)])
    noise_file = tmp_path / "noise.json"
    noise_file.write_text(model.to_json())

    def handler(request: httpx.Request) -> httpx.Response:
        data = b'{"build":"cand","os":"linux"}' if request.url.path == "/api/info" else b'{"os":"linux"}'
        return httpx.Response(200, content=_envelope(data), headers={"content-type": "application/json"})

    settings = load_settings(candidate="http://candidate", offload=False, noise_model=noise_file)
    pipeline = build_pipeline(settings, transport=httpx.MockTransport(handler))
    await pipeline.start()
    for path, primary in (("/api/info", b'{"build":"prim","os":"linux"}'), ("/api/config", b'{"os":"mac"}')):
        pipeline.submit(
            texchange(request=trequest(path=path), primary=tresponse(body=_envelope(primary), headers=JSON))
        )
    assert await pipeline.drain(5)
    await pipeline.stop()
    # The field the model learned as volatile is noise; a difference it never saw stays a mismatch.
    assert pipeline.counts == {"noise": 1, "mismatch": 1}


def test_a_bad_noise_model_stops_start_up_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "noise.json"
    bad.write_text('{"routes": {"GET /x": "many"}}')
    for settings in (
        load_settings(candidate="http://c", noise_model=bad),
        load_settings(candidate="http://c", noise_model=bad, offload=False),
        load_settings(candidate="http://c", noise_model=tmp_path / "missing.json"),
    ):
        with pytest.raises(ConfigError) as caught:
            build_shadow(settings)
        assert "noise_model" in str(caught.value) and "\n" not in str(caught.value)


def _envelope(data: bytes) -> bytes:
    return b'{"success":true,"data":' + data + b',"error_data":null,"message":null}'
