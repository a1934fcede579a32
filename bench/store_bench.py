"""Evidence store throughput: records/s written one by one vs in batches, measured in the same run.

    .venv/bin/python bench/store_bench.py [--records 2000] [--batch-size 256] [--repeat 3] [--json]

Each mode writes the same records into its own fresh SQLite file (WAL, as in production) in a temporary
directory. "one-by-one" is one transaction per record (what a naive pipeline would do); "batched" is one
transaction per batch (``record_many``); "writer" goes through ``BatchWriter`` on a real event loop. The
headline is the ratio batched / one-by-one; absolute numbers depend on the machine and its disk. The
redaction alone is timed too (what ``record_many`` redacts: a mismatch's whole record for its exemplar,
the verdict of anything else), since it runs before every write.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import SecretStr

from comparators.message import HttpRequest, HttpResponse
from comparators.result import Diff, DiffKind, Verdict, VerdictKind
from shadow.batch_writer import BatchWriter
from shadow.models import CandidateOutcome, ComparisonRecord, Exchange
from shadow.redact import Redactor
from shadow.store import ResultStore, StoreSettings

SETTINGS = StoreSettings(redaction_key=SecretStr("bench"))
JSON = (("content-type", "application/json"),)


def make_records(n: int) -> list[ComparisonRecord]:
    """A realistic mix: mostly matches, some mismatches over a few signatures, a config write with a PAT."""
    records = []
    for i in range(n):
        task = {"id": f"{i:08x}-0000-4000-8000-000000000000", "title": f"task {i}", "status": "todo",
                "description": "x" * 200, "created_at": "2026-11-26T07:12:12.517Z"}  # fmt: skip
        kind = VerdictKind.MISMATCH if i % 10 == 0 else VerdictKind.MATCH
        diffs = (Diff(path=f"/body/data/{['status', 'title', 'updated_at'][i % 3]}", kind=DiffKind.VALUE),)
        body = json.dumps({"success": True, "data": task}).encode()
        request = HttpRequest(
            method="PUT" if i % 7 == 0 else "GET",
            path=f"/api/tasks/{task['id']}",
            headers=(*JSON, ("authorization", "Bearer abcdefghijklmnop")),
            body=json.dumps({"title": task["title"], "github": {"pat": "ghp_" + "a" * 36}}).encode()
            if i % 7 == 0
            else b"",
        )
        records.append(
            ComparisonRecord(
                exchange=Exchange(request=request, primary=HttpResponse(status=200, headers=JSON, body=body)),
                candidate=CandidateOutcome(response=HttpResponse(status=200, headers=JSON, body=body), elapsed_ms=2.0),
                verdict=Verdict(
                    kind=kind,
                    method=request.method,
                    route="/api/tasks/{task_id}",
                    group="tasks",
                    diffs=diffs if kind is VerdictKind.MISMATCH else (),
                ),
            )
        )
    return records


def _timed(write: Callable[[ResultStore], None], path: Path) -> float:
    with ResultStore.open(path, settings=SETTINGS) as store:
        start = time.perf_counter()
        write(store)
        elapsed = time.perf_counter() - start
        assert store.totals().total > 0
    return elapsed


def run(n: int, batch_size: int, repeat: int = 3) -> dict[str, float]:
    records = make_records(n)

    def one_by_one(store: ResultStore) -> None:
        for record in records:
            store.record_many([record])

    def batched(store: ResultStore) -> None:
        for start in range(0, n, batch_size):
            store.record_many(records[start : start + batch_size])

    def through_writer(store: ResultStore) -> None:
        async def feed() -> None:
            async with BatchWriter(store, batch_size=batch_size, flush_interval=0.05, capacity=n) as writer:
                for record in records:
                    writer.submit(record)
                    if writer.pending >= batch_size:
                        await asyncio.sleep(0)  # let the flusher run, as a live proxy loop would

        asyncio.run(feed())

    redactor = Redactor.from_key(SETTINGS.redaction_key)

    def redact_only() -> float:
        start = time.perf_counter()
        for first in range(0, n, batch_size):  # batch by batch, as record_many does, keeping nothing
            # What record_many redacts: the whole record of a mismatch (its exemplar), only the verdict
            # of anything else (a row never holds a header or a body).
            _redacted: Sequence[object] = [
                redactor.record(r) if r.verdict.signature is not None else redactor.verdict(r.verdict)
                for r in records[first : first + batch_size]
            ]
        return time.perf_counter() - start

    redact_only()  # warm-up: regex and name caches, allocator
    # Best of `repeat`, modes interleaved, so a noisy neighbour on a shared machine hurts every mode alike.
    samples: dict[str, list[float]] = {"redaction": [], "one_by_one": [], "batched": [], "writer": []}
    with tempfile.TemporaryDirectory(prefix="store-bench-") as tmp:
        for round_ in range(repeat):
            samples["redaction"].append(redact_only())
            samples["one_by_one"].append(_timed(one_by_one, Path(tmp) / f"one-{round_}.db"))
            samples["batched"].append(_timed(batched, Path(tmp) / f"batched-{round_}.db"))
            samples["writer"].append(_timed(through_writer, Path(tmp) / f"writer-{round_}.db"))
    best = {mode: min(times) for mode, times in samples.items()}
    redaction = best.pop("redaction")
    seconds = best
    rates = {f"{mode}_records_per_s": n / s for mode, s in seconds.items()}
    return {
        "records": n,
        "batch_size": batch_size,
        "repeat": repeat,
        **rates,
        "redaction_only_records_per_s": n / redaction,
        # How much of a batched write is the redaction (CPU) rather than SQLite: near 1 means batching has
        # taken SQLite's per-transaction cost out and the redaction is what is left to optimise.
        "redaction_share_of_batched": min(1.0, redaction / seconds["batched"]),
        "batched_vs_one_by_one": seconds["one_by_one"] / seconds["batched"],
        "writer_vs_one_by_one": seconds["one_by_one"] / seconds["writer"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best time of each mode counts")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args.records, args.batch_size, args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:32} {value:12.1f}" if isinstance(value, float) else f"{key:32} {value:12}")


if __name__ == "__main__":
    main()
