"""A certification's rows written out beforehand are the rows the full way writes.

:mod:`certhub.hub.comparison.bulk_rows` validates, serialises, signs and
writes out each certification's rows but for its sequence (in a worker
process, or here); the recorder checks each batch's first and last record
against the planner and :func:`~certhub.hub.store.writes.plan`, and sends a
batch whose rows differ the full way. Here every record is compared so, with
and without an uplink, and the check is shown to catch a difference.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from certhub.hub.comparison import bulk_record, bulk_rows
from certhub.hub.comparison.bulk_rows import CertificationRows, Refused
from certhub.hub.comparison.certify import certification_event, event_payload, message_id
from certhub.hub.comparison.signing import BatchSigner, Header, Queued
from certhub.hub.ingress.pipeline import ledger_message
from certhub.hub.procedure.register_entry import register_entry
from certhub.hub.procedure.tasks import notice_write
from certhub.hub.rules.comparison import exempt_notice
from certhub.hub.store import RecordKind, outbox, register, writes
from certhub.hub.store.bulk_append import planned_rows
from certhub.hub.store.effects import Effects
from certhub.security import (
    CompactJWS,
    SigningKey,
    TrustedKey,
    VerifiedMessage,
    sign_compact,
    write_private_key,
)

from .test_bulk_guards import PERIOD, ROWS, SENDER, TYP, Planner

NOW = datetime(2026, 11, 3, 8, 30, 15, 250_000, tzinfo=UTC)
HEADER = Header(TYP, SENDER, int(NOW.timestamp()))
UPLINK = ("ministry", "push_certification")  # what the test planner pushes upward


def _read(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``row`` as the bulk path reads it (``bulk_rows.SELECT``): the day and sources as text."""
    *person, seen, sources = row
    return (*person, seen.isoformat(), json.dumps(sources, default=str, ensure_ascii=False))


def _work() -> list[tuple[str, tuple[Any, ...]]]:
    return [(message_id(PERIOD, row[0]), _read(row)) for row in ROWS]


def _verified(key: SigningKey, rows: CertificationRows) -> VerifiedMessage:
    """The message as verifying ``rows``' token gives it."""
    head, _, signature = rows.jws.rpartition(b".")
    header = {"alg": key.alg, "kid": key.kid, "typ": TYP, "iat": HEADER.iat}
    header |= {"jti": rows.message_id, "iss": SENDER}
    trusted = TrustedKey(key.verifying_key(), SENDER, frozenset({TYP}), role="department")
    jws = CompactJWS(header, rows.payload, signature, head)
    return VerifiedMessage(jws, trusted, rows.jws, hashlib.sha256(rows.jws).hexdigest())


def _register_and_notice(message: VerifiedMessage, event: Any) -> Effects:
    """The planner's effects for a comparison certification without an uplink."""
    notice = notice_write(exempt_notice(event, message.jti))
    return Effects(notices=(notice,), certified=register_entry(event))


@pytest.mark.parametrize("uplink", [False, True])
async def test_each_records_rows_are_the_full_ways_rows(uplink: bool) -> None:
    key = SigningKey.generate()
    prepared = bulk_rows.prepare(key, PERIOD, HEADER, NOW, _work())
    assert [p.message_id for p in prepared] == [mid for mid, _ in _work()]
    for row, rows in zip(ROWS, prepared, strict=True):
        assert isinstance(rows, CertificationRows)
        event = certification_event(PERIOD, row)
        assert rows.payload == event_payload(event)
        assert rows.jws == sign_compact(
            rows.payload, key=key, typ=TYP, sender=SENDER, jti=rows.message_id, iat=HEADER.iat
        )
        message = _verified(key, rows)
        if uplink:
            effects = await Planner()(message, event)
        else:
            effects = _register_and_notice(message, event)
        full = planned_rows(
            41, ledger_message(message, event, RecordKind.CERTIFICATION, NOW), effects
        )
        written = bulk_record._uplinked(rows, UPLINK) if uplink else rows
        assert written.rows(41) == full
        ledger, statements = full
        assert (ledger[0], ledger[9], ledger[13]) == (41, NOW.isoformat(), PERIOD)
        expected = [register.CERTIFIED, register.LINKED, writes.NOTICE_INSERT, outbox.INSERT]
        assert [sql for sql, _ in statements] == expected + [outbox.INSERT] * uplink


def test_a_row_the_schema_refuses_is_left_out_with_its_reason() -> None:
    work = _work()
    mid, row = work[1]
    work[1] = (mid, (row[0][:-1] + "1", *row[1:]))  # the check character no longer fits
    prepared = bulk_rows.prepare(SigningKey.generate(), PERIOD, HEADER, NOW, work)
    assert isinstance(prepared[0], Refused)
    assert prepared[0] == Refused(mid, "1 schema error(s)")
    assert [p.message_id for p in prepared[1:]] == [work[0][0], work[2][0], work[3][0]]
    assert all(isinstance(p, CertificationRows) for p in prepared[1:])


def _certifier(planner: Any) -> bulk_record.BulkCertifier:
    return bulk_record.BulkCertifier(None, None, None, planner, None)  # type: ignore[arg-type]


async def _checked(planner: Any, key: SigningKey) -> list[CertificationRows] | None:
    prepared = bulk_rows.prepare(key, PERIOD, HEADER, NOW, _work())
    certifications = [p for p in prepared if isinstance(p, CertificationRows)]
    nothing_queued = Queued(key, bulk_rows.prepare_packed, (), [], [])  # _checked reads the rows
    batch = bulk_record._Batch(PERIOD, _work(), NOW, nothing_queued)
    trusted = _verified(key, certifications[0])
    return await _certifier(planner)._checked(batch, certifications, trusted)


async def test_a_batch_goes_as_its_rows_when_the_planner_gives_them() -> None:
    planner = Planner()
    checked = await _checked(planner, SigningKey.generate())
    assert checked is not None
    assert planner.calls == 2  # the first and the last record
    assert all(c.uplink is not None and c.uplink[1:] == UPLINK for c in checked)


async def test_rows_that_differ_from_the_full_ways_send_the_batch_the_full_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = SigningKey.generate()
    rows = CertificationRows.rows

    def stale(self: CertificationRows, sequence: int) -> Any:
        ledger, statements = rows(self, sequence)
        return ledger, statements[:-1]  # a statement the planner's effects now have, missed

    monkeypatch.setattr(CertificationRows, "rows", stale)
    assert await _checked(Planner(), key) is None


@pytest.mark.parametrize("odd", [0, 3])  # the first or the last record decides otherwise
async def test_a_planner_deciding_otherwise_sends_the_batch_the_full_way(odd: int) -> None:
    planner = Planner(also=ROWS[odd][0])
    assert await _checked(planner, SigningKey.generate()) is None


async def test_a_worker_process_prepares_what_this_process_prepares(tmp_path: Path) -> None:
    key = SigningKey.generate()
    write_private_key(key, tmp_path / "comparison.key")
    signer = BatchSigner(key, tmp_path / "comparison.key", workers=1)
    try:
        there = await signer.map(bulk_rows.prepare, (PERIOD, HEADER, NOW), _work())
    finally:
        signer.close()
    assert there == bulk_rows.prepare(key, PERIOD, HEADER, NOW, _work())
