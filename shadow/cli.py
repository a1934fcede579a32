"""``parity``: the command line. Each command parses its arguments and makes one library call
(sqlite-utils style); bad input ends with exit code 2 and one line saying why."""

from __future__ import annotations

import os
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

# The profile the offline commands (compare, learn-noise) judge with.
_offline_profile_option = click.option(
    "--profile", default="vibe-kanban-0.0.71", show_default=True, help="Profile name or YAML/JSON path."
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


@main.command("replay")
@click.argument("capture", type=click.Path(path_type=Path))
@click.option("--primary", required=True, help="Base URL of the primary the capture is sent to.")
@click.option("--candidate", required=True, help="Base URL of the candidate it is mirrored to.")
@click.option("--profile", help="Normalization profile name or path (default vibe-kanban-0.0.71).")
@click.option(
    "--store", type=click.Path(path_type=Path), default=DEFAULT_STORE, show_default=True, help="Evidence store."
)
@click.option("--config", type=click.Path(path_type=Path), help="Shadow settings file (YAML or JSON).")
def replay(capture: Path, primary: str, candidate: str, profile: str | None, store: Path, config: Path | None) -> None:
    """Replay CAPTURE (a HAR file or a mitmproxy flow dump) against PRIMARY, teed to CANDIDATE through the
    same pipeline as the proxy (lanes, id correlation, comparison, store); prints the verdict counts."""
    import asyncio

    from rich.progress import Progress

    from shadow.config import load_settings
    from shadow.errors import ShadowError
    from shadow.replay import run_replay

    try:
        settings = load_settings(
            config, primary=primary, candidate=candidate, profile=profile, store=store, offload=False
        )
        with Progress(transient=True) as progress:
            task = progress.add_task("replaying", total=None)
            report = asyncio.run(
                run_replay(
                    capture,
                    settings,
                    on_total=lambda n: progress.update(task, total=n),
                    advance=lambda n: progress.advance(task, n),
                )
            )
    except ShadowError as exc:
        raise _Exit2(str(exc)) from exc
    counts = ", ".join(f"{kind} {count}" for kind, count in sorted(report.counts.items())) or "nothing compared"
    click.echo(f"replayed {report.sent} exchange(s): {counts}; evidence in {store}")
    for error in report.primary_errors:
        click.echo(f"primary failed: {error}", err=True)
    if not report.drained:
        click.echo("not every exchange was judged before the drain timeout", err=True)


@main.command("compare")
@click.argument("primary_har", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("candidate_har", type=click.Path(path_type=Path, dir_okay=False))
@_offline_profile_option
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable summary instead of tables.")
@click.option(
    "--noise",
    "noise_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A noise model from `parity learn-noise`: volatile fields it knows become verdict noise (never a "
    "structural difference).",
)
def compare(primary_har: Path, candidate_har: Path, profile: str, as_json: bool, noise_path: Path | None) -> None:
    """Compare two HAR recordings of the same workload: parity per route group and top mismatches.

    Exit 0 when the comparison ran (mismatches included), 2 on bad input."""
    from shadow.offline import OfflineInputError, compare_files, load_noise, render_comparison

    try:
        noise = load_noise(noise_path) if noise_path is not None else None
        comparison = compare_files(primary_har, candidate_har, profile=profile, noise=noise)
    except OfflineInputError as exc:
        raise _Exit2(str(exc)) from exc
    if as_json:
        click.echo(comparison.summary.model_dump_json(indent=2))
    else:
        render_comparison(comparison, Console())


@main.command("learn-noise")
@click.argument("hars", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Where to write the model (JSON)."
)
@_offline_profile_option
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.5,
    show_default=True,
    help="Share of a route's self-comparisons a field must differ in to count as noise.",
)
@click.option(
    "--min-observations",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Self-comparisons of a route needed before any of its fields counts as noise.",
)
def learn_noise(hars: tuple[Path, ...], out: Path, profile: str, threshold: float, min_observations: int) -> None:
    """Learn which fields are volatile from HAR recordings of the SAME system: pairs A1 B1 [A2 B2 ...] (two
    primaries recorded at once, or one workload recorded twice). Writes the model for `parity compare
    --noise` and the proxy's `noise_model` setting, and lists the fields it will treat as noise."""
    from shadow.offline import OfflineInputError
    from shadow.offline import learn_noise as learn

    if len(hars) % 2:
        raise _Exit2(f"HAR files come in pairs (A1 B1 [A2 B2 ...]); got {len(hars)}")
    pairs = list(zip(hars[0::2], hars[1::2], strict=True))
    try:
        model = learn(pairs, profile=profile, threshold=threshold, min_observations=min_observations)
    except OfflineInputError as exc:
        raise _Exit2(str(exc)) from exc
    try:
        out.write_text(model.to_json())
    except OSError as exc:
        raise _Exit2(f"cannot write {out}: {exc.strerror or exc}") from exc
    volatile = model.volatile()
    observed = sum(model.routes.values())
    click.echo(f"{observed} self-comparison(s) over {len(model.routes)} route(s); {len(volatile)} volatile field(s):")
    for route, path, share, seen in volatile:
        click.echo(f"  {route}  {path}  differed in {share:.0%} of {seen}")
    click.echo(f"model written to {out}")


@main.command("demo")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("out"), show_default=True)
@click.option(
    "--mode",
    type=click.Choice(["proxy", "two-primaries"]),
    default="proxy",
    show_default=True,
    help="proxy: real primary + local candidate behind the shadow proxy; two-primaries: two real instances "
    "compared offline (the noise floor).",
)
@click.option("--family", "families", multiple=True, help="Only these workload families (repeatable).")
@click.option(
    "--poll-timeout",
    type=click.FloatRange(min=1),
    default=30.0,
    show_default=True,
    help="Seconds each wait of the workload polls for a state.",
)
def demo(out: Path, mode: str, families: tuple[str, ...], poll_timeout: float) -> None:
    """The main job on embedded defaults: a fresh real vibe-kanban 0.0.71, the local candidate, the shadow
    proxy between them, the whole workflow through it, and the parity report from the evidence store.

    Everything lands in OUT/demo-<timestamp>/; everything started is stopped on exit (Ctrl-C included)."""
    from shadow.demo import run_demo
    from shadow.workload import ALL, resolve_families

    try:
        chosen = resolve_families(families or ALL)
    except ValueError as exc:
        raise _Exit2(str(exc)) from exc
    try:
        run_demo(out, mode="proxy" if mode == "proxy" else "two-primaries", families=chosen, poll_timeout=poll_timeout)
    except KeyboardInterrupt:
        click.echo("demo interrupted: everything it started was stopped", err=True)
        raise SystemExit(130) from None
