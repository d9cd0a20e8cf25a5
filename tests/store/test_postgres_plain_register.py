"""PostgreSQL: certifications pushed together are stored in bulk, register writes included.

Each pushed certification carries its register write and its uplink delivery
in the same transaction. Several of them in one group commit go through the
executor's bulk path (:func:`~certhub.hub.store.postgres.bulk.append_plain`:
one ``unnest`` statement per table), not one savepoint each, and write the
register rows the cycle rule gives — the expected rows below are worked out
by hand from :mod:`certhub.hub.rules.cycle`'s rule (a certification 12 or
more months after the record's month opens a new cycle; an earlier one is
linked to the record; the latest day sets the due month, 12 months on).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from ledgerkit import receipt, unsigned_message

from certhub.hub.store import AppendOutcome, RecordKind
from certhub.hub.store.effects import Effects, OutboxWrite, RegisterCertification
from certhub.hub.store.postgres import PostgresLedger, commit

# (person, day, month index = year * 12 + month - 1, area, name)
CERTIFICATIONS = [
    ("440103192611180019", "2025-03-10", 2025 * 12 + 2, "440103010025", "冯艳"),
    ("440104193001010016", "2026-10-09", 2026 * 12 + 9, "440104", "李明"),
    ("440105194502020021", "2026-10-11", 2026 * 12 + 9, "440105001001", "陈静"),
    ("440106195003030034", "2026-09-30", 2026 * 12 + 8, "440106", "王强"),
    # the first person again: 19 months on, a new cycle (the record moves)
    ("440103192611180019", "2026-10-02", 2026 * 12 + 9, "440103010025", "冯艳"),
    # ... and once more in the same cycle: linked to that new record
    ("440103192611180019", "2026-10-20", 2026 * 12 + 9, "440103010025", "冯艳"),
]


def _certification(n: int) -> tuple[Any, Effects]:
    person, day, month, area, name = CERTIFICATIONS[n - 1]
    message = unsigned_message(
        n,
        kind=RecordKind.CERTIFICATION,
        message_type="certification_event/v1",
        sender="app",
        person_id=person,
        payload=f'{{"n": {n}}}'.encode(),
    )
    certified = RegisterCertification(person, day, month, "face", "app", area, name)
    uplink = OutboxWrite(f"uplink:{n}", "ministry", "push_certification", message.payload)
    return message, Effects(outbox=(uplink,), certified=certified)


async def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    conn = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await conn.fetch(sql)]
    finally:
        await conn.close()


async def test_pushed_certifications_of_one_group_commit_are_stored_in_bulk(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []
    one_by_one: list[object] = []
    real_plain, real_job = commit.append_plain, commit.run_job

    async def plain(group: Any, run: list[Any]) -> dict[int, object]:
        if run:
            runs.append(len(run))
        return await real_plain(group, run)

    async def job(group: Any, queued: Any) -> object:
        one_by_one.append(queued)
        return await real_job(group, queued)

    monkeypatch.setattr(commit, "append_plain", plain)
    monkeypatch.setattr(commit, "run_job", job)
    ledger = await PostgresLedger.open(pg_url)
    try:
        first = await ledger.append(*_pushed(1))  # alone: the first cycle of the first person
        rest = await asyncio.gather(*(ledger.append(*_pushed(n)) for n in range(2, 7)))
    finally:
        await ledger.aclose()

    assert all(isinstance(o, AppendOutcome) and o.created for o in [first, *rest])
    assert [o.record.sequence for o in [first, *rest]] == [1, 2, 3, 4, 5, 6]
    assert not one_by_one  # no certification took the savepoint path
    # one group commit: a run of 2–5, then the first person's second certification of the
    # cycle starts a run of its own (one upsert of a row per statement)
    assert runs == [1, 4, 1], runs

    people = await _rows(
        pg_url,
        "SELECT person_id, area, name, last_on, last_method, last_channel, last_sequence,"
        " record_sequence, record_month, due_month FROM register_people ORDER BY person_id",
    )
    assert people == [
        ("440103192611180019", "440103010025", "冯艳", "2026-10-20", "face", "app",
         6, 5, 2026 * 12 + 9, 2026 * 12 + 9 + 12),
        ("440104193001010016", "440104", "李明", "2026-10-09", "face", "app",
         2, 2, 2026 * 12 + 9, 2026 * 12 + 9 + 12),
        ("440105194502020021", "440105001001", "陈静", "2026-10-11", "face", "app",
         3, 3, 2026 * 12 + 9, 2026 * 12 + 9 + 12),
        ("440106195003030034", "440106", "王强", "2026-09-30", "face", "app",
         4, 4, 2026 * 12 + 8, 2026 * 12 + 8 + 12),
    ]  # fmt: skip
    linked = await _rows(
        pg_url,
        "SELECT sequence, person_id, certified_on, of_record FROM register_certifications"
        " ORDER BY sequence",
    )
    assert linked == [
        (1, "440103192611180019", "2025-03-10", 1),
        (2, "440104193001010016", "2026-10-09", 2),
        (3, "440105194502020021", "2026-10-11", 3),
        (4, "440106195003030034", "2026-09-30", 4),
        (5, "440103192611180019", "2026-10-02", 5),
        (6, "440103192611180019", "2026-10-20", 5),
    ]
    deliveries = await _rows(
        pg_url, "SELECT delivery_id, correlation_id, sequence FROM outbox ORDER BY sequence"
    )
    assert deliveries == [(f"uplink:{n}", str(n), n) for n in range(1, 7)]
    accepted = await _rows(
        pg_url, "SELECT subject FROM audit WHERE action = 'message_accepted' ORDER BY seq"
    )
    assert accepted == [(str(n),) for n in range(1, 7)]


def _pushed(n: int) -> tuple[Any, Any, Effects]:
    message, effects = _certification(n)
    return message, receipt, effects
