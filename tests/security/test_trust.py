"""Trust store: load/save/add, validation messages that name the bad entry."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from certhub.security import SigningKey, TrustStore, TrustStoreError

from .conftest import REPORT, SENDER  # type: ignore[import-not-found]


def test_save_load_round_trip(store: TrustStore, sender_key: SigningKey, tmp_path: Path) -> None:
    not_after = datetime(2026, 1, 1, tzinfo=UTC)
    other = SigningKey.generate("ES256")
    store = store.add(
        other.public_jwk(),
        sender="bank-1",
        may_send=["certification_event/v1"],
        not_after=not_after,
    )
    path = tmp_path / "trust.json"
    store.save(path)
    loaded = TrustStore.load(path)
    assert len(loaded) == 2
    entry = loaded.get(sender_key.kid)
    assert entry is not None
    assert (entry.sender, entry.may_send, entry.may_read, entry.role) == (
        SENDER,
        frozenset([REPORT]),
        True,
        "city",
    )
    bank = loaded.get(other.kid)
    assert bank is not None
    assert bank.not_after == not_after
    assert not bank.may_read
    assert [e.kid for e in loaded] == [e.kid for e in store]
    assert {k["kid"] for k in loaded.to_public_jwks()["keys"]} == {sender_key.kid, other.kid}
    assert "certhub" not in loaded.to_public_jwks()["keys"][0]


def test_add_returns_new_store(sender_key: SigningKey) -> None:
    empty = TrustStore.empty()
    one = empty.add(sender_key.public_jwk(), sender=SENDER, may_send=[REPORT])
    assert len(empty) == 0
    assert len(one) == 1


def test_readd_same_key_updates_permissions_but_keeps_revocation(
    store: TrustStore, sender_key: SigningKey
) -> None:
    updated = store.revoke(sender_key.kid).add(
        sender_key.public_jwk(), sender=SENDER, may_send=[REPORT, "zero_report/v1"]
    )
    entry = updated.get(sender_key.kid)
    assert entry is not None
    assert entry.may_send == {REPORT, "zero_report/v1"}
    assert entry.revoked


def test_same_kid_other_key_refused(store: TrustStore, sender_key: SigningKey) -> None:
    other = SigningKey.generate(sender_key.alg).public_jwk()
    with pytest.raises(TrustStoreError, match="another key"):
        store.add({**other, "kid": sender_key.kid}, sender=SENDER, may_send=[REPORT])


def test_same_key_other_kid_refused(store: TrustStore, sender_key: SigningKey) -> None:
    with pytest.raises(TrustStoreError, match="already trusted"):
        store.add({**sender_key.public_jwk(), "kid": "alias"}, sender=SENDER, may_send=[REPORT])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sender": "no spaces"}, "sender"),
        ({"may_send": "eligibility_report/v1"}, "may_send"),
        ({"not_after": datetime(2026, 1, 1)}, "timezone"),
    ],
)
def test_add_validates(sender_key: SigningKey, kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"sender": SENDER, "may_send": [REPORT], **kwargs}
    with pytest.raises(TrustStoreError, match=match):
        TrustStore.empty().add(sender_key.public_jwk(), **args)  # type: ignore[arg-type]


def _write(path: Path, keys: list[object]) -> Path:
    path.write_text(json.dumps({"keys": keys}))
    return path


@pytest.mark.parametrize(
    ("certhub", "match"),
    [
        (None, "missing 'certhub'"),
        ({"sender": SENDER}, "may_send"),
        ({"sender": "bad id!", "may_send": []}, "sender"),
        ({"sender": SENDER, "may_send": [REPORT], "may_read": "yes"}, "may_read"),
        ({"sender": SENDER, "may_send": [REPORT], "revoked": 0}, "revoked"),
        ({"sender": SENDER, "may_send": [REPORT], "not_after": "tomorrow"}, "not_after"),
        ({"sender": SENDER, "may_send": [REPORT], "not_after": "2026-01-01T00:00"}, "timezone"),
        ({"sender": SENDER, "may_send": [REPORT], "may_sent": [REPORT]}, "may_sent"),
    ],
)
def test_corrupt_entry_is_named(
    tmp_path: Path, store: TrustStore, sender_key: SigningKey, certhub: object, match: str
) -> None:
    good = next(iter(store)).to_jwk()
    bad = {**SigningKey.generate().public_jwk(), "kid": "bad-kid"}
    if certhub is not None:
        bad["certhub"] = certhub  # type: ignore[assignment]
    path = _write(tmp_path / "t.json", [good, bad])
    with pytest.raises(TrustStoreError, match=rf"entry 1 \(kid 'bad-kid'\).*{match}"):
        TrustStore.load(path)


def test_bad_key_material_is_named(tmp_path: Path, store: TrustStore) -> None:
    good = next(iter(store)).to_jwk()
    bad = {**good, "kid": "k2", "x": "AAAA"}
    with pytest.raises(TrustStoreError, match=r"entry 1 \(kid 'k2'\)"):
        TrustStore.load(_write(tmp_path / "t.json", [good, bad]))


def test_duplicate_kid_in_file_refused(tmp_path: Path, store: TrustStore) -> None:
    good = next(iter(store)).to_jwk()
    with pytest.raises(TrustStoreError, match=r"entry 1.*duplicate"):
        TrustStore.load(_write(tmp_path / "t.json", [good, good]))


@pytest.mark.parametrize(
    "content", [b"", b"[]", b'{"keys": {}}', b'{"keys": [], "keys": []}', b"\xff"]
)
def test_unusable_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(content)
    with pytest.raises(TrustStoreError):
        TrustStore.load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TrustStoreError, match="cannot read"):
        TrustStore.load(tmp_path / "absent.json")


def test_save_is_atomic_and_leaves_no_temp(store: TrustStore, tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text("old")
    store.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["trust.json"]
    assert len(TrustStore.load(path)) == 1


def test_a_revocation_keeps_when_it_was_made(
    store: TrustStore, sender_key: SigningKey, tmp_path: Path
) -> None:
    """``revoked_at`` is saved with the revocation and survives a reload, a second
    revocation and the key re-added; a store written before it was kept loads without it."""
    path = tmp_path / "trust.json"
    store.save(path)
    older = TrustStore.load(path)
    assert "revoked_at" not in path.read_text(encoding="utf-8")  # not written for a live key
    first = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    revoked = older.revoke(sender_key.kid, at=first)
    again = revoked.revoke(sender_key.kid, at=datetime(2026, 3, 9, tzinfo=UTC))
    readded = again.add(sender_key.public_jwk(), sender=SENDER, may_send=[REPORT])
    readded.save(path)
    entry = TrustStore.load(path).get(sender_key.kid)
    assert entry is not None
    assert (entry.revoked, entry.revoked_at) == (True, first)
    unknown = json.loads(path.read_text(encoding="utf-8"))
    del unknown["keys"][0]["certhub"]["revoked_at"]  # revoked by a hub that kept no time
    path.write_text(json.dumps(unknown), encoding="utf-8")
    entry = TrustStore.load(path).get(sender_key.kid)
    assert entry is not None
    assert (entry.revoked, entry.revoked_at) == (True, None)
    assert TrustStore.load(path).revoke(sender_key.kid).get(sender_key.kid) == entry
