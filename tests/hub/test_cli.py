"""The certhub command line, run as a real process where it matters."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from ports import free_port
from prometheus_client import CollectorRegistry

from certhub.hub.cli.main import main
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.schemas import MESSAGE_TYPES
from certhub.security import ReadTokenVerifier, SigningKey, TrustStore

CERTHUB = [sys.executable, "-m", "certhub.hub.cli.main"]


def test_keys_new_writes_a_private_key_only_the_owner_can_read(tmp_path: Path) -> None:
    assert main(["keys", "new", "--sender", "yunfu", "--out", str(tmp_path)]) == 0
    private = tmp_path / "yunfu.key.pem"
    assert private.stat().st_mode & 0o777 == 0o600
    jwk = json.loads((tmp_path / "yunfu.jwk.json").read_text())
    assert "d" not in jwk
    assert jwk["kty"] == "OKP"


def test_keys_new_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["keys", "new", "--sender", "yunfu", "--out", str(tmp_path)])
    before = (tmp_path / "yunfu.key.pem").read_bytes()
    assert main(["keys", "new", "--sender", "yunfu", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("certhub: error:")
    assert (tmp_path / "yunfu.key.pem").read_bytes() == before


def test_trust_add_then_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["keys", "new", "--sender", "yunfu", "--out", str(tmp_path)])
    store = tmp_path / "trust.json"
    code = main(
        [
            "trust",
            "add",
            str(tmp_path / "yunfu.jwk.json"),
            "--sender",
            "yunfu",
            "--may-send",
            "eligibility_report/v1,zero_report/v1",
            "--store",
            str(store),
        ]
    )
    assert code == 0
    (entry,) = TrustStore.load(store)
    assert entry.may_send == {"eligibility_report/v1", "zero_report/v1"}
    assert entry.may_read is False
    capsys.readouterr()
    assert main(["trust", "list", "--store", str(store)]) == 0
    assert "yunfu" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--may-send", "eligibility_reprot/v1"], "unknown message type"),
        ([], "--may-send"),
    ],
)
def test_trust_add_refuses_nonsense_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    main(["keys", "new", "--sender", "yunfu", "--out", str(tmp_path)])
    store = tmp_path / "trust.json"
    args = ["trust", "add", str(tmp_path / "yunfu.jwk.json"), "--sender", "yunfu"]
    assert main([*args, *extra, "--store", str(store)]) == 2
    assert message in capsys.readouterr().err
    assert not store.exists()


def test_trust_add_refuses_a_private_jwk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "private.jwk.json"
    bad.write_text(json.dumps({"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "d": "B" * 43}))
    args = ["trust", "add", str(bad), "--sender", "x", "--may-read", "--store", str(tmp_path / "t")]
    assert main(args) == 2
    assert "private" in capsys.readouterr().err


def test_schemas_export_writes_every_type(tmp_path: Path) -> None:
    assert main(["schemas", "export", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.json"))) == len(MESSAGE_TYPES)


def test_token_issue_prints_a_verifiable_read_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "new", "--sender", "province", "--out", str(tmp_path)])
    main(
        [
            "trust",
            "add",
            str(tmp_path / "province.jwk.json"),
            "--sender",
            "province",
            "--may-read",
            "--store",
            str(tmp_path / "trust.json"),
        ]
    )
    capsys.readouterr()
    key = str(tmp_path / "province.key.pem")
    assert main(["token", "issue", "--key", key, "--sender", "province"]) == 0
    token = capsys.readouterr().out.strip()
    reader = ReadTokenVerifier(TrustStore.load(tmp_path / "trust.json")).verify(token)
    assert reader.sender == "province"


def test_serve_runs_a_hub_process_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, CERTHUB_LOG_LEVEL="INFO")
    process = subprocess.Popen(
        [*CERTHUB, "serve", "--port", str(port), "--data", str(tmp_path / "data")],
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert json.load(r) == {"status": "ok"}
                    break
            except OSError:
                assert time.monotonic() < deadline, "hub did not start"
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.05)
        assert (tmp_path / "data" / "ledger.sqlite3").exists()
        assert list((tmp_path / "data" / "keys").glob("*.pem"))
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        if process.stderr:
            process.stderr.close()


def test_a_second_hub_on_the_same_data_folder_fails_clearly(tmp_path: Path) -> None:
    first = subprocess.Popen(
        [*CERTHUB, "serve", "--port", str(free_port()), "--data", str(tmp_path)],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "ledger.sqlite3").exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = subprocess.run(
            [*CERTHUB, "serve", "--port", str(free_port()), "--data", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert second.returncode != 0
        assert "another certhub process" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=20)


def test_demo_exchange_adds_up(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CERTHUB, "demo", "--reports", "40", "--data", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["ok"] is True
    assert summary["accepted"] == summary["pulled"] == summary["verified"] == 42
    assert summary["rejected"] == 3
    # Staff who may file a restoration may file their own restoration proposal too.
    trust = TrustStore.load(Settings(data_dir=tmp_path / "demo").trust_store_path)
    restorers = [e for e in trust if "restoration/v1" in e.may_send]
    assert {e.role for e in restorers} == {"town_staff", "county_reviewer"}, restorers
    assert all("restoration_proposal/v1" in e.may_send for e in restorers), restorers
    # The printed enrolment code binds a phone's key on a hub over the demo's data.
    invitation = [line for line in result.stderr.splitlines() if "enrolment code" in line]
    found = re.search(r"code ([0-9-]+) \(a coordinator of village (\d{12})", invitation[0])
    assert found is not None, invitation
    enrolled = asyncio.run(_enrol_a_phone(tmp_path / "demo", found[1]))
    assert (enrolled["role"], enrolled["area"]) == ("coordinator", found[2])


async def _enrol_a_phone(data: Path, code: str) -> dict[str, Any]:
    app = create_app(Settings(data_dir=data), registry=CollectorRegistry())
    jwk = {k: v for k, v in SigningKey.generate().public_jwk().items() if k in ("kty", "crv", "x")}
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/v1/enrolments", json={"code": code, "jwk": jwk})
        assert response.status == 201, await response.text()
        answer: dict[str, Any] = await response.json()
        return answer
