"""``parity``: the command line. Each command parses its arguments and makes one library call
(sqlite-utils style); bad input ends with exit code 2 and one line saying why."""

from __future__ import annotations

import click

__all__ = ["main"]


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
    from pathlib import Path

    from shadow.candidate import CandidateError, run_until_signalled, start_candidate

    try:
        started = start_candidate(port=port, roots=[Path(r) for r in roots] or None)
    except CandidateError as exc:
        raise click.ClickException(str(exc)) from exc
    raise SystemExit(run_until_signalled(started, announce=lambda url: click.echo(url)))
