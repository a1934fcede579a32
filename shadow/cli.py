"""``parity``: the command line. Each command parses its arguments and makes one library call
(sqlite-utils style); bad input ends with exit code 2 and one line saying why."""

from __future__ import annotations

import os
from pathlib import Path

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


@main.command("proxy")
@click.option("--primary", required=True, help="Base URL of the primary (the Rust backend) behind the proxy.")
@click.option("--candidate", help="Base URL of the candidate the traffic is teed to (or SHADOW_CANDIDATE).")
@click.option("--listen", default="127.0.0.1:8080", show_default=True, help="HOST:PORT the proxy listens on.")
@click.option("--profile", help="Normalization profile name or path (default vibe-kanban-0.0.71).")
@click.option("--store", type=click.Path(path_type=Path), help="SQLite evidence store.")
@click.option("--metrics-port", type=int, help="Serve Prometheus /metrics on this port.")
@click.option("--sample", type=click.FloatRange(0, 100), help="Percent of reads shadowed; writes always are.")
@click.option("--filter", "flow_filter", help="Only shadow flows matching this mitmproxy filter expression.")
@click.option("--config", type=click.Path(path_type=Path), help="Shadow settings file (YAML or JSON).")
@click.option("--no-shadow", is_flag=True, help="Run as a plain reverse proxy (the emergency switch).")
def proxy(
    primary: str,
    candidate: str | None,
    listen: str,
    profile: str | None,
    store: Path | None,
    metrics_port: int | None,
    sample: float | None,
    flow_filter: str | None,
    config: Path | None,
    no_shadow: bool,
) -> None:
    """Run the shadow proxy: mitmdump in reverse mode in front of PRIMARY, teeing to CANDIDATE.

    Clients get exactly what the primary answers; each exchange is mirrored to the candidate, compared and
    recorded in the store. Stop it with Ctrl-C or SIGTERM (queued comparisons are finished first)."""
    from shadow.config import load_settings
    from shadow.errors import ConfigError
    from shadow.launch import parse_listen, proxy_command

    options: dict[str, object] = {
        "config": config,
        "primary": primary,
        "candidate": candidate,
        "profile": profile,
        "store": store,
        "metrics_port": metrics_port,
        "sample": sample,
        "filter": flow_filter,
        "enabled": False if no_shadow else None,
    }
    try:
        settings_given = {k: v for k, v in options.items() if k != "config"}
        load_settings(config, **settings_given)  # fail here, with one line, rather than inside mitmdump
        argv = proxy_command(primary=primary, listen=parse_listen(listen), shadow_options=options)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    os.execv(argv[0], argv)
