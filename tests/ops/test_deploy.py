"""deploy/ installs as written: units verify, Prometheus configs check, Compose agrees (16 §3).

``tests/ensure_services.sh`` installs ``systemd-analyze`` and ``promtool`` when missing;
nothing here is skipped. Docker need not run: the Compose file is checked as data.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from certhub.hub.core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SYSTEMD = DEPLOY / "systemd"
UNITS = ("certhub-ingress@8081.service", "certhub-worker.service")
INSTALLED_BINARY = "/opt/certhub/venv/bin/certhub"
SETTINGS = {f"CERTHUB_{name.upper()}" for name in Settings.model_fields}


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found is not None, f"{name} missing: run tests/ensure_services.sh"
    return found


@pytest.fixture
def unit_path(tmp_path: Path) -> Path:
    """The units as installed, with ExecStart pointing at this checkout's certhub."""
    shutil.copytree(SYSTEMD, tmp_path / "units")
    binary = str(Path(sys.executable).with_name("certhub"))
    for unit in (tmp_path / "units").glob("*.service"):
        text = unit.read_text(encoding="utf-8")
        assert INSTALLED_BINARY in text, unit.name  # the path README's install step makes
        unit.write_text(text.replace(INSTALLED_BINARY, binary), encoding="utf-8")
    return tmp_path / "units"


def _analyze(unit_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_tool("systemd-analyze"), *args],
        env={**os.environ, "SYSTEMD_UNIT_PATH": f"{unit_path}:"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_units_verify_without_a_single_warning(unit_path: Path) -> None:
    result = _analyze(unit_path, "verify", *UNITS)
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


def test_the_signature_helper_drop_in_is_part_of_the_ingress_unit(unit_path: Path) -> None:
    drop_in = unit_path / "certhub-ingress@.service.d" / "signature-helper.conf"
    drop_in.write_text(drop_in.read_text(encoding="utf-8") + "NoSuchDirective=1\n")
    result = _analyze(unit_path, "verify", UNITS[0])
    assert "signature-helper.conf" in result.stderr  # systemd read it with the unit
    assert "NoSuchDirective" in result.stderr


def test_a_broken_unit_fails_verification(unit_path: Path) -> None:
    worker = unit_path / "certhub-worker.service"
    worker.write_text(worker.read_text().replace("ExecStart=", "ExecStart=/nowhere/certhub #"))
    result = _analyze(unit_path, "verify", "certhub-worker.service")
    assert result.returncode != 0
    assert "/nowhere/certhub" in result.stderr


def test_the_units_are_hardened(unit_path: Path) -> None:
    result = _analyze(unit_path, "security", "--offline=true", *UNITS)
    levels = re.findall(r"Overall exposure level for (\S+): ([0-9.]+)", result.stdout)
    assert {unit for unit, _ in levels} == set(UNITS), result.stdout + result.stderr
    assert all(float(level) <= 2.0 for _, level in levels), levels


def _variables(text: str) -> set[str]:
    return set(re.findall(r"\b(CERTHUB_[A-Z_]+?)(?:__[A-Z_]+)?=", text))


def test_every_variable_the_deployment_sets_is_a_setting() -> None:
    # pydantic ignores an unknown CERTHUB_ variable in the environment: a typo here would
    # be silently dropped, so each one is checked against the settings object.
    files = [*SYSTEMD.rglob("*.service"), *SYSTEMD.rglob("*.conf"), SYSTEMD / "certhub.env.example"]
    named = set().union(*(_variables(path.read_text(encoding="utf-8")) for path in files))
    compose = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text(encoding="utf-8"))
    for service in compose["services"].values():
        named |= {key for key in service.get("environment", {}) if key.startswith("CERTHUB_")}
    named |= _variables((DEPLOY / "compose" / "Dockerfile").read_text(encoding="utf-8"))
    assert {"CERTHUB_ROLE", "CERTHUB_SECRETS_DIR", "CERTHUB_BROKER"} <= named
    assert named - SETTINGS == set()


def test_each_unit_plays_its_role() -> None:
    ingress = (SYSTEMD / "certhub-ingress@.service").read_text(encoding="utf-8")
    worker = (SYSTEMD / "certhub-worker.service").read_text(encoding="utf-8")
    helper = (SYSTEMD / "certhub-ingress@.service.d" / "signature-helper.conf").read_text()
    assert "Environment=CERTHUB_ROLE=ingress" in ingress
    assert "Environment=CERTHUB_PORT=%i" in ingress
    assert "Environment=CERTHUB_ROLE=worker" in worker
    assert "Environment=CERTHUB_BROKER=rabbitmq" in worker
    assert "Environment=CERTHUB_SIGNATURE_HELPER=true" in helper
    assert "KillMode=control-group" in helper
    for text in (ingress, worker, (SYSTEMD / "certhub.env.example").read_text()):
        assert not re.search(r"://[^/\s:@]+:[^@\s]+@", text)  # no URL with a password


def _assignments(lines: list[str]) -> dict[str, str]:
    """``NAME=value`` pairs of a unit's ``Environment=`` lines or an environment file."""
    pairs = (line.removeprefix("Environment=").split("=", 1) for line in lines if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def test_the_trust_store_file_is_one_the_hub_may_write() -> None:
    """At start the hub writes its inbound adapters' keys (a city platform's, a bank
    terminal's, …) into ``CERTHUB_TRUST_STORE``; on a read-only path every start fails
    ("cannot write trust store …: Read-only file system")."""
    env_file = (SYSTEMD / "certhub.env.example").read_text(encoding="utf-8").splitlines()
    common = _assignments([line for line in env_file if not line.startswith("#")])
    for name in ("certhub-ingress@.service", "certhub-worker.service"):
        lines = (SYSTEMD / name).read_text(encoding="utf-8").replace("%i", "8081").splitlines()
        unit = _assignments([line for line in lines if line.startswith("Environment=")])
        directives = _assignments([line for line in lines if not line.startswith("Environment=")])
        settings = {**common, **unit}
        data = settings["CERTHUB_DATA_DIR"]
        trust = settings.get("CERTHUB_TRUST_STORE", f"{data}/trust.jwks.json")
        assert trust.startswith(f"/var/lib/{directives['StateDirectory']}/"), (name, trust)
        read_only = directives["ReadOnlyPaths"].split()
        assert not any(trust.startswith(path.rstrip("/") + "/") for path in read_only), name
    dockerfile = (DEPLOY / "compose" / "Dockerfile").read_text(encoding="utf-8")
    image = re.search(r"CERTHUB_DATA_DIR=(\S+)", dockerfile)
    assert image is not None
    for name, service in _compose()["services"].items():
        if not name.startswith("hub-"):
            continue
        trust = service["environment"].get("CERTHUB_TRUST_STORE", f"{image[1]}/trust.jwks.json")
        for volume in service.get("volumes", []):
            _, target, *mode = volume.split(":")
            if trust.startswith(target.rstrip("/") + "/"):
                assert mode != ["ro"], (name, volume)


# -- Prometheus ---------------------------------------------------------------------------


def _promtool_check(config: Path) -> subprocess.CompletedProcess[str]:
    """``promtool check config`` of ``config`` (the alert rules it names beside it)."""
    return subprocess.run(
        [_tool("promtool"), "check", "config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("config", ["prometheus/prometheus.yml", "compose/prometheus.yml"])
def test_the_prometheus_configs_check_and_scrape_job_certhub(config: str, tmp_path: Path) -> None:
    shutil.copy(DEPLOY / config, tmp_path / "prometheus.yml")
    shutil.copy(REPO / "monitoring" / "alerts.yml", tmp_path / "alerts.yml")  # as installed
    result = _promtool_check(tmp_path / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr
    parsed = yaml.safe_load((DEPLOY / config).read_text(encoding="utf-8"))
    assert [job["job_name"] for job in parsed["scrape_configs"]] == ["certhub"]
    alerts = (REPO / "monitoring" / "alerts.yml").read_text(encoding="utf-8")
    assert 'job="certhub"' in alerts  # what the rules select is what is scraped


def test_promtool_refuses_a_broken_config(tmp_path: Path) -> None:
    text = (DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8")
    (tmp_path / "prometheus.yml").write_text(
        text.replace("scrape_interval: 15s", "scrape_interval: soon", 1)
    )
    shutil.copy(REPO / "monitoring" / "alerts.yml", tmp_path / "alerts.yml")
    result = _promtool_check(tmp_path / "prometheus.yml")
    assert result.returncode != 0


# -- Compose ------------------------------------------------------------------------------


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (DEPLOY / "compose" / "compose.yaml").read_text(encoding="utf-8")
    )
    return loaded


def test_compose_runs_the_whole_deployment() -> None:
    services = _compose()["services"]
    assert {"postgres", "rabbitmq", "migrate", "prometheus", "grafana", "hub-worker"} <= set(
        services
    )
    hubs = sorted(name for name in services if name.startswith("hub-ingress-"))
    assert len(hubs) >= 2
    roles = {name: services[name]["environment"]["CERTHUB_ROLE"] for name in [*hubs, "hub-worker"]}
    assert roles == {**dict.fromkeys(hubs, "ingress"), "hub-worker": "worker"}
    assert services["migrate"]["command"] == ["db", "upgrade"]
    for name in [*hubs, "hub-worker"]:
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["environment"]["CERTHUB_SECRETS_DIR"] == "/run/secrets"
        assert set(service["secrets"]) == {"database_url", "amqp_url", "deployment.key"}
        assert "CERTHUB_DATABASE_URL" not in service["environment"]  # a file, not a variable


def test_compose_secrets_mounts_and_scrape_targets_agree() -> None:
    compose = _compose()
    declared = set(compose["secrets"])
    for service in compose["services"].values():
        assert set(service.get("secrets", [])) <= declared
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):  # a bind mount of the repository: it must exist
                made = source.startswith("./secrets") or source == "./config"
                assert made or (DEPLOY / "compose" / source).exists(), source
    scrape = yaml.safe_load((DEPLOY / "compose" / "prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        target.split(":")[0]
        for group in scrape["scrape_configs"][0]["static_configs"]
        for target in group["targets"]
    }
    hubs = {name for name in compose["services"] if name.startswith("hub-")}
    assert targets == hubs  # every hub process scraped, each on its own


def test_make_secrets_makes_what_the_hub_reads(tmp_path: Path) -> None:
    folder = tmp_path / "compose"
    folder.mkdir()
    shutil.copy(DEPLOY / "compose" / "make-secrets.sh", folder)
    result = subprocess.run(
        [_tool("sh"), str(folder / "make-secrets.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    secrets = folder / "secrets"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    key = secrets / "deployment.key"
    assert len(key.read_bytes()) == 32
    assert stat.S_IMODE(key.stat().st_mode) == 0o600  # the hub refuses a looser one
    settings = Settings(secrets_dir=secrets)
    password = (secrets / "postgres_password").read_text().strip()
    assert settings.database_url == SecretStr(
        f"postgresql://certhub:{password}@postgres:5432/certhub"
    )
    rabbit = (secrets / "rabbitmq_password").read_text().strip()
    assert settings.amqp_url == SecretStr(f"amqp://certhub:{rabbit}@rabbitmq:5672/")
    assert f"default_pass = {rabbit}" in (secrets / "rabbitmq.conf").read_text()
    env = dict(line.split("=", 1) for line in (folder / ".env").read_text().splitlines())
    assert env["CERTHUB_UID"] == str(os.getuid())
    before = key.read_bytes()
    subprocess.run([_tool("sh"), str(folder / "make-secrets.sh")], check=True, capture_output=True)
    assert key.read_bytes() == before  # a second run keeps the deployment key
