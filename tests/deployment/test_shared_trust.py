"""On PostgreSQL the trust store and enrolment codes are the deployment's; on SQLite, a folder's.

Two hub apps with SEPARATE data folders share one PostgreSQL database (as two
machines do): only process A's folder holds a trust store file, which it
folds into the database at start. Through the real HTTP API and the real CLI:
a key added with ``certhub trust add --database-url`` is accepted by both
within the reload interval and refused by both once revoked; an enrolment
code issued through A enrols a phone through B, whose key then works at A,
and a revocation through A is refused at B (401 ``key-revoked``). A SQLite
hub keeps both in its folder's files and leaves the tables empty.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from enrolkit import ENROLLERS, A, County, Phone, staff_trust_store
from procedurekit import PARTIES, Office
from prometheus_client import CollectorRegistry

from certhub.hub.cli.main import main as cli
from certhub.hub.core.keys import TRUST
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.hub.store.postgres.trust import DatabaseTrustStore, merged
from certhub.security import (
    SigningKey,
    TrustStore,
    TrustStoreError,
    issue_read_token,
)

DEPLOYMENT_KEY = bytes(range(32))
RELOAD = 0.25  # CERTHUB_TRUST_RELOAD_SECONDS of both processes
WITHIN = 2.0  # a change reaches every process by then (the interval, a loaded machine's slack)
PROBLEM = "urn:certhub:problem:"
Client = Any


def settings_for(tmp_path: Path, name: str, url: str | None) -> Settings:
    """A process's settings: its own data folder, the deployment's secrets and database."""
    data = tmp_path / name
    data.mkdir()
    if url is None:  # one process, one folder: its secrets in DATA/secrets, as ever
        return Settings(data_dir=data, identity_check="off", trust_reload_seconds=RELOAD)
    secrets_dir = tmp_path / "secrets"
    if not secrets_dir.exists():
        secrets_dir.mkdir(mode=0o700)
        (secrets_dir / "deployment.key").write_bytes(secrets.token_bytes(32))
        (secrets_dir / "deployment.key").chmod(0o600)
    return Settings(
        data_dir=data, secrets_dir=secrets_dir, database_url=url, identity_check="off",
        trust_reload_seconds=RELOAD,
    )  # fmt: skip


async def two_processes(
    aiohttp_client: Callable[..., Awaitable[Client]], tmp_path: Path, url: str
) -> tuple[Office, Office]:
    """Process A (its folder holds the trust store file) and B (no file), on one database;
    both offices hold the keys of every procedure party and the enrolling staff."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *ENROLLERS]}
    first = settings_for(tmp_path, "a", url)
    staff_trust_store(keys).save(first.trust_store_path)
    second = settings_for(tmp_path, "b", url)
    offices: list[Office] = []
    for settings in (first, second):  # A first: it folds its file into the database
        client = await aiohttp_client(create_app(settings, registry=CollectorRegistry()))
        offices.append(Office(client, settings, keys, counter=10_000 * len(offices)))
    return offices[0], offices[1]  # their signed messages' ids never meet (replays are global)


def slug(body: dict[str, Any]) -> str:
    return str(body.get("type", "")).removeprefix(PROBLEM)


async def read_status(office: Office, key: SigningKey, sender: str) -> int:
    """The status of one pull page read with a token ``sender`` signs."""
    token = issue_read_token(key, sender=sender)
    response = await office.client.get("/v1/reports", headers={"Authorization": f"Bearer {token}"})
    return int(response.status)


async def seconds_until(check: Callable[[], Awaitable[bool]], limit: float = 10.0) -> float:
    """How long until ``check()`` holds (polled every 20 ms); fails after ``limit`` seconds."""
    start = time.monotonic()
    while not await check():
        assert time.monotonic() - start < limit, "never happened"
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def run_cli(*argv: str) -> int:
    """``certhub ARGV`` in a thread (it runs its own event loop)."""
    return await asyncio.to_thread(cli, list(argv))


async def test_trust_add_and_revoke_by_cli_reach_both_processes_within_the_reload_interval(
    pg_database: str, aiohttp_client: Callable[..., Awaitable[Client]], tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    a, b = await two_processes(aiohttp_client, tmp_path, pg_database)
    keys = a.keys
    monkeypatch.setenv("CERTHUB_SECRETS_DIR", str(tmp_path / "secrets"))  # the deployment key
    # B has no trust file: it knows the province's key from A's file, through the database.
    assert not b.settings.trust_store_path.exists()
    assert await read_status(b, keys["province"], "province") == 200

    newcomer = SigningKey.generate()
    jwk_path = tmp_path / "newcomer.jwk.json"
    jwk_path.write_text(json.dumps(newcomer.public_jwk()))
    assert await read_status(a, newcomer, "newcomer") == 401
    assert await read_status(b, newcomer, "newcomer") == 401
    capsys.readouterr()
    assert await run_cli("trust", "add", str(jwk_path), "--sender", "newcomer", "--may-read",
                         "--database-url", pg_database) == 0  # fmt: skip
    assert f"trusted {newcomer.kid} for sender newcomer" in capsys.readouterr().out
    added = await asyncio.gather(
        seconds_until(lambda: _status_is(a, newcomer, 200)),
        seconds_until(lambda: _status_is(b, newcomer, 200)),
    )
    assert max(added) < WITHIN, added
    # The database holds it; neither folder's file does (B has none, A's is as provisioned).
    assert newcomer.kid not in {entry.kid for entry in TrustStore.load(a.settings.trust_store_path)}
    assert await run_cli("trust", "list", "--database-url", pg_database) == 0
    listed = capsys.readouterr().out
    assert f"{newcomer.kid}  newcomer  send=-  read=yes" in listed
    assert f"{keys['province'].kid}  province" in listed  # adopted from A's file

    assert await run_cli("trust", "revoke", newcomer.kid, "--database-url", pg_database) == 0
    refused = await asyncio.gather(
        seconds_until(lambda: _status_is(a, newcomer, 401)),
        seconds_until(lambda: _status_is(b, newcomer, 401)),
    )
    assert max(refused) < WITHIN, refused
    # Re-adding keeps it revoked, as in a file.
    assert await run_cli("trust", "add", str(jwk_path), "--sender", "newcomer", "--may-read",
                         "--database-url", pg_database) == 0  # fmt: skip
    assert "revoked: it stays revoked" in capsys.readouterr().out
    print(f"reload latency: add {max(added):.3f} s, revoke {max(refused):.3f} s")


async def _status_is(office: Office, key: SigningKey, status: int) -> bool:
    return await read_status(office, key, "newcomer") == status


async def test_a_code_issued_through_one_process_enrols_through_another_and_revocation_reaches_all(
    pg_database: str, aiohttp_client: Callable[..., Awaitable[Client]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    office_a, office_b = await two_processes(aiohttp_client, tmp_path, pg_database)
    a, b = County(office_a), County(office_b)
    status, issued = await a.request_code("county-x", village=A)
    assert status == 201, issued
    private = {**Phone().key.public_jwk(), "d": "AAAA"}  # a broken app sends its private key
    status, refused = await a.enrol(issued["code"], private)
    assert (status, slug(refused)) == (400, "enrolment-key-invalid")  # the code stays usable
    phone = Phone()
    status, enrolled = await b.enrol(issued["code"], phone.webcrypto_jwk())
    assert status == 201, enrolled
    phone.enrolled = enrolled
    # The code is used up for the whole deployment, not only at B.
    status, again = await a.enrol(issued["code"], Phone().webcrypto_jwk())
    assert (status, slug(again)) == (403, "enrolment-code-invalid")
    # B trusts the key at once; A within the reload interval.
    status, receipt = await b.push(phone, b.report(phone, A))
    assert status == 202, receipt

    async def accepted_at_a() -> bool:
        status, _ = await a.push(phone, a.report(phone, A))
        return status == 202

    latency = await seconds_until(accepted_at_a)
    assert latency < WITHIN
    for office in (office_a, office_b):  # in the database, in no folder's files
        assert not (office.settings.data_dir / "enrolment-codes.json").exists()
        assert not (office.settings.data_dir / "secrets" / "enrolment.key").exists()
    assert not office_b.settings.trust_store_path.exists()

    revocation = {"type": "key_revocation/v1", "kid": enrolled["kid"], "reason": "手机丢失"}
    status, body = await office_a.post("/v1/enrolments/revocations", "county-x", revocation)
    assert status == 200, body

    async def refused_at_b() -> bool:
        status, body = await b.push(phone, b.report(phone, A))
        return (status, slug(body)) == (401, "key-revoked")

    assert await seconds_until(refused_at_b) < WITHIN
    status, body = await a.push(phone, a.report(phone, A))
    assert (status, slug(body)) == (401, "key-revoked")  # A refuses it at once
    # The phone's reports verify in the audit from a machine with no folder of its own:
    # its key comes from the deployment's trust store (revoked now, but it signed them).
    monkeypatch.setenv("CERTHUB_SECRETS_DIR", str(tmp_path / "secrets"))
    empty = tmp_path / "auditor"
    empty.mkdir()
    assert await run_cli("audit", "verify", "--data", str(empty), "--database-url",
                         pg_database) == 0  # fmt: skip


async def test_a_code_the_cli_issues_into_the_database_enrols_through_any_process(
    pg_database: str, aiohttp_client: Callable[..., Awaitable[Client]], tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    office_a, office_b = await two_processes(aiohttp_client, tmp_path, pg_database)
    monkeypatch.setenv("CERTHUB_SECRETS_DIR", str(tmp_path / "secrets"))  # the deployment key
    capsys.readouterr()
    empty = tmp_path / "cli"  # a machine with no data folder of its own
    assert await run_cli("enrol", "issue", "--village", A, "--sender", "coord-cli",
                         "--data", str(empty), "--database-url", pg_database) == 0  # fmt: skip
    printed = capsys.readouterr().out
    code = printed.split()[1]
    assert "sender coord-cli" in printed
    assert not (empty / "enrolment-codes.json").exists()
    phone = Phone()
    status, enrolled = await County(office_b).enrol(code, phone.webcrypto_jwk())
    assert status == 201, enrolled
    assert enrolled["sender"] == "coord-cli"
    # The same sender cannot be asked for again, through the CLI or through A.
    assert await run_cli("enrol", "issue", "--village", A, "--sender", "coord-cli",
                         "--database-url", pg_database) == 2  # fmt: skip
    assert "already exists" in capsys.readouterr().err
    status, body = await County(office_a).request_code("county-x", village=A, sender="coord-cli")
    assert (status, slug(body)) == (400, "enrolment-request-invalid")


async def test_concurrent_enrolments_through_two_processes_all_stay(
    pg_database: str, aiohttp_client: Callable[..., Awaitable[Client]], tmp_path: Path
) -> None:  # the database is dropped after the processes stopped
    office_a, office_b = await two_processes(aiohttp_client, tmp_path, pg_database)
    counties = [County(office_a), County(office_b)]
    codes = []
    for n in range(8):
        status, issued = await counties[n % 2].request_code("county-x", village=A)
        assert status == 201, issued
        codes.append(issued["code"])
    phones = [Phone() for _ in codes]
    answers = await asyncio.gather(*(
        counties[n % 2].enrol(code, phone.webcrypto_jwk())
        for n, (code, phone) in enumerate(zip(codes, phones, strict=True))
    ))  # fmt: skip
    assert [status for status, _ in answers] == [201] * 8
    async with DatabaseTrustStore.connected(pg_database, tmp_deployment_key(tmp_path)) as shared:
        _, store = await shared.load()
    conn = await asyncpg.connect(pg_database)
    try:
        used = await conn.fetchval("SELECT count(*) FROM enrolment_codes WHERE used_at IS NOT NULL")
    finally:
        await conn.close()
    assert {phone.key.kid for phone in phones} <= {entry.kid for entry in store}
    assert used == 8
    for office in (office_a, office_b):  # and every process ends up with all of them
        await office.client.app[TRUST].refresh()
        assert all(office.client.app[TRUST].store.get(p.key.kid) for p in phones)


async def test_adopting_a_folder_file_twice_changes_nothing_and_revocations_win(
    pg_database: str,
) -> None:
    keys = {party: SigningKey.generate() for party in ["city", "bank", "late"]}
    folder = TrustStore.empty()
    for party in ("city", "bank"):
        folder = folder.add(keys[party].public_jwk(), sender=party, may_send=["zero_report/v1"])
    async with DatabaseTrustStore.connected(pg_database, DEPLOYMENT_KEY) as store:
        assert await store.adopt(folder) == 2
        assert await store.version() == 1
        assert await store.adopt(folder) == 0  # idempotent: no write, same version
        assert await store.version() == 1
        # The database narrows the city's rights; a stale file neither widens them back ...
        await store.edit(lambda s: s.add(keys["city"].public_jwk(), sender="city", may_send=[]))
        # ... nor undoes a revocation, while its own revocation and new keys are carried over.
        await store.edit(lambda s: s.revoke(keys["bank"].kid))
        stale = folder.add(keys["late"].public_jwk(), sender="late", may_send=["x/v1"])
        assert await store.adopt(stale) == 1
        version, now = await store.load()
        assert version == 4
        city, bank, late = (now.get(keys[p].kid) for p in ("city", "bank", "late"))
        assert city is not None
        assert city.may_send == frozenset()
        assert bank is not None
        assert bank.revoked
        assert late is not None
        assert not late.revoked
        assert await store.adopt(stale.revoke(keys["city"].kid)) == 1
        _, now = await store.load()
        assert now.get(keys["city"].kid).revoked  # type: ignore[union-attr]


async def test_a_row_written_without_the_deployment_key_is_refused_and_the_last_store_stays(
    pg_database: str, aiohttp_client: Callable[..., Awaitable[Client]], tmp_path: Path
) -> None:
    a, _ = await two_processes(aiohttp_client, tmp_path, pg_database)
    intruder = SigningKey.generate()
    entry = TrustStore.empty().add(
        intruder.public_jwk(), sender="province", may_send=[], may_read=True
    )
    row = json.dumps(entry.get(intruder.kid).to_jwk())  # type: ignore[union-attr]
    conn = await asyncpg.connect(pg_database)
    try:  # what a database administrator could do: a row with any tag, a higher version
        await conn.execute(
            "INSERT INTO trust_entries (kid, sender, jwk, revoked, tag, changed, updated_at)"
            " VALUES ($1, 'province', $2, false, $3, 1000, 0)",
            intruder.kid, row, "00" * 32,
        )  # fmt: skip
    finally:
        await conn.close()
    assert not await a.client.app[TRUST].refresh()  # refused: the previous store stays
    assert await read_status(a, intruder, "province") == 401
    assert await read_status(a, a.keys["province"], "province") == 200
    with pytest.raises(TrustStoreError, match=f"{intruder.kid}.*not written with this"):
        async with DatabaseTrustStore.connected(pg_database, tmp_deployment_key(tmp_path)) as s:
            await s.load()


def tmp_deployment_key(tmp_path: Path) -> bytes:
    """The deployment key :func:`settings_for` provisioned."""
    return (tmp_path / "secrets" / "deployment.key").read_bytes()


def test_merge_keeps_the_databases_entry_and_leaves_out_a_key_known_under_another_kid() -> None:
    key = SigningKey.generate()
    database = TrustStore.empty().add(key.public_jwk(), sender="city", may_send=["a/v1"])
    renamed = {**key.public_jwk(), "kid": "another-name"}
    folder = TrustStore.empty().add(renamed, sender="thief", may_send=["b/v1"])
    result = merged(database, folder)
    assert [(e.kid, e.sender, sorted(e.may_send)) for e in result] == [(key.kid, "city", ["a/v1"])]


async def test_a_sqlite_hub_keeps_codes_and_keys_in_its_folder_and_the_tables_empty(
    aiohttp_client: Callable[..., Awaitable[Client]], tmp_path: Path
) -> None:
    keys = {party: SigningKey.generate() for party in [*PARTIES, *ENROLLERS]}
    settings = settings_for(tmp_path, "solo", None)
    staff_trust_store(keys).save(settings.trust_store_path)
    client = await aiohttp_client(create_app(settings, registry=CollectorRegistry()))
    county = County(Office(client, settings, keys))
    phone = await county.enrolled_phone(A)
    assert TrustStore.load(settings.trust_store_path).get(phone.enrolled["kid"]) is not None
    assert (settings.data_dir / "enrolment-codes.json").exists()
    with sqlite3.connect(settings.data_dir / "ledger.sqlite3") as db:
        counts = [
            db.execute("SELECT count(*) FROM trust_entries").fetchone()[0],
            db.execute("SELECT count(*) FROM enrolment_codes").fetchone()[0],
        ]
    assert counts == [0, 0]


async def test_a_change_to_one_machines_trust_file_reaches_the_other_through_the_database(
    pg_database: str, aiohttp_client: Callable[..., Awaitable[Client]], tmp_path: Path
) -> None:
    a, b = await two_processes(aiohttp_client, tmp_path, pg_database)
    county = a.keys["county-1"]
    # An operator on A's machine edits its file the old way (no --database-url) ...
    late = SigningKey.generate()
    jwk_path = tmp_path / "late.jwk.json"
    jwk_path.write_text(json.dumps(late.public_jwk()))
    file = str(a.settings.trust_store_path)
    assert await run_cli("trust", "add", str(jwk_path), "--sender", "newcomer", "--may-read",
                         "--store", file) == 0  # fmt: skip
    assert await read_status(b, county, "county-1") == 200
    assert await run_cli("trust", "revoke", county.kid, "--store", file) == 0
    # ... A folds the new key and the revocation into the database, and B follows.
    await seconds_until(lambda: _status_is(b, late, 200))
    await seconds_until(lambda: _county_refused(b, county))


async def _county_refused(office: Office, key: SigningKey) -> bool:
    return await read_status(office, key, "county-1") == 401
