"""Signed audit checkpoints and the offline verifier behind ``certhub audit verify``.

The verifier trusts nothing in the database: it recomputes every link of the
hash chain, checks each signed checkpoint against the hub's public keys and
the chain, and re-verifies every stored JWS — senders' messages against the
trust store, the hub's own records against the hub's keys — and that each
record's digest and payload are the signed ones, its receipt the hub's for it,
and an audit link appended it. The signature checks, the
bulk of the work, run on several processes (``workers``) while the ledger is
read, and progress is reported as they go.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from certhub.hub.store import LedgerRecord, LedgerStore, RecordKind
from certhub.hub.store.audit_chain import GENESIS, AuditEntry, first_broken
from certhub.security import (
    SecurityError,
    SigningKey,
    TrustStore,
    VerifyingKey,
    parse_compact,
    sign_compact,
)

CHECKPOINT_TYPE = "audit_checkpoint/v1"
PAGE = 1000


def checkpoint_signer(key: Callable[[], SigningKey], hub_id: str) -> Callable[[int, str], str]:
    """Signs the chain head as a compact JWS (typ ``audit_checkpoint/v1``)."""

    def sign(seq: int, head: str) -> str:
        payload = json.dumps({"type": CHECKPOINT_TYPE, "audit_seq": seq, "hash": head}).encode()
        token = sign_compact(
            payload, key=key(), typ=CHECKPOINT_TYPE, sender=hub_id, jti=f"checkpoint:{seq}"
        )
        return token.decode("ascii")

    return sign


@dataclass
class AuditReport:
    """What ``audit verify`` found."""

    entries: int = 0
    records: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing broken."""
        return not self.problems


async def verify_ledger(
    store: LedgerStore,
    *,
    trust: TrustStore,
    hub_keys: Mapping[str, VerifyingKey],
    workers: int = 1,
    progress: Progress | None = None,
) -> AuditReport:
    """Check the whole chain, every checkpoint and every stored JWS.

    ``workers`` processes check the records' signatures (the bulk of the
    work: one Ed25519 verification each) while this one reads the next
    pages; ``progress(done, total)`` is called as records are checked.
    """
    report = AuditReport()
    heads, broken_at = await _verify_chain(store, report)
    await _verify_checkpoints(store, heads, broken_at, hub_keys, report)
    await _verify_records(store, trust, hub_keys, report, workers=workers, progress=progress)
    return report


Progress = Callable[[int, int], None]
"""Told (records checked, records in the ledger) as verification goes."""


async def _verify_chain(
    store: LedgerStore, report: AuditReport
) -> tuple[dict[int, str], int | None]:
    """Each verified entry's hash by sequence, and the first broken entry's sequence."""
    heads: dict[int, str] = {}
    prev, after = GENESIS, 0
    while batch := await store.audit_entries(after, PAGE):
        broken = first_broken(batch, prev)
        whole = batch if broken is None else [e for e in batch if e.seq < broken.seq]
        heads.update((entry.seq, entry.hash) for entry in whole)
        report.entries += len(whole)
        if broken is not None:
            report.problems.append(_describe(broken))
            return heads, broken.seq
        prev, after = batch[-1].hash, batch[-1].seq
    return heads, None


def _describe(entry: AuditEntry) -> str:
    return (
        f"audit entry {entry.seq} ({entry.action} {entry.subject} at {entry.at}) is broken:"
        " its hash or link does not match its content"
    )


async def _verify_checkpoints(
    store: LedgerStore,
    heads: Mapping[int, str],
    broken_at: int | None,
    hub_keys: Mapping[str, VerifyingKey],
    report: AuditReport,
) -> None:
    for seq, head, token in await store.audit_checkpoints():
        report.checkpoints += 1
        claims = _verified_payload(token.encode(), hub_keys)
        if claims is None or claims.get("audit_seq") != seq or claims.get("hash") != head:
            report.problems.append(f"checkpoint at audit entry {seq} is not validly signed")
        elif broken_at is not None and seq >= broken_at:
            continue  # past the first break the chain is unknown; that break is reported
        elif heads and heads.get(seq) != head:
            report.problems.append(f"checkpoint at audit entry {seq} disagrees with the chain")


async def _verify_records(
    store: LedgerStore,
    trust: TrustStore,
    hub_keys: Mapping[str, VerifyingKey],
    report: AuditReport,
    *,
    workers: int,
    progress: Progress | None,
) -> None:
    """Every record's signature, digest and ids, page by page, in order.

    Pages go to the worker processes as they are read, at most two per
    worker waiting, and their findings are taken in page order: the report
    lists problems by ledger sequence, whatever the number of workers.
    Each record is also matched with the audit link that accepted it, so a
    record deleted, added or moved behind the chain's back is named.
    """
    senders = {entry.key.kid: entry.key.to_jwk() for entry in trust}
    hubs = {kid: key.to_jwk() for kid, key in hub_keys.items()}
    total = await store.count() if progress is not None else 0
    links = _Links(store)
    with _checker(workers, hubs, senders) as check:
        pending: deque[asyncio.Future[list[str]]] = deque()
        after = 0
        while batch := await store.page_all(after, PAGE):
            pending.append(check([_row(record, *await links.of(record)) for record in batch]))
            after = batch[-1].sequence
            if len(pending) >= 2 * workers:
                _take(await pending.popleft(), report, progress, total)
        while pending:
            _take(await pending.popleft(), report, progress, total)
    report.problems += (await links.of(None))[0]


RECORD_LINKS = frozenset({"message_accepted", "outcome_recorded"})
"""The audit actions that append a ledger record: subject its sequence, digest its JWS's."""


class _Links:
    """The record-appending audit links, read page by page beside the records (both ascend)."""

    def __init__(self, store: LedgerStore) -> None:
        self._store = store
        self._page: deque[AuditEntry] = deque()
        self._after = 0  # the last audit entry read
        self._done = False

    async def _next(self) -> AuditEntry | None:
        while not self._page and not self._done:
            batch = await self._store.audit_entries(self._after, PAGE)
            self._done = not batch
            self._after = batch[-1].seq if batch else self._after
            self._page.extend(e for e in batch if e.action in RECORD_LINKS)
        return self._page[0] if self._page else None

    async def of(self, record: LedgerRecord | None) -> tuple[tuple[str, ...], str]:
        """The records missing before ``record`` (None: after the last record), and the digest
        its audit link names ("" when none does)."""
        problems: list[str] = []
        while (link := await self._next()) is not None:
            linked = int(link.subject) if link.subject.isdigit() else -1
            if record is not None and linked > record.sequence:
                break
            self._page.popleft()
            if record is not None and linked == record.sequence:
                return tuple(problems), link.digest
            missing = f"ledger record {linked} is missing, though audit entry {link.seq} links it"
            problems.append(missing)
        return tuple(problems), ""


Row = tuple[int, bool, bytes, str, bytes, str, str, str, tuple[str, ...], str]
"""A record as the checkers get it: sequence, hub-signed, JWS, digest, payload, id, sender,
receipt (empty for the records the hub appends itself), the records found missing just
before it, the digest its audit link names ("" when none does)."""


def _row(record: LedgerRecord, missing: tuple[str, ...], linked: str) -> Row:
    return (
        record.sequence,
        record.kind is RecordKind.OUTCOME,
        record.jws,
        record.sha256,
        record.payload,
        record.message_id,
        record.sender,
        record.receipt,
        missing,
        linked,
    )


def _take(found: list[str], report: AuditReport, progress: Progress | None, total: int) -> None:
    report.records += int(found[0])
    report.problems += found[1:]
    if progress is not None:
        progress(report.records, total)


@contextlib.contextmanager
def _checker(
    workers: int, hubs: dict[str, dict[str, str]], senders: dict[str, dict[str, str]]
) -> Iterator[Callable[[list[Row]], asyncio.Future[list[str]]]]:
    """``check(rows)``: a future of [count, problems...], on ``workers`` processes or inline."""
    loop = asyncio.get_running_loop()
    if workers <= 1:
        _keys_for_checks(hubs, senders)

        def inline(rows: list[Row]) -> asyncio.Future[list[str]]:
            future: asyncio.Future[list[str]] = loop.create_future()
            future.set_result(_check_rows(rows))
            return future

        yield inline
        return
    # spawn: a fork would copy this process's threads' state (the store's reader threads)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_keys_for_checks, initargs=(hubs, senders)
    ) as pool:
        yield lambda rows: loop.run_in_executor(pool, _check_rows, rows)


_KEYS: dict[bool, dict[str, VerifyingKey]] = {}
"""The checking process's keys, by "hub-signed": set once per worker process."""


def _keys_for_checks(hubs: dict[str, dict[str, str]], senders: dict[str, dict[str, str]]) -> None:
    _KEYS[True] = {kid: VerifyingKey.from_jwk(jwk) for kid, jwk in hubs.items()}
    _KEYS[False] = {kid: VerifyingKey.from_jwk(jwk) for kid, jwk in senders.items()}


def _check_rows(rows: list[Row]) -> list[str]:
    """[how many rows, then each problem found] (a flat list pickles fastest)."""
    found = [str(len(rows))]
    for row in rows:
        found += row[8]
        problem = (
            _check_row(row, _KEYS[row[1]]) or _check_link(row) or _check_receipt(row, _KEYS[True])
        )
        if problem:
            found.append(f"ledger record {row[0]}: {problem}")
    return found


def _check_row(row: Row, keys: Mapping[str, VerifyingKey]) -> str | None:
    _, _, token, digest, payload, message_id, sender, _, _, _ = row
    if hashlib.sha256(token).hexdigest() != digest:
        return "stored digest does not match the stored JWS"
    try:
        jws = parse_compact(token)
    except SecurityError as exc:
        return f"stored JWS is malformed ({exc.detail})"
    key = keys.get(jws.kid)
    if key is None:
        return f"signed by key {jws.kid!r}, which is no longer known"
    if not key.verify(jws.signature, jws.signing_input):
        return "signature does not verify"
    if jws.payload != payload or jws.jti != message_id or jws.sender != sender:
        return "stored payload or ids differ from the signed ones"
    return None


def _check_link(row: Row) -> str | None:
    """The audit link that appended the record names its digest: it was not moved or added."""
    digest, linked = row[3], row[9]
    if not linked:
        return "no audit link names it"
    if linked != digest:
        return "the audit link that appended it names another digest"
    return None


def _check_receipt(row: Row, hub_keys: Mapping[str, VerifyingKey]) -> str | None:
    """The stored receipt is the hub's, and for this record: it is what a re-send gets back."""
    sequence, _, _, digest, _, message_id, sender, receipt, _, _ = row
    if not receipt:
        return None
    claims = _verified_payload(receipt.encode(), hub_keys)
    if claims is None:
        return "stored receipt does not verify"
    signed = (claims.get("ledger_sequence"), claims.get("sha256"))
    if signed != (sequence, digest) or (claims.get("message_id"), claims.get("sender")) != (
        message_id,
        sender,
    ):
        return "stored receipt is not this record's"
    return None


def _verified_payload(token: bytes, keys: Mapping[str, VerifyingKey]) -> dict[str, Any] | None:
    try:
        jws = parse_compact(token)
    except SecurityError:
        return None
    key = keys.get(jws.kid)
    if key is None or not key.verify(jws.signature, jws.signing_input):
        return None
    claims: dict[str, Any] = json.loads(jws.payload)
    return claims
