"""compose.yaml (staging) cannot be started here (no Docker engine), so check what can be checked: it parses,
every `parity` invocation names a real command with real options, every SHADOW_*/RUNNER_* variable is a
setting, Prometheus scrapes the proxy's metrics port, and Grafana provisions the shipped dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

from runner.config import RunnerSettings
from shadow.cli import main
from shadow.config import ShadowSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]


def _parity_invocations() -> list[list[str]]:
    found = []
    for service in SERVICES.values():
        command = service.get("command")
        if isinstance(command, list) and command and command[0] == "parity":
            found.append([str(part) for part in command[1:]])
    return found


def test_every_parity_invocation_parses_against_the_real_cli() -> None:
    invocations = _parity_invocations()
    assert {argv[0] for argv in invocations} >= {"proxy", "seed-sounds"}
    for argv in invocations:
        command = main.commands[argv[0]]
        # make_context parses (and validates) the options without running the command.
        with click.Context(main) as parent:
            command.make_context(argv[0], argv[1:], parent=parent)


def test_environment_names_are_settings() -> None:
    shadow_fields = {name.upper() for name in ShadowSettings.model_fields}
    runner_fields = {name.upper() for name in RunnerSettings.model_fields}
    for name, service in SERVICES.items():
        for key in service.get("environment", {}) or {}:
            if key.startswith("SHADOW_"):
                assert key.removeprefix("SHADOW_") in shadow_fields, (name, key)
            if key.startswith("RUNNER_") and name == "runner":
                assert key.removeprefix("RUNNER_") in runner_fields, (name, key)


def test_prometheus_scrapes_the_proxy_metrics_port() -> None:
    proxy = SERVICES["proxy"]["command"]
    port = proxy[proxy.index("--metrics-port") + 1]
    assert SERVICES["proxy"]["environment"]["SHADOW_METRICS_HOST"] == "0.0.0.0"
    config = yaml.safe_load((ROOT / "deploy/prometheus.yml").read_text())
    targets = [t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]]
    assert f"proxy:{port}" in targets


def test_grafana_provisions_the_shipped_dashboards() -> None:
    mounts = SERVICES["grafana"]["volumes"]
    assert "./dashboards:/var/lib/grafana/dashboards:ro" in mounts
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/parity.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    assert (ROOT / "dashboards/parity.json").exists()


def test_the_image_carries_the_three_packages() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("comparators", "shadow", "runner"):
        assert f"COPY {package} {package}" in dockerfile
