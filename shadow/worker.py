"""``python -m shadow.worker``: the shadow leg's process (see ``shadow.offload``).

Reads length-prefixed pickled frames from stdin, written by the proxy: ``("settings", ShadowSettings)``
first (and again when live knobs change), then ``("captured", Captured[, shed_count])`` (or
``("exchange", Exchange[, shed_count])``),
``("stream", id, request, head)``, ``("finish", id, body, complete)`` and finally ``("stop", drain)``.
Runs one in-process ``Pipeline`` (built by ``shadow.service.build_pipeline``: profile, comparator, store,
metrics) and exits when stdin ends, after finishing queued work for up to the drain time and flushing the
store. Its stdout/stderr are the proxy's, so its log lines appear in the proxy's log.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import pickle
import sys
from typing import Any

from shadow.config import ShadowSettings
from shadow.errors import ShadowError
from shadow.offload import FRAME_HEADER
from shadow.pipeline import Pipeline
from shadow.streams import StreamTicket

__all__ = ["main", "serve"]

log = logging.getLogger("shadow.worker")


async def read_frames(reader: asyncio.StreamReader) -> Any:
    while True:
        try:
            header = await reader.readexactly(FRAME_HEADER.size)
            (size,) = FRAME_HEADER.unpack(header)
            yield pickle.loads(await reader.readexactly(size))
        except asyncio.IncompleteReadError:
            return


async def serve(reader: asyncio.StreamReader, build: Any = None, *, own_process: bool = False) -> Pipeline | None:
    """Run frames from ``reader`` through a pipeline until the stream ends; returns the pipeline.
    ``own_process``: this is the worker process itself (``main``), whose garbage collector may be tuned."""
    if build is None:
        from shadow.service import build_pipeline as build
    pipeline: Pipeline | None = None
    streams: dict[str, StreamTicket] = {}
    drain = 2.0
    async for message in read_frames(reader):
        kind = message[0]
        if kind == "settings":
            settings: ShadowSettings = message[1]
            if pipeline is None:
                pipeline = build(settings)
                await pipeline.start()
                if own_process and settings.gc_freeze:
                    gc.freeze()  # the compiled profile and the modules: no full collection walks them again
            else:
                pipeline.retune(settings)
        elif pipeline is None:
            log.error("shadow worker: %s frame before settings; ignored", kind)
        elif kind in ("exchange", "captured"):
            (pipeline.submit if kind == "exchange" else pipeline.submit_captured)(message[1])
            if len(message) > 2:
                pipeline.count_shed("other", message[2])
        elif kind == "stream":
            _, exchange_id, request, head = message
            if (ticket := pipeline.open_stream(request, head, exchange_id=exchange_id)) is not None:
                streams[exchange_id] = ticket
        elif kind == "finish" and (ticket := streams.pop(message[1], None)) is not None:
            ticket.finish(message[2], message[3])
        elif kind == "stop":
            drain = float(message[1])
    if pipeline is not None:
        await pipeline.stop(drain=drain)
    return pipeline


async def _main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    await serve(reader, own_process=True)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(name)s %(levelname)s %(message)s")
    try:
        asyncio.run(_main())
    except ShadowError as exc:
        log.error("shadow worker cannot start: %s", exc)
        sys.exit(2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
