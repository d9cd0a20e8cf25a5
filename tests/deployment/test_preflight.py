"""``certhub serve`` refuses, in one line and exit 2, a deployment that could not work."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import pytest
from clirun import tree, workdir

from certhub.hub.cli.main import main
from certhub.hub.store.postgres.keys import DeploymentKeyStore
from certhub.hub.store.postgres.shared import FolderKeys, SharedIdentity

__all__ = ["workdir"]  # the fixture, from the CLI kit


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The one error line of a refused command."""
    assert main(argv) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("certhub: error: ")
    return lines[0]


async def _first_process(url: str, workdir: Path) -> None:
    """A first process made the deployment's keys, under a deployment key of its own."""
    store = await DeploymentKeyStore.open(url, secrets.token_bytes(32))
    folder = FolderKeys(workdir / "k", workdir / "c", lambda: [], lambda: "ek-1")
    await SharedIdentity.open(store, folder)
    await store.aclose()


def test_ingress_only_on_the_embedded_ledger_is_refused_before_anything_is_made(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = refused(capsys, ["serve", "--port", "0", "--data", "data", "--role", "ingress"])
    assert line == (
        "certhub: error: role ingress needs the PostgreSQL ledger (CERTHUB_DATABASE_URL):"
        " on the embedded SQLite ledger no worker could ever deliver its outbox"
    )
    assert tree(workdir) == set()


def test_a_process_with_another_deployment_key_is_refused_before_it_signs_anything(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    pg_database: str,
) -> None:  # fmt: skip
    asyncio.run(_first_process(pg_database, workdir))
    provisioned = workdir / "secrets"
    provisioned.mkdir()
    (provisioned / "deployment.key").write_bytes(secrets.token_bytes(32))
    (provisioned / "deployment.key").chmod(0o600)
    monkeypatch.setenv("CERTHUB_DATABASE_URL", pg_database)
    monkeypatch.setenv("CERTHUB_SECRETS_DIR", str(provisioned))
    before = tree(workdir)
    line = refused(capsys, ["serve", "--port", "0", "--data", "data"])
    assert "the deployment key does not open key" in line
    assert "every process of a deployment needs the same SECRETS_DIR/deployment.key" in line
    assert line.endswith("(CERTHUB_SECRETS_DIR)")
    assert tree(workdir) == before  # no data folder, ledger or keys made

    (provisioned / "deployment.key").write_bytes(b"short")
    line = refused(capsys, ["serve", "--port", "0", "--data", "data"])
    assert "holds 5 bytes; it needs 32" in line


def test_a_process_missing_the_deployment_key_of_a_database_with_keys_makes_none(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    pg_database: str,
) -> None:  # fmt: skip
    """A new key could open none of the deployment's: refused before one is written."""
    asyncio.run(_first_process(pg_database, workdir))
    monkeypatch.setenv("CERTHUB_DATABASE_URL", pg_database)
    monkeypatch.setenv("CERTHUB_SECRETS_DIR", str(workdir / "secrets"))  # not provisioned
    before = tree(workdir)
    line = refused(capsys, ["serve", "--port", "0", "--data", "data"])
    assert f"no deployment key at {workdir / 'secrets' / 'deployment.key'}" in line
    assert line.endswith("(CERTHUB_SECRETS_DIR)")
    assert tree(workdir) == before  # no key, data folder or ledger made
