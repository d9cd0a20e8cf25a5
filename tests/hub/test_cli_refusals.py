"""Operator mistakes: one line ``certhub: error: …``, exit 2, nothing written (14.11, 14.13)."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from clirun import tree, workdir
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import ValidationError

from certhub.hub.api.cursor import KEY_BYTES
from certhub.hub.cli.common import one_line, setting_name
from certhub.hub.cli.main import main
from certhub.hub.cli.serve import CURSOR_KEY_BYTES
from certhub.hub.cli.trust import parse_not_after
from certhub.hub.core.settings import Settings

__all__ = ["workdir"]  # the fixture, from the CLI kit

CERTHUB = [sys.executable, "-m", "certhub.hub.cli.main"]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another process is listening on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("certhub: error: ")
    assert "Traceback" not in captured.err
    return lines[0]


START_MISTAKES = {
    "port out of range": ({}, ["--port", "99999"], "CERTHUB_PORT"),
    "unknown log level": ({"CERTHUB_LOG_LEVEL": "verbose"}, [], "CERTHUB_LOG_LEVEL"),
    "unknown adapter name": (
        {"CERTHUB_ADAPTERS__SMSS__BASE_URL": "x"},
        [],
        "did you mean 'sms'",
    ),
    "unknown adapter field": (
        {"CERTHUB_ADAPTERS__SMS__BOGUS_FIELD": "1"},
        [],
        "CERTHUB_ADAPTERS__SMS__BOGUS_FIELD",
    ),
    "rabbitmq down": (
        {"CERTHUB_BROKER": "rabbitmq", "CERTHUB_AMQP_URL": "amqp://guest:secret@127.0.0.1:1/"},
        [],
        "RabbitMQ at amqp://guest:***@127.0.0.1:1/ unreachable",
    ),
    "secrets folder not provisioned": (
        {"CERTHUB_SECRETS_DIR": "provisioned"},
        [],
        "evidence key folder provisioned/evidence does not exist",
    ),
    "postgresql down": (
        {"CERTHUB_DATABASE_URL": "postgresql://certhub:secret@127.0.0.1:1/certhub"},
        [],
        "cannot reach the ledger database",
    ),
}


@pytest.mark.parametrize("mistake", sorted(START_MISTAKES))
def test_a_refused_start_is_one_line_and_leaves_nothing_behind(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mistake: str
) -> None:
    env, extra, named = START_MISTAKES[mistake]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    line = _refused(capsys, ["serve", "--port", "0", "--data", "data", *extra])
    assert named in line
    assert "secret" not in line
    assert tree(workdir) == set()  # no ledger, keys/, secrets/ or evidence/


@pytest.mark.parametrize(
    "argv",
    [
        ["keys", "rotate"],
        ["compare", "purge"],
        ["dlq", "list"],
    ],
    ids=" ".join,
)
def test_a_mistyped_data_folder_is_refused_not_made(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """A new folder would get a key or a ledger that no running hub ever reads.

    (``enrol issue`` may make the folder: README's way to try the entrance issues a
    code before the first ``certhub serve``.)
    """
    line = _refused(capsys, [*argv, "--data", "var-typo"])
    assert "var-typo" in line
    assert tree(workdir) == set()


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "0"],
        ["dlq", "list"],
        ["compare", "purge"],
        ["roster", "import", "r.csv"],
    ],
    ids=" ".join,
)
def test_a_data_folder_whose_ledger_is_no_database_is_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:  # fmt: skip
    """A damaged disk, a restore gone wrong, a file copied over: a clear line, no traceback."""
    monkeypatch.setenv("CERTHUB_SIGNATURE_HELPER", "false")
    (workdir / "var").mkdir()
    (workdir / "var" / "ledger.sqlite3").write_bytes(b"not a ledger" * 512)
    (workdir / "r.csv").write_text(
        "id_number,name,county,status,monthly_amount,paid_through,bank_account_on_file\n",
        encoding="utf-8",
    )
    line = _refused(capsys, [*argv, "--data", "var"])
    assert "ledger var/ledger.sqlite3 cannot be opened: file is not a database" in line


def test_a_metrics_port_that_is_the_hub_port_is_refused_before_anything_is_made(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port free now
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    monkeypatch.setenv("CERTHUB_METRICS_PORT", port)
    line = _refused(capsys, ["serve", "--port", port, "--data", "data"])
    assert line == (
        f"certhub: error: CERTHUB_METRICS_PORT {port} is the hub's own port (CERTHUB_PORT):"
        " give /metrics another port, or unset it to serve /metrics on the hub's"
    )
    assert tree(workdir) == set()


def test_serve_on_a_port_in_use_is_one_line_from_the_real_process(
    workdir: Path, busy_port: int
) -> None:
    result = subprocess.run(
        [*CERTHUB, "serve", "--port", str(busy_port), "--data", "data"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"certhub: error: port {busy_port} on 127.0.0.1 is in use (CERTHUB_PORT)"
    ]
    assert tree(workdir) == set()


def _read_only_secrets(workdir: Path) -> Path:
    folder = workdir / "secrets"
    folder.mkdir(mode=0o500)
    return folder


def _secrets_under_a_file(workdir: Path) -> Path:
    # Root (as in CI) writes through chmod 0500, so the folder that cannot take the key is
    # one whose parent is a regular file: start-up's mkdir fails there for every user.
    (workdir / "mounted").write_text("not a folder")
    return workdir / "mounted" / "secrets"


def _short_key(workdir: Path) -> Path:
    folder = workdir / "secrets"
    folder.mkdir()
    (folder / "cursor.key").write_bytes(b"too short")
    return folder


SECRETS_MISTAKES = {
    "read-only folder without cursor.key": (_read_only_secrets, "cannot be made there"),
    "folder under a regular file": (_secrets_under_a_file, "cannot be made there"),
    "cursor.key too short": (_short_key, "holds 9 bytes; it needs 32"),
}


@pytest.mark.parametrize("mistake", sorted(SECRETS_MISTAKES))
def test_a_cursor_key_the_hub_cannot_load_or_make_refuses_the_start(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mistake: str
) -> None:
    prepare, named = SECRETS_MISTAKES[mistake]
    if prepare is _read_only_secrets and os.geteuid() == 0:
        pytest.skip("root writes into a 0500 folder; the regular-file case covers root")
    monkeypatch.setenv("CERTHUB_SECRETS_DIR", str(prepare(workdir)))
    before = tree(workdir)
    line = _refused(capsys, ["serve", "--port", "0", "--data", "data"])
    assert named in line
    assert "CERTHUB_SECRETS_DIR" in line
    assert tree(workdir) == before  # no data folder, ledger or keys made
    assert CURSOR_KEY_BYTES == KEY_BYTES  # the pre-flight checks the length the hub needs


def test_keys_new_refuses_a_path_as_sender(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _refused(capsys, ["keys", "new", "--sender", "a/../x", "--out", "keys"])
    assert "invalid sender id" in line
    assert tree(workdir) == set()


@pytest.mark.parametrize(
    ("content", "named"),
    [("{bad", "is not valid JSON"), ('{"no_such_option": 1}', "no_such_option")],
)
def test_mocks_up_refuses_a_bad_config_file(
    workdir: Path, capsys: pytest.CaptureFixture[str], content: str, named: str
) -> None:
    (workdir / "mocks.json").write_text(content)
    assert named in _refused(capsys, ["mocks", "up", "--config", "mocks.json"])


def test_token_issue_refuses_a_lifetime_the_hub_would_refuse(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "new", "--sender", "reader", "--out", "keys"])
    capsys.readouterr()
    argv = ["token", "issue", "--key", "keys/reader.key.pem", "--sender", "reader"]
    line = _refused(capsys, [*argv, "--minutes", "30"])
    assert "15 minutes" in line
    assert main([*argv, "--minutes", "15"]) == 0
    assert capsys.readouterr().out.count(".") == 2  # a compact JWS


def test_token_issue_follows_the_hub_setting(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTHUB_READ_TOKEN_MAX_LIFETIME_SECONDS", "3600")
    main(["keys", "new", "--sender", "reader", "--out", "keys"])
    argv = ["token", "issue", "--key", "keys/reader.key.pem", "--sender", "reader"]
    assert main([*argv, "--minutes", "30"]) == 0


@given(st.dictionaries(st.sampled_from(sorted(Settings.model_fields)), st.text(), max_size=6))
@example({"data_dir": "~0"})  # pathlib's RuntimeError for the home of no user
@example({"trust_store": "~nosuchuser/trust.jwks.json"})
@hypothesis_settings(max_examples=60, deadline=None)
def test_any_settings_refusal_is_one_line_naming_variables_not_values(
    values: dict[str, str],
) -> None:
    try:
        Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        line = one_line(exc)
        assert "\n" not in line
        assert line.startswith("invalid settings: CERTHUB_")
        for error in exc.errors():
            assert setting_name(error["loc"]) in line


@given(st.text(st.characters(codec="utf-8"), max_size=40))
@hypothesis_settings(max_examples=200)
def test_not_after_accepts_only_future_times_with_an_offset(text: str) -> None:
    try:
        when: datetime | str = parse_not_after(text)
    except argparse.ArgumentTypeError as exc:
        when = str(exc)
    if isinstance(when, str):  # refused: one line for argparse to print
        assert "\n" not in when
    else:
        assert when.tzinfo is not None
        assert when > datetime.now(UTC)
