"""Settings an ops team trusts: passwords never shown, secrets from files, typos refused (16 §3)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import workdir
from pydantic import SecretStr

from certhub.hub.cli.main import main
from certhub.hub.core.secrets import masked_url
from certhub.hub.core.settings import Settings
from certhub.hub.store import open_ledger

__all__ = ["workdir"]  # the fixture, from the CLI kit

PG_PASSWORD = "pg-Pa55word-4401"
AMQP_PASSWORD = "amqp-Pa55word-4401"
PG_URL = f"postgresql://certhub:{PG_PASSWORD}@127.0.0.1:1/certhub"
AMQP_URL = f"amqp://hub:{AMQP_PASSWORD}@127.0.0.1:1/"


def test_passwords_are_in_no_repr_str_or_dump(workdir: Path) -> None:
    settings = Settings(database_url=PG_URL, amqp_url=AMQP_URL)
    shown = [repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump())]
    for text in shown:
        assert PG_PASSWORD not in text
        assert AMQP_PASSWORD not in text
    # Unwrapped only where a connection is opened.
    assert settings.database_url == SecretStr(PG_URL)
    assert settings.amqp_url.get_secret_value() == AMQP_URL


def test_a_masked_url_keeps_what_ops_need_and_drops_the_password() -> None:
    assert masked_url(SecretStr(PG_URL)) == "postgresql://certhub:***@127.0.0.1:1/certhub"
    assert masked_url(SecretStr("amqp://h:p:w@x@rabbit:5672/vh?heartbeat=5")) == (
        "amqp://h:***@rabbit:5672/vh"
    )
    assert masked_url(SecretStr("postgresql://postgres@db/certhub")) == (
        "postgresql://postgres@db/certhub"
    )
    assert masked_url(None) is None


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        ({"CERTHUB_DATABASE_URL": PG_URL}, "cannot reach the ledger database"),
        (
            {"CERTHUB_BROKER": "rabbitmq", "CERTHUB_AMQP_URL": AMQP_URL},
            "RabbitMQ at amqp://hub:***@127.0.0.1:1/ unreachable",
        ),
    ],
)
def test_a_refused_start_names_the_service_but_not_its_password(
    workdir: Path, env: dict[str, str], shown: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "certhub.hub.cli.main", "serve", "--data", "var", "--port", "0"],
        env={**os.environ, **env, "CERTHUB_SIGNATURE_HELPER": "false"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert shown in result.stderr
    assert PG_PASSWORD not in result.stderr + result.stdout
    assert AMQP_PASSWORD not in result.stderr + result.stdout


def test_secret_files_in_the_secrets_folder_are_read(workdir: Path) -> None:
    secrets = workdir / "secrets"
    secrets.mkdir()
    (secrets / "database_url").write_text(PG_URL + "\n", encoding="utf-8")  # echo >file
    (secrets / "amqp_url").write_text(AMQP_URL, encoding="utf-8")
    settings = Settings(secrets_dir=secrets)
    assert settings.database_url == SecretStr(PG_URL)
    assert settings.amqp_url == SecretStr(AMQP_URL)


def test_the_secrets_folder_itself_may_come_from_the_environment(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "creds").mkdir()
    (workdir / "creds" / "database_url").write_text(PG_URL, encoding="utf-8")
    monkeypatch.setenv("CERTHUB_SECRETS_DIR", str(workdir / "creds"))
    assert Settings().database_url == SecretStr(PG_URL)


def test_a_setting_given_otherwise_wins_over_its_file(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "database_url").write_text(PG_URL, encoding="utf-8")
    other = "postgresql://certhub@db2/certhub"
    monkeypatch.setenv("CERTHUB_DATABASE_URL", other)
    assert Settings(secrets_dir=workdir).database_url == SecretStr(other)


def test_no_secrets_folder_leaves_the_defaults(workdir: Path) -> None:
    (workdir / "database_url").write_text(PG_URL, encoding="utf-8")  # not a secrets folder
    settings = Settings()
    assert settings.database_url is None
    assert settings.amqp_url == SecretStr("amqp://guest:guest@127.0.0.1:5672/")


def test_an_unknown_key_in_dotenv_is_refused_by_name(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / ".env").write_text(
        f"CERTHUB_PORT=9000\nCERTHUB_DATABSE_URL={PG_URL}\n", encoding="utf-8"
    )
    assert main(["serve", "--data", "var"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "certhub: error: invalid settings: CERTHUB_DATABSE_URL: unknown setting (check .env)\n"
    )
    assert not (workdir / "var").exists()


def test_known_keys_in_dotenv_are_read(workdir: Path) -> None:
    (workdir / ".env").write_text("CERTHUB_PORT=9000\nCERTHUB_ROLE=worker\n", encoding="utf-8")
    settings = Settings()
    assert (settings.port, settings.role) == (9000, "worker")


async def test_the_sqlite_ledger_and_its_log_are_created_owner_only(workdir: Path) -> None:
    old = os.umask(0o022)  # the usual umask would leave a plain create world-readable
    try:
        ledger = await open_ledger(Settings(data_dir=workdir / "data"))
    finally:
        os.umask(old)
    try:
        path = workdir / "data" / "ledger.sqlite3"
        for file in (path, path.with_name("ledger.sqlite3-wal")):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    finally:
        await ledger.aclose()
