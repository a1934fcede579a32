"""Load generator for the proxy benchmark, run as its own process so it does not share the proxy's CPU.

``python bench/loadgen.py URL --concurrency 64 --duration 5``  closed loop: throughput (requests/s)
``python bench/loadgen.py URL --rate 200 --duration 5``        open loop at a fixed rate: latency p50/p99
Prints one JSON line: requests, errors, seconds, rps, p50_ms, p99_ms. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import aiohttp


async def one(session: aiohttp.ClientSession, url: str, latencies: list[float], errors: list[str]) -> None:
    started = time.perf_counter()
    try:
        async with session.get(url) as response:
            await response.read()
            if response.status != 200:
                errors.append(str(response.status))
    except Exception as exc:
        errors.append(type(exc).__name__)
        return
    latencies.append((time.perf_counter() - started) * 1000)


async def closed_loop(url: str, concurrency: int, duration: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            while time.perf_counter() < deadline:
                await one(session, url, latencies, errors)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - started


async def open_loop(url: str, rate: float, duration: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512)) as session:
        started = time.perf_counter()
        pending = set()
        for n in range(int(rate * duration)):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.ensure_future(one(session, url, latencies, errors))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(pending, timeout=30)
        return latencies, errors, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--concurrency", type=int)
    parser.add_argument("--rate", type=float)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    if args.rate:
        latencies, errors, seconds = asyncio.run(open_loop(args.url, args.rate, args.duration))
    else:
        latencies, errors, seconds = asyncio.run(closed_loop(args.url, args.concurrency or 64, args.duration))
    ordered = sorted(latencies) or [float("nan")]
    result = {
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(seconds, 3),
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
