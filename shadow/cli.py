"""``parity``: the command line. Each command parses its arguments and makes one library call
(sqlite-utils style); bad input ends with exit code 2 and one line saying why."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

__all__ = ["main"]

DEFAULT_STORE = Path("parity.db")  # the evidence store `results` and `show` read


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vk-parity")
def main() -> None:
    """Shadow-traffic parity for the vibe-kanban Rust -> Convex migration."""


@main.command("fetch-primary")
def fetch_primary() -> None:
    """Download the real vibe-kanban 0.0.71 binary into the cache (once) and print its path."""
    from shadow.reference.binary import BinaryFetchError, ensure_binary

    try:
        click.echo(str(ensure_binary()))
    except BinaryFetchError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("candidate")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port of the candidate's HTTP API (default: a free one).",
)
@click.option(
    "--root",
    "roots",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, resolve_path=True),
    help="A directory the runner may touch (repeatable; default: a fresh temporary directory).",
)
def candidate(port: int | None, roots: tuple[str, ...]) -> None:
    """Run the candidate locally: the convex-test host (a test/demo stand-in for Convex) and the runner.

    Prints the candidate's base URL (the 0.0.71 compatibility API) and serves until Ctrl-C or SIGTERM.
    """
    from shadow.candidate import CandidateError, run_until_signalled, start_candidate

    try:
        started = start_candidate(port=port, roots=[Path(r) for r in roots] or None)
    except CandidateError as exc:
        raise click.ClickException(str(exc)) from exc
    raise SystemExit(run_until_signalled(started, announce=lambda url: click.echo(url)))


@main.command("seed-sounds")
@click.option(
    "--convex-url",
    required=True,
    help="The deployment's API URL (https://<name>.convex.cloud, or the local host's API port).",
)
@click.option(
    "--admin-key-env",
    default="CONVEX_ADMIN_KEY",
    show_default=True,
    help="The environment variable holding the deployment's admin key (never passed on the command line).",
)
def seed_sounds_command(convex_url: str, admin_key_env: str) -> None:
    """Upload the seven notification sounds of /api/sounds to a Convex deployment (sounds:store).

    The WAVs come from the real vibe-kanban 0.0.71 (fetched once from a local instance, then cached).
    Uploading again is harmless: an unchanged sound is kept.
    """
    import os

    from shadow.sounds import SoundsError, seed_sounds

    admin_key = os.environ.get(admin_key_env, "")
    if not admin_key:
        raise _Exit2(f"set {admin_key_env} to the deployment's admin key")
    if not convex_url.startswith(("http://", "https://")):
        raise _Exit2(f"--convex-url must be an http(s) URL, not {convex_url!r}")
    try:
        for name in seed_sounds(convex_url, admin_key):
            click.echo(f"stored {name}")
    except SoundsError as exc:
        raise click.ClickException(str(exc)) from exc


class _Exit2(click.ClickException):
    """One line on stderr, exit code 2 (missing or unreadable store, unknown signature)."""

    exit_code = 2


_store_option = click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="The evidence store (SQLite file) to read.",
)


@main.command("results")
@_store_option
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Signatures to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def results(store_path: Path, limit: int, as_json: bool) -> None:
    """Totals per verdict and route group, and the most frequent mismatch signatures."""
    from shadow.errors import StoreError
    from shadow.evidence_view import results_json, results_view
    from shadow.store import ResultStore

    try:
        with ResultStore.open(store_path, create=False) as store:
            totals, signatures = store.totals(), store.top_signatures(limit)
    except StoreError as exc:
        raise _Exit2(str(exc)) from exc
    if as_json:
        click.echo(results_json(totals, signatures))
    else:
        Console().print(results_view(totals, signatures))


@main.command("show")
@click.argument("signature")
@_store_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON (bodies as $text or $base64) instead of panels.")
def show(signature: str, store_path: Path, as_json: bool) -> None:
    """The redacted exemplars kept for one mismatch SIGNATURE (from `parity results`)."""
    from shadow.errors import StoreError
    from shadow.evidence_view import exemplars_json, exemplars_view
    from shadow.store import ResultStore

    try:
        with ResultStore.open(store_path, create=False) as store:
            summary = store.signature(signature)
            if summary is None:
                raise _Exit2(f"unknown signature {signature!r} in {store_path}")
            exemplars = store.exemplars(signature)
    except StoreError as exc:
        raise _Exit2(str(exc)) from exc
    if as_json:
        click.echo(exemplars_json(summary, exemplars))
    else:
        Console().print(exemplars_view(summary, exemplars))


@main.command("compare")
@click.argument("primary_har", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("candidate_har", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--profile", default="vibe-kanban-0.0.71", show_default=True, help="Profile name or YAML/JSON path.")
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable summary instead of tables.")
def compare(primary_har: Path, candidate_har: Path, profile: str, as_json: bool) -> None:
    """Compare two HAR recordings of the same workload: parity per route group and top mismatches.

    Exit 0 when the comparison ran (mismatches included), 2 on bad input."""
    from shadow.offline import OfflineInputError, compare_files, render_comparison

    try:
        comparison = compare_files(primary_har, candidate_har, profile=profile)
    except OfflineInputError as exc:
        raise _Exit2(str(exc)) from exc
    if as_json:
        click.echo(comparison.summary.model_dump_json(indent=2))
    else:
        render_comparison(comparison, Console())


@main.command("demo")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("out"), show_default=True)
@click.option("--family", "families", multiple=True, help="Only these workload families (repeatable).")
def demo(out: Path, families: tuple[str, ...]) -> None:
    """Record the workflow against two fresh real vibe-kanban 0.0.71 instances and compare them."""
    from shadow.demo import run_demo
    from shadow.workload import ALL, resolve_families

    try:
        chosen = resolve_families(families or ALL)
    except ValueError as exc:
        raise _Exit2(str(exc)) from exc
    run_demo(out, families=chosen)
