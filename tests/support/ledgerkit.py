"""Ledger records for store tests that ``certhub audit verify`` must accept."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from certhub.hub.store import Conflict, NewMessage, OverpaymentRow, RecordKind
from certhub.hub.store.accountability_reads import RecoveryReads
from certhub.hub.store.effects import Effects, HubRecord, ItemOpen
from certhub.hub.store.overpayment_effects import (
    OverpaymentChange,
    OverpaymentExtension,
    OverpaymentWrite,
    RecoveryWrite,
)
from certhub.security import SigningKey, sign_compact


def unsigned_message(
    n: int, *, jws: bytes | None = None, received_at: datetime | None = None, **fields: Any
) -> NewMessage:
    """The ``n``-th message of a store test: id ``m{n}``, JWS ``token-{n}`` (not really signed).

    A report by ``city`` with an empty payload, received now; ``fields`` replace any attribute.
    """
    jws = jws or f"token-{n}".encode()
    base = NewMessage(
        kind=RecordKind.REPORT,
        message_type="eligibility_report/v1",
        sender="city",
        message_id=f"m{n}",
        kid="kid",
        sha256=hashlib.sha256(jws).hexdigest(),
        jws=jws,
        payload=b"{}",
        received_at=received_at or datetime.now(UTC),
    )
    return dataclasses.replace(base, **fields)


def message_series(start: datetime, **fields: Any) -> Callable[[int], NewMessage]:
    """A test's messages one second apart: the ``n``-th is :func:`unsigned_message` ``n``
    received ``n`` seconds after ``start``, with ``fields``."""
    return lambda n: unsigned_message(n, received_at=start + timedelta(seconds=n), **fields)


T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
"""When a store money test's first message arrives."""

decision = message_series(
    T0, kind=RecordKind.DECISION, message_type="decision/v1", sender="county-1", payload=b"{}"
)
"""The ``n``-th message of a store money test: a county's ``decision/v1``, ``n`` s after T0."""

overpayment_outcome = message_series(
    T0, kind=RecordKind.OUTCOME, message_type="overpayment/v1", sender="hub"
)
"""The ``n``-th message of a store money test: the hub's ``overpayment/v1`` outcome, ``n`` s
after T0."""


def hub_record(n: int, **fields: Any) -> HubRecord:
    """The ``n``-th record the hub signs in a store test: id ``o{n}``, JWS ``hub-{n}`` (not
    really signed), a task state about ``P1`` of 440103; ``fields`` replace any attribute."""
    base = HubRecord(
        message_type="task_state/v1",
        sender="hub",
        kid="hub-kid",
        message_id=f"o{n}",
        sha256=f"{n:064x}",
        jws=f"hub-{n}".encode(),
        payload=b"{}",
        county="440103",
        reason=None,
        period="2024-03",
        person_id="P1",
    )
    return dataclasses.replace(base, **fields)


def bank_recovery(
    cents: int,
    expected: int,
    total: int,
    status: str,
    ref: str | None,
    *,
    amount: int | None = None,
) -> Effects:
    """Task t1's overpayment: ``cents`` recovered by a bank reversal on 2026-11-20 (its
    reference ``ref``), planned on ``expected`` recovered so far (and, given, an overpayment
    of ``amount`` cents), ``total`` and ``status`` after it."""
    change = OverpaymentChange(
        "t1", "recovered", expected, total, status, expected_amount_cents=amount
    )
    return Effects(
        recovery=RecoveryWrite("t1", cents, "bank_reversal", "2026-11-20", ref),
        overpayment_change=change,
    )


def overpayment(months: int, amount: str) -> Effects:
    """Task t1's overpayment of 440103199001011234 (county 440103, period 2026-11): ``months``
    months overpaid, ``amount`` in all."""
    over = OverpaymentWrite("t1", "440103199001011234", "440103", "2026-11", months, amount)
    return Effects(overpayments=(over,))


def months_added(months: int, cents: int, expected: int, recovered: int, status: str) -> Effects:
    """``months`` months (``cents``) added to task t1's overpayment, planned on an amount of
    ``expected`` cents and ``recovered`` so far; ``status`` after it."""
    grown = OverpaymentExtension("t1", months, cents, expected, recovered, status)
    return Effects(overpayment_extension=grown)


WRITE_OFF_ASKED = OverpaymentChange("t1", "write_off_requested", 0, 0, "pending")
"""Task t1's balance asked to be written off (nothing recovered), still pending."""


async def write_off_asked(ledger: Any, message: NewMessage) -> int:
    """Task t1's balance asked to be written off with ``message``: the review item's sequence."""
    made = await ledger.append(
        message, receipt, Effects(item=ItemOpen("write_off"), overpayment_change=WRITE_OFF_ASKED)
    )
    return int(made.record.sequence)


async def overpayment_row(ledger: RecoveryReads, task_id: str = "t1") -> OverpaymentRow:
    """The ledger's overpayment row of ``task_id``, which must be there."""
    row = await ledger.get_overpayment(task_id)
    assert row is not None, f"no overpayment of {task_id}"
    return row


def receipt(sequence: int) -> str:
    """The receipt a store test hands the ledger for ``sequence``."""
    return f"receipt-{sequence}"


def signed_zero_report(n: int, key: SigningKey, sender: str = "city") -> NewMessage:
    """The ``n``-th zero report of ``sender``, really signed with ``key`` (message id ``m{n}``)."""
    payload = json.dumps({"n": n}).encode()
    jws = sign_compact(payload, key=key, typ="zero_report/v1", sender=sender, jti=f"m{n}")
    return NewMessage(
        kind=RecordKind.REPORT,
        message_type="zero_report/v1",
        sender=sender,
        message_id=f"m{n}",
        kid=key.kid,
        sha256=hashlib.sha256(jws).hexdigest(),
        jws=jws,
        payload=payload,
        received_at=datetime.now(UTC),
    )


async def refused(ledger: Any, message: NewMessage, effects: Any, slug: str) -> None:
    """Appending ``message`` with ``effects`` is refused as ``slug``, and writes nothing."""
    before = await ledger.count()
    with pytest.raises(Conflict) as caught:
        await ledger.append(message, receipt, effects)
    assert caught.value.slug == slug
    assert await ledger.count() == before
