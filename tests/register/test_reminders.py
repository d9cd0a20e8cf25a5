"""Certification reminders on both backends: at most N per cycle, once each, before it ends."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ledger_backends import Ledger
from registerkit import VILLAGE, certify, resident_id

from certhub.hub.register.reminders import ReminderSweep

X, Y, Z, W, V, U = (resident_id(n) for n in range(1, 7))


async def scene(ledger: Any) -> None:
    rows = [
        (who, "2026-12-01T00:00:00+08:00", b"{}", VILLAGE, "欧阳娜娜", status, since)
        for who, status, since in [
            (X, "active", None),
            (Y, "active", None),
            (Z, "active", None),
            (W, "active", None),
            (V, "suspended", "2026-12-01"),
            (U, "active", None),
        ]
    ]
    await ledger.import_roster(rows)
    for n, (who, day) in enumerate(
        [
            (X, date(2026, 3, 10)),  # due 2027-03
            (Y, date(2026, 4, 1)),  # due 2027-04
            (Z, date(2026, 6, 1)),  # due 2027-06
            (W, date(2026, 1, 31)),  # due 2027-01: overdue by February
            (V, date(2026, 3, 1)),  # due 2027-03, but suspended
        ],
        start=1,
    ):
        await certify(ledger, n, who, day)


async def notices(ledger: Any) -> list[tuple[str, str, str, str]]:
    return list(await ledger.pending_notices(100))


async def test_two_per_cycle_the_month_before_and_the_due_month(ledger: Ledger) -> None:
    await scene(ledger)
    sweep = ReminderSweep(ledger, per_cycle=2)
    assert await sweep.sweep(date(2027, 2, 15)) == 1  # X: the month before its due month
    assert await sweep.sweep(date(2027, 2, 28)) == 0  # once
    assert await sweep.sweep(date(2027, 3, 1)) == 2  # X in its due month, Y the month before
    assert await sweep.sweep(date(2027, 3, 31)) == 0
    assert await sweep.sweep(date(2027, 4, 1)) == 1  # Y; X is overdue now: no more reminders
    sent = await notices(ledger)
    assert sorted((n[1], n[0].split(":")[1], n[0].split(":")[2]) for n in sent) == [
        (X, "2027-03", "1"),
        (X, "2027-03", "2"),
        (Y, "2027-04", "1"),
        (Y, "2027-04", "2"),
    ]
    text = sent[0][3]
    assert "2027年3月底前" in text or "2027年4月底前" in text
    assert "欧**" in text  # the name masked
    for notice_id, person, kind, body in sent:
        assert kind == "certification_reminder"
        assert person not in notice_id  # never an ID number
        assert person not in body
    outbox = await ledger._read("SELECT destination, payload FROM outbox", ())
    assert len(outbox) == 4
    assert {str(d) for d, _ in outbox} == {"sms"}
    assert {json.loads(bytes(p))["kind"] for _, p in outbox} == {"certification_reminder"}
    audit = await ledger._read("SELECT count(*) FROM audit WHERE action = 'register_reminder'", ())
    assert int(str(audit[0][0])) == 4


async def test_a_certification_starts_the_count_again(ledger: Ledger) -> None:
    await scene(ledger)
    sweep = ReminderSweep(ledger, per_cycle=1)
    assert await sweep.sweep(date(2027, 3, 5)) == 1  # X (one per cycle: in the due month)
    assert await sweep.sweep(date(2027, 3, 6)) == 0
    await certify(ledger, 9, X, date(2026, 12, 1))  # earlier in time: due 2027-12 now
    assert await sweep.sweep(date(2027, 12, 1)) == 1  # a new cycle: one more
    assert await sweep.sweep(date(2027, 12, 2)) == 0


async def test_a_hub_that_starts_late_sends_one_not_two(ledger: Ledger) -> None:
    await scene(ledger)
    sweep = ReminderSweep(ledger, per_cycle=3)
    assert await sweep.sweep(date(2027, 3, 1)) == 2  # X (slot 3 of 3) and Y (slot 2): one each
    assert await sweep.sweep(date(2027, 3, 2)) == 0  # the missed slots are not sent late
    assert len(await notices(ledger)) == 2
    assert await ReminderSweep(ledger, per_cycle=0).sweep(date(2027, 5, 1)) == 0
