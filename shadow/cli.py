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
