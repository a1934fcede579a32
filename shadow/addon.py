"""Shadow, the mitmproxy addon: clients get exactly what the primary sends, a copy goes to the pipeline.

``mitmdump --mode reverse:http://PRIMARY@HOST:PORT -s shadow/addon.py --set shadow_candidate=URL``, or
``parity proxy``. Each hook guards, converts with the ``capture_*`` functions and hands off without
awaiting; a finished exchange is captured after its response has gone to the client. The only module that
imports mitmproxy; everything below it is tested without a proxy.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import Any

from mitmproxy import ctx, exceptions, flowfilter, http

from comparators.message import Headers, HttpRequest, HttpResponse
from shadow.config import ShadowSettings, load_settings
from shadow.errors import ShadowError
from shadow.models import Captured
from shadow.service import ShadowLeg, build_shadow
from shadow.streams import StreamRecorder
from shadow.tasks import spawn

__all__ = ["Shadow", "capture_exchange", "capture_request", "capture_response"]

OPTIONS: dict[str, tuple[Any, Any, str]] = {
    "shadow_config": (str | None, None, "Settings file (YAML or JSON) for the shadow; options below win over it."),
    "shadow_enabled": (bool, True, "Tee traffic to the candidate. False is the emergency switch: nothing is mirrored."),
    "shadow_primary": (str | None, None, "The primary's base URL (informational in reverse mode; used by replay)."),
    "shadow_candidate": (str | None, None, "The candidate's base URL (the new stack's compatibility API)."),
    "shadow_profile": (str | None, None, "Normalization profile name or path (default vibe-kanban-0.0.71)."),
    "shadow_store": (str | None, None, "SQLite evidence store path; comparisons are not kept without it."),
    "shadow_metrics_port": (int | None, None, "Serve Prometheus /metrics on this port."),
    "shadow_sample": (str | None, None, "Percent of reads shadowed (0-100); writes are always mirrored."),
    "shadow_filter": (str | None, None, "Only shadow flows matching this mitmproxy filter expression."),
}


def _request_parts(flow: http.HTTPFlow) -> tuple[str, str, str, Headers, bytes]:
    """method, path, query, headers, body: the request as the primary got it; the body as sent (still
    encoded), so it can be mirrored as is."""
    request = flow.request
    path, _, query = request.path.partition("?")
    return request.method, path, query, tuple(request.headers.items(multi=True)), request.raw_content or b""


def _response_parts(flow: http.HTTPFlow) -> tuple[int, Headers, bytes, float | None]:
    """status, headers, body, elapsed ms: the primary's answer with a decoded body (the candidate's is
    decoded too, by its client)."""
    response = flow.response
    assert response is not None
    end = response.timestamp_end or response.timestamp_start
    elapsed = (end - flow.request.timestamp_start) * 1000 if end else None
    body = response.get_content(strict=False) or b""
    return response.status_code, tuple(response.headers.items(multi=True)), body, elapsed


def capture_request(flow: http.HTTPFlow) -> HttpRequest:
    method, path, query, headers, body = _request_parts(flow)
    return HttpRequest(method=method, path=path, query=query, headers=headers, body=body)


def capture_response(flow: http.HTTPFlow) -> HttpResponse:
    status, headers, body, elapsed = _response_parts(flow)
    return HttpResponse(status=status, headers=headers, body=body, elapsed_ms=elapsed)


def capture_exchange(flow: http.HTTPFlow) -> Captured:
    """The finished exchange in plain values (``Captured``: no model is validated on the proxy's loop);
    the same request and response as ``capture_request`` and ``capture_response`` give."""
    assert flow.response is not None
    started, completed = flow.request.timestamp_start, flow.response.timestamp_end
    return Captured(flow.id, started, completed, *_request_parts(flow), *_response_parts(flow))


class Shadow:
    def __init__(self, factory: Callable[[ShadowSettings], ShadowLeg] = build_shadow) -> None:
        self._factory = factory
        self.settings: ShadowSettings | None = None
        self.pipeline: ShadowLeg | None = None
        self._filter: flowfilter.TFilter | None = None
        self._running = False
        self._starting: asyncio.Task[None] | None = None

    def load(self, loader: Any) -> None:
        for name, (typespec, default, help_text) in OPTIONS.items():
            loader.add_option(name, typespec, default, help_text)

    def configure(self, updated: set[str]) -> None:
        if not updated & OPTIONS.keys():
            return
        given = {name.removeprefix("shadow_"): getattr(ctx.options, name) for name in OPTIONS}
        config_file = given.pop("config")
        if given["enabled"]:
            del given["enabled"]  # True is the default: the settings file or the environment decides
        try:
            settings = load_settings(config_file, **given)
            matcher = flowfilter.parse(settings.filter) if settings.filter else None
            if self.pipeline is not None and self.pipeline.retune(settings):
                self.settings, self._filter = settings, matcher
                return  # only live knobs changed: keep the learned ids and the lanes
            fresh = self._factory(settings) if settings.enabled else None
        except (ShadowError, ValueError) as exc:
            raise exceptions.OptionsError(str(exc)) from None
        if self.pipeline is not None:
            self.pipeline.close_soon()
        self.settings, self._filter, self.pipeline = settings, matcher, fresh
        if fresh is not None and self._running:
            fresh.start_soon()

    async def running(self) -> None:
        self._running = True
        if self.pipeline is not None:
            # Not awaited: mitmproxy listens before its later addons have run their own ``running`` (the
            # TLS addon's certificate store among them); a request in that window is an addon error, and an
            # error logged during start-up makes mitmdump exit. Starting the worker takes a few hundred ms,
            # so it must not stretch that window: exchanges before the worker is up are shed and counted.
            self._starting = spawn(self.pipeline.start(), name="shadow pipeline start")
        if self.settings is not None and self.settings.gc_freeze:
            # Everything built so far (mitmproxy, its addons, the profile) lives as long as the process. A
            # full collection walking those ~100k objects takes about 0.1 s of the event loop, a pause every
            # client in flight waits through; frozen, later collections only walk what came after.
            gc.freeze()

    async def started(self) -> None:
        """Until the pipeline that ``running`` started is up (tests; the proxy never waits for it)."""
        if self._starting is not None:
            await self._starting

    async def done(self) -> None:
        self._running = False
        await self.started()  # a pipeline still starting is stopped once it is up, not left behind
        await asyncio.sleep(0)  # hand-offs scheduled by the last responses go out before the drain starts
        if self.pipeline is not None:
            await self.pipeline.stop(drain=self.pipeline.settings.drain_seconds)

    def _shadowed(self, flow: http.HTTPFlow) -> ShadowLeg | None:
        """Guard: the pipeline if this flow is to be shadowed at all."""
        if self.pipeline is None or not flow.live or flow.is_replay or flow.error:
            return None
        looped = self.pipeline.settings.loop_guard_header in flow.request.headers
        return None if looped or (self._filter is not None and not self._filter(flow)) else self.pipeline

    def request(self, flow: http.HTTPFlow) -> None:
        for rule in self.settings.header_rules if self.settings else ():
            if rule.target == "primary":
                flow.request.headers.pop(rule.name, None)
                if rule.value is not None:
                    flow.request.headers[rule.name] = rule.value

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response is None or "text/event-stream" not in flow.response.headers.get("content-type", ""):
            return
        flow.response.stream = True  # always: mitmproxy would otherwise swallow a live event stream
        if (pipeline := self._shadowed(flow)) is None:
            return
        request, head = capture_request(flow), capture_response(flow)
        if (ticket := pipeline.open_stream(request, head, exchange_id=flow.id)) is not None:
            flow.metadata["shadow_recorder"] = flow.response.stream = StreamRecorder(
                pipeline.settings.stream, ticket.finish
            )

    def response(self, flow: http.HTTPFlow) -> None:
        if flow.response is None or flow.response.stream or (pipeline := self._shadowed(flow)) is None:
            return  # streamed: the recorder has it (or it was too large to buffer)
        # mitmproxy calls this hook before it sends the response; the capture and the hand-off run on the
        # next turn of the loop, after the connection handler has written the primary's answer to the client.
        asyncio.get_running_loop().call_soon(self._hand_off, pipeline, flow)

    @staticmethod
    def _hand_off(pipeline: ShadowLeg, flow: http.HTTPFlow) -> None:
        if flow.response is not None:
            pipeline.submit_captured(capture_exchange(flow))

    def error(self, flow: http.HTTPFlow) -> None:
        if (recorder := flow.metadata.get("shadow_recorder")) is not None:
            recorder.abort()


addons = [Shadow()]
