"""``python -m runner``: build ``RunnerSettings`` from the environment, wire the objects, serve until
SIGTERM/SIGINT. Logs go to stderr; one JSON line on stdout says it is registered and serving:
``{"ready": true, "runnerId": "..."}`` (launchers wait for it). Exit codes: 0 stopped, 2 bad
configuration, 3 refused by the deployment (wrong key or secret, clock skew), 4 protocol error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from importlib import metadata

from pydantic import ValidationError

from runner.client import Runner
from runner.config import RunnerSettings
from runner.confine import Roots
from runner.convex_api import AuthError, ConvexApi, ProtocolError
from runner.dispatch import HandlerContext, handlers_for
from runner.host_env import describe_host

log = logging.getLogger("runner")


def _version() -> str:
    try:
        return metadata.version("vk-parity")
    except metadata.PackageNotFoundError:
        return "dev"


async def serve(settings: RunnerSettings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    api = ConvexApi(
        settings.convex_site_url,
        settings.key_id,
        settings.secret.get_secret_value(),
        timeout_s=settings.request_timeout_s,
    )
    runner = Runner(
        api,
        HandlerContext(roots=Roots(settings.roots), default_dir=settings.listing_default, home=settings.home),
        runner_id=settings.runner_id,
        name=settings.name,
        version=_version(),
        environment=describe_host(settings.home),
        handlers=handlers_for(diagnostics_enabled=settings.enable_diagnostics),
        concurrency=settings.concurrency,
        claim_wait_s=settings.claim_wait_s,
        heartbeat_every_s=settings.heartbeat_every_s,
        backoff_initial_s=settings.backoff_initial_s,
        backoff_max_s=settings.backoff_max_s,
        complete_retry_s=settings.complete_retry_s,
    )

    def ready() -> None:
        print(json.dumps({"ready": True, "runnerId": settings.runner_id}), flush=True)

    code = 0
    try:
        await runner.run(stop, on_ready=ready)
    except* AuthError as group:
        log.error("the deployment refused our signature: %s", group.exceptions[0])
        code = 3
    except* ProtocolError as group:
        log.error("protocol error: %s", group.exceptions[0])
        code = 4
    finally:
        await api.aclose()
    log.info("stopped after %d completed commands", runner.completed)
    return code


def main() -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s runner %(levelname)s %(message)s")
    try:
        settings = RunnerSettings()  # values come from the RUNNER_* env vars
    except ValidationError as exc:
        problems = "; ".join(f"RUNNER_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"runner: bad configuration: {problems}", file=sys.stderr)
        return 2
    return asyncio.run(serve(settings))


if __name__ == "__main__":
    sys.exit(main())
