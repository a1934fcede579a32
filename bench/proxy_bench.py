"""Proxy benchmark: what the shadow costs the client path, as ratios against baselines of the same run.

Runs, one after the other, against the same fast local backend (bench/fast_backend.py, one process for the
primary and one for the candidate), with the load generator in its own process (bench/loadgen.py). The
candidate backends run under SCHED_IDLE by default (``--candidate-priority normal`` to have them compete):
in staging the candidate is on other hardware, and its serving cost is not the proxy's.

  direct            client -> backend
  mitmdump          client -> plain mitmdump reverse proxy -> backend
  mitmdump A/A      the same again: how far two runs of one thing differ here (the noise floor)
  tee in-process    client -> mitmdump + shadow, pipeline on the proxy's loop (judging is a constant)
  tee               the same with the pipeline in a worker process (the product's default)
  tee+compare       client -> mitmdump + shadow/addon.py (real comparator and store) -> backend, candidate
  tee+compare 2 cores  the same with the worker on the other CPUs (``worker_cpus``; pinned runs only)
  slow candidate    tee+compare with the candidate answering after 2 s
  down candidate    tee+compare with nothing listening at the candidate's port

With ``--pin`` (the default where there are two CPUs or more) the proxy and its worker get the last CPU to
themselves and everything else (load generator, backends, this script) the others: the layout of a proxy
in its own one-core container, and the load generator's own CPU no longer competes with what is measured
(``--no-pin`` to let the scheduler place everything).

For each: throughput at concurrency 64 (closed loop) and p50/p99 at a fixed 200 req/s (open loop), plus the
resident memory (proxy + worker) before and after; each the median of interleaved rounds. Between the two
loads the bench waits until the shadow's worker has worked off what the closed loop queued (``catch-up s``):
the latency figures are the steady state at 200 req/s, not the catch-up after saturation.
``python bench/proxy_bench.py [--duration 5] [--rounds 3] [--only NAME ...]``. Not a test:
numbers go to the README. Loopback only; every process is started here and stopped by its pid.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
MITMDUMP = str(Path(PYTHON).with_name("mitmdump"))
PATH = "/api/tasks?project_id=5e2b0c1d-7a3f-4b8e-9d6c-1f0e2a3b4c5d"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, timeout: float = 20.0) -> None:
    """Ready when it accepts a connection (a slow backend would not answer a probe in time)."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout}s")


class Placement:
    """Which CPUs the system under test (the proxy, and the worker it forks) runs on, and which the rest."""

    def __init__(self, pin: bool) -> None:
        cpus = sorted(os.sched_getaffinity(0))
        self.pinned = pin and len(cpus) >= 2
        self.proxy_cpus = set(cpus[-1:]) if self.pinned else set(cpus)
        self.other_cpus = set(cpus[:-1]) if self.pinned else set(cpus)

    def describe(self) -> str:
        if not self.pinned:
            return "not pinned: the scheduler places every process"
        return f"pinned: proxy + worker on CPU {sorted(self.proxy_cpus)}, the rest on CPU {sorted(self.other_cpus)}"


PLACEMENT = Placement(pin=False)


def _starter(*, proxy: bool, idle: bool) -> Callable[[], None]:
    cpus = PLACEMENT.proxy_cpus if proxy else PLACEMENT.other_cpus

    def start() -> None:
        os.sched_setaffinity(0, cpus)
        if idle:
            # A candidate on other hardware (staging: Convex and the runner are not on the proxy's machine).
            # On one 2-core machine its serving work would otherwise compete with the proxy and the primary.
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            # SCHED_IDLE only ranks tasks inside one scheduling group, and with autogroup (the Linux default)
            # every session is a group of its own at full weight: measured here, an idle-policy spinner in
            # its own session took half the proxy's core. Nice 19 for the session's group as well.
            with contextlib.suppress(OSError):
                Path("/proc/self/autogroup").write_text("19")

    return start


@contextlib.contextmanager
def process(
    argv: list[str],
    ready_url: str,
    log: Path,
    env: dict[str, str] | None = None,
    *,
    idle: bool = False,
    proxy: bool = False,
) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
            preexec_fn=_starter(proxy=proxy, idle=idle),
        )
    try:
        wait_ready(ready_url)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def backend(
    port: int, log: Path, delay: float = 0.0, *, idle: bool = False
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    argv = [PYTHON, "bench/fast_backend.py", str(port), "--delay", str(delay)]
    return process(argv, f"http://127.0.0.1:{port}/", log, idle=idle)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) of the proxy itself and of its children (the shadow's worker)."""
    tick = os.sysconf("SC_CLK_TCK")
    own = children = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(entry.name) == pid:
            own += used
        elif int(fields[1]) == pid:
            children += used
    return own, children


def rss_kb(pid: int) -> tuple[int, int]:
    """Resident memory of the proxy and of its children (the shadow's worker process)."""
    own = children = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        rss = int(fields.get("VmRSS", "0 kB").split()[0])
        if int(entry.name) == pid:
            own += rss
        elif int(fields.get("PPid", "0").strip() or 0) == pid:
            children += rss
    return own, children


def load(url: str, **kwargs: float) -> dict[str, float]:
    argv = [PYTHON, "bench/loadgen.py", url]
    for key, value in kwargs.items():
        argv += [f"--{key}", str(value)]
    result = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, check=True, preexec_fn=_starter(proxy=False, idle=False)
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def settle(pid: int, timeout: float = 60.0) -> float:
    """Seconds until the proxy's worker has caught up: its CPU time grows by less than 2 % of a core over
    half a second. Under the closed loop the worker (SCHED_IDLE) falls behind by thousands of exchanges;
    measuring the fixed-rate latency while it works that backlog off would time the catch-up, not the
    steady 200 req/s the latency figures are about."""
    started = time.monotonic()
    last = cpu_seconds(pid)[1]
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        now = cpu_seconds(pid)[1]
        if now - last < 0.01:
            break
        last = now
    return round(time.monotonic() - started, 1)


def measure(url: str, duration: float, pid: int | None) -> dict[str, float]:
    load(url, concurrency=16, duration=1.0)  # warm-up: connections, caches
    before = rss_kb(pid) if pid else (0, 0)
    throughput = load(url, concurrency=64, duration=duration)
    catch_up = settle(pid) if pid else 0.0
    cpu_before = cpu_seconds(pid) if pid else (0.0, 0.0)
    latency = load(url, rate=200, duration=duration)
    cpu_after = cpu_seconds(pid) if pid else (0.0, 0.0)
    after = rss_kb(pid) if pid else (0, 0)
    served = max(latency["requests"], 1)
    return {
        "rps_c64": throughput["rps"],
        "errors": throughput["errors"] + latency["errors"],
        "p50_ms": latency["p50_ms"],
        "p99_ms": latency["p99_ms"],
        "catch_up_s": catch_up,
        "rss_growth_mb": round((after[0] - before[0]) / 1024, 1),
        "worker_rss_growth_mb": round((after[1] - before[1]) / 1024, 1),
        # CPU per request at 200 req/s: steadier than throughput on a machine shared with other work
        "proxy_cpu_ms": round((cpu_after[0] - cpu_before[0]) * 1000 / served, 2),
        "worker_cpu_ms": round((cpu_after[1] - cpu_before[1]) * 1000 / served, 2),
    }


def proxy_argv(primary: str, port: int, script: str | None, candidate: str | None, store: Path | None) -> list[str]:
    argv = [MITMDUMP, "--mode", f"reverse:{primary}@127.0.0.1:{port}", "--set", "flow_detail=0", "-q"]
    if script:
        argv += ["-s", script, "--set", f"shadow_candidate={candidate}", "--set", "shadow_sample=100"]
        if store is not None:
            argv += ["--set", f"shadow_store={store}"]
    return argv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median of each is kept")
    parser.add_argument(
        "--candidate-priority",
        choices=("idle", "normal"),
        default="idle",
        help="idle: the candidate backends run under SCHED_IDLE, standing in for a candidate on other hardware "
        "(default); normal: they compete with the proxy for this machine's cores",
    )
    parser.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the proxy and its worker on the last CPU, the load generator and backends on the others",
    )
    parser.add_argument("--only", nargs="+", metavar="NAME", help="measure only these variants (plain mitmdump always)")
    args = parser.parse_args()
    global PLACEMENT
    PLACEMENT = Placement(pin=args.pin)
    os.sched_setaffinity(0, PLACEMENT.other_cpus)
    print(PLACEMENT.describe(), file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="proxy-bench-"))
    primary_port, candidate_port, slow_port = free_port(), free_port(), free_port()
    primary, candidate = f"http://127.0.0.1:{primary_port}", f"http://127.0.0.1:{candidate_port}"
    slow, down = f"http://127.0.0.1:{slow_port}", f"http://127.0.0.1:{free_port()}"
    rounds: dict[str, list[dict[str, float]]] = {}
    failures: dict[str, str] = {}
    with (
        backend(primary_port, work / "primary.log"),
        backend(candidate_port, work / "candidate.log", idle=args.candidate_priority == "idle"),
        backend(slow_port, work / "slow.log", delay=2.0, idle=args.candidate_priority == "idle"),
    ):
        tee = "bench/tee_only_addon.py"
        # The worker off the proxy's core (worker_cpus): mitmdump's loop uses one core, and the machine has
        # another whose idle time the worker can take (pinned runs only).
        two_cores: tuple[str, str | None, str | None, Path | None, dict[str, str]] = (
            "tee+compare 2 cores",
            "shadow/addon.py",
            candidate,
            work / "store-2cores.db",
            {"SHADOW_WORKER_CPUS": json.dumps(sorted(PLACEMENT.other_cpus))},
        )
        variants: list[tuple[str, str | None, str | None, Path | None, dict[str, str]]] = [
            ("mitmdump", None, None, None, {}),
            # The same plain mitmdump once more: its ratio to the first is this machine's noise floor.
            ("mitmdump A/A", None, None, None, {}),
            ("tee in-process", tee, candidate, None, {"BENCH_TEE_MODE": "inprocess"}),
            ("tee", tee, candidate, None, {"BENCH_TEE_MODE": "worker"}),
            ("tee+compare", "shadow/addon.py", candidate, work / "store.db", {}),
            *([two_cores] if PLACEMENT.pinned else []),
            # The worker at nice 19 only (before SCHED_IDLE became the default): what the policy buys.
            (
                "tee+compare nice",
                "shadow/addon.py",
                candidate,
                work / "store-nice.db",
                {"SHADOW_WORKER_PRIORITY": "nice"},
            ),
            ("slow candidate", "shadow/addon.py", slow, work / "store-slow.db", {}),
            ("down candidate", "shadow/addon.py", down, work / "store-down.db", {}),
        ]
        if args.only:
            unknown = set(args.only) - {name for name, *_ in variants} - {"direct"}
            if unknown:
                parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
            variants = [v for v in variants if v[0] == "mitmdump" or v[0] in args.only]
        for _ in range(args.rounds):  # interleaved, so drifting load on a shared machine hits all alike
            rounds.setdefault("direct", []).append(measure(primary + PATH, args.duration, None))
            for name, script, target, store, env in variants:
                if name in failures:
                    continue
                port = free_port()
                log = work / f"{name.replace(' ', '-').replace('/', '')}.log"
                argv = proxy_argv(primary, port, script, target, store)
                try:
                    with process(argv, f"http://127.0.0.1:{port}/", log, env, proxy=True) as proc:
                        rounds.setdefault(name, []).append(
                            measure(f"http://127.0.0.1:{port}{PATH}", args.duration, proc.pid)
                        )
                except (RuntimeError, subprocess.CalledProcessError) as exc:
                    failures[name] = f"not measured: {exc} (log: {log})"
    results: dict[str, dict[str, float] | str] = {
        name: {key: statistics.median(run[key] for run in runs) for key in runs[0]} for name, runs in rounds.items()
    }
    results.update(failures)
    report(results)
    paired(rounds)
    (work / "rounds.json").write_text(json.dumps(rounds))
    print(f"logs in {work}", file=sys.stderr)


def report(results: dict[str, dict[str, float] | str]) -> None:
    base = results.get("mitmdump")
    healthy = results.get("tee+compare")
    print(
        f"{'variant':16} {'rps@c64':>9} {'x mitm':>7} {'p50 ms':>7} {'p99 ms':>7} {'x mitm':>7} {'rss +MB':>8}"
        f" {'worker +MB':>10} {'proxy cpu ms/req':>17} {'worker cpu ms/req':>18} {'catch-up s':>10}"
    )
    for name, row in results.items():
        if isinstance(row, str):
            print(f"{name:16} {row}")
            continue
        ratio = row["rps_c64"] / base["rps_c64"] if isinstance(base, dict) else float("nan")
        p99 = row["p99_ms"] / base["p99_ms"] if isinstance(base, dict) else float("nan")
        print(
            f"{name:16} {row['rps_c64']:9.0f} {ratio:7.2f} {row['p50_ms']:7.2f} {row['p99_ms']:7.2f} {p99:7.2f} "
            f"{row['rss_growth_mb']:8.1f} {row['worker_rss_growth_mb']:10.1f} {row['proxy_cpu_ms']:17.2f}"
            f" {row['worker_cpu_ms']:18.2f} {row['catch_up_s']:10.1f}"
        )
    if isinstance(healthy, dict):
        for name in ("slow candidate", "down candidate"):
            faulty = results.get(name)
            if isinstance(faulty, dict):
                print(f"{name}: p99 {faulty['p99_ms'] / healthy['p99_ms']:.2f}x of the healthy tee+compare run")
    print(json.dumps(results))


def paired(rounds: dict[str, list[dict[str, float]]]) -> None:
    """Per-round ratios against the same round's plain mitmdump, then their median, range and a bootstrap
    90 % interval of the median: each round's variants ran a minute apart at most, so a slow spell of the
    machine shifts both sides of a ratio alike. The A/A row is the yardstick: how far plain mitmdump is from
    itself."""
    base = rounds.get("mitmdump")
    if not base:
        return
    print("\npaired per round (variant / same round's mitmdump): median [min-max] (90 % interval of the median)")
    print(f"{'variant':16} {'throughput':>36} {'p99':>36} {'proxy cpu/req':>36}")
    for name, runs in rounds.items():
        if name in ("direct", "mitmdump") or len(runs) != len(base):
            continue
        cells = [_cell(ratios(runs, base, key)) for key in ("rps_c64", "p99_ms", "proxy_cpu_ms")]
        print(f"{name:16} {cells[0]:>36} {cells[1]:>36} {cells[2]:>36}")
    verdicts(rounds)


def ratios(runs: list[dict[str, float]], base: list[dict[str, float]], key: str) -> list[float]:
    return [run[key] / ref[key] for run, ref in zip(runs, base, strict=True) if ref[key]]


def median_interval(values: list[float], level: float = 0.90, resamples: int = 4000) -> tuple[float, float]:
    """Percentile bootstrap interval of the median (seeded: the same rounds give the same interval)."""
    draw = random.Random(0)
    medians = sorted(statistics.median(draw.choices(values, k=len(values))) for _ in range(resamples))
    tail = (1 - level) / 2
    return medians[int(tail * resamples)], medians[min(resamples - 1, int((1 - tail) * resamples))]


def _cell(values: list[float]) -> str:
    if not values:
        return "-"
    low, high = median_interval(values)
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}] ({low:.2f}-{high:.2f})"


# (what, variant, baseline, measure, bound, higher is better): the targets.
TARGETS = [
    ("tee+compare throughput >= 0.95x mitmdump", "tee+compare", "mitmdump", "rps_c64", 0.95, True),
    ("tee+compare p99 <= 1.1x mitmdump", "tee+compare", "mitmdump", "p99_ms", 1.10, False),
    ("slow candidate p99 <= 1.1x healthy", "slow candidate", "tee+compare", "p99_ms", 1.10, False),
    ("down candidate p99 <= 1.1x healthy", "down candidate", "tee+compare", "p99_ms", 1.10, False),
]


def verdicts(rounds: dict[str, list[dict[str, float]]]) -> None:
    """Each target against the 90 % interval of its paired median: met when the whole interval is on the
    right side of the bound, missed when the whole interval is on the wrong side, otherwise not told apart
    from this machine's noise with these rounds."""
    print("\ntargets (paired per round; 90 % interval of the median):")
    for what, variant, baseline, key, bound, higher in TARGETS:
        runs, base = rounds.get(variant), rounds.get(baseline)
        if not runs or not base or len(runs) != len(base):
            continue
        values = ratios(runs, base, key)
        low, high = median_interval(values)
        good, bad = (low >= bound, high < bound) if higher else (high <= bound, low > bound)
        verdict = "met" if good else "missed" if bad else "not told apart from noise"
        print(f"  {what:42} median {statistics.median(values):.2f} ({low:.2f}-{high:.2f}): {verdict}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
