"""``certhub trust``: no silent moves, known roles, revoke and expiry a running hub obeys."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hubkit import Hub

from certhub.hub.cli.main import main
from certhub.hub.core.keys import TRUST
from certhub.security import SigningKey, TrustStore


def _public_jwk(hub: Hub, party: str, folder: Path) -> str:
    path = folder / f"{party}.jwk.json"
    path.write_text(json.dumps(hub.keys[party].public_jwk()))
    return str(path)


def _add(hub: Hub, jwk: str, *extra: str) -> int:
    store = str(hub.settings.trust_store_path)
    return main(
        ["trust", "add", jwk, "--may-send", "eligibility_report/v1", "--store", store, *extra]
    )


async def test_a_key_is_not_moved_to_another_sender_unless_asked(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jwk = _public_jwk(hub, "city", tmp_path)
    before = hub.settings.trust_store_path.read_bytes()
    assert _add(hub, jwk, "--sender", "other-city") == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "already trusted for sender 'city'" in line
    assert "--move" in line
    assert hub.settings.trust_store_path.read_bytes() == before
    assert _add(hub, jwk, "--sender", "other-city", "--move") == 0
    kid = hub.keys["city"].kid
    assert TrustStore.load(hub.settings.trust_store_path).get(kid).sender == "other-city"  # type: ignore[union-attr]


async def test_re_adding_for_the_same_sender_keeps_the_role(hub: Hub, tmp_path: Path) -> None:
    jwk = _public_jwk(hub, "city", tmp_path)
    assert _add(hub, jwk, "--sender", "city", "--role", "reporting_system") == 0
    assert _add(hub, jwk, "--sender", "city") == 0
    entry = TrustStore.load(hub.settings.trust_store_path).get(hub.keys["city"].kid)
    assert entry is not None
    assert entry.role == "reporting_system"


def test_an_unknown_role_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "new", "--sender", "city", "--out", str(tmp_path)])
    capsys.readouterr()
    jwk, store = str(tmp_path / "city.jwk.json"), tmp_path / "trust.json"
    argv = ["trust", "add", jwk, "--sender", "city", "--may-read", "--store", str(store)]
    assert main([*argv, "--role", "wizard"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("certhub: error: argument --role: invalid choice: 'wizard'")
    assert not store.exists()


@pytest.mark.parametrize("when", ["2020-01-01T00:00:00+00:00", "2099-01-01T00:00:00"])
def test_not_after_must_be_a_future_time_with_an_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], when: str
) -> None:
    main(["keys", "new", "--sender", "city", "--out", str(tmp_path)])
    jwk, store = str(tmp_path / "city.jwk.json"), tmp_path / "trust.json"
    argv = ["trust", "add", jwk, "--sender", "city", "--may-read", "--store", str(store)]
    assert main([*argv, "--not-after", when]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert not store.exists()


async def test_revoke_and_expiry_reach_the_running_hub(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _ = await hub.push(hub.sign(hub.report()))
    assert status == 202
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    jwk = _public_jwk(hub, "other-city", tmp_path)
    assert _add(hub, jwk, "--sender", "other-city", "--not-after", later) == 0
    store = str(hub.settings.trust_store_path)
    assert main(["trust", "revoke", hub.keys["city"].kid, "--store", store]) == 0
    assert hub.client.app[TRUST].reload_if_changed()  # what the watcher does every few seconds
    status, body = await hub.push(hub.sign(hub.report()))
    assert (status, body["type"].rsplit(":", 1)[-1]) == (401, "key-revoked")
    entry = hub.client.app[TRUST].store.get(hub.keys["other-city"].kid)
    assert entry is not None
    assert entry.not_after == datetime.fromisoformat(later)
    capsys.readouterr()
    assert main(["trust", "list", "--store", store]) == 0
    listing = capsys.readouterr().out
    assert "revoked=yes" in listing
    assert "not_after=20" in listing
    # Re-adding a revoked key does not bring it back.
    assert _add(hub, _public_jwk(hub, "city", tmp_path), "--sender", "city") == 0
    assert "stays revoked" in capsys.readouterr().out


def test_a_key_id_that_starts_with_a_dash_is_revoked_like_any_other(tmp_path: Path) -> None:
    """One thumbprint in 64 starts with '-': argparse must not take it for an option."""
    while not (key := SigningKey.generate()).kid.startswith("-"):
        pass
    store = tmp_path / "trust.jwks.json"
    TrustStore.empty().add(key.public_jwk(), sender="lost-phone", may_send=[]).save(store)
    assert main(["trust", "revoke", key.kid, "--store", str(store)]) == 0
    entry = TrustStore.load(store).get(key.kid)
    assert entry is not None
    assert entry.revoked
