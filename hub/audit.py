"""Signed audit checkpoints and the offline verifier behind ``certhub audit verify``.

The verifier trusts nothing in the database: it recomputes every link of the
hash chain, checks each signed checkpoint against the hub's public keys and
the chain, and re-verifies every stored JWS — senders' messages against the
trust store, the hub's own records against the hub's keys — and that each
record's digest and payload are the signed ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
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
    store: LedgerStore, *, trust: TrustStore, hub_keys: Mapping[str, VerifyingKey]
) -> AuditReport:
    """Check the whole chain, every checkpoint and every stored JWS."""
    report = AuditReport()
    heads, broken_at = await _verify_chain(store, report)
    await _verify_checkpoints(store, heads, broken_at, hub_keys, report)
    await _verify_records(store, trust, hub_keys, report)
    return report


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
) -> None:
    senders = {entry.key.kid: entry.key for entry in trust}
    after = 0
    while batch := await store.page_all(after, PAGE):
        for record in batch:
            report.records += 1
            keys = hub_keys if record.kind is RecordKind.OUTCOME else senders
            problem = _check_record(record, keys)
            if problem:
                report.problems.append(f"ledger record {record.sequence}: {problem}")
        after = batch[-1].sequence


def _check_record(record: LedgerRecord, keys: Mapping[str, VerifyingKey]) -> str | None:
    if hashlib.sha256(record.jws).hexdigest() != record.sha256:
        return "stored digest does not match the stored JWS"
    try:
        jws = parse_compact(record.jws)
    except SecurityError as exc:
        return f"stored JWS is malformed ({exc.detail})"
    key = keys.get(jws.kid)
    if key is None:
        return f"signed by key {jws.kid!r}, which is no longer known"
    if not key.verify(jws.signature, jws.signing_input):
        return "signature does not verify"
    if jws.payload != record.payload or jws.jti != record.message_id or jws.sender != record.sender:
        return "stored payload or ids differ from the signed ones"
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
