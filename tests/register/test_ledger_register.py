"""The register kept by the ledger, in the append's transaction, on both backends.

Fixed vectors of 粤人社规〔2023〕4号's cycle: certified in month M → due month
M+12; the first passed certification of a cycle is of record, later ones less
than 12 months after it are linked, one in the due month or later opens the
next cycle; the last passed one sets the due month.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ledger_backends import Backend, Ledger
from registerkit import certify, person

from certhub.hub.rules.cycle import Certified, fold
from certhub.hub.rules.months import month_label


def label(index: int | None) -> str | None:
    return None if index is None else month_label(index)


async def test_three_channels_in_one_cycle_count_once(ledger: Ledger) -> None:
    who = person(1)
    app = await certify(ledger, 1, who, date(2026, 3, 2), method="face", channel="app_12333")
    bank = await certify(ledger, 2, who, date(2026, 3, 20), "fingerprint", "bank_terminal")
    data = await certify(ledger, 3, who, date(2026, 5, 9), "data_comparison", "department_data")
    row = await ledger.register_person(who)
    assert row is not None
    assert (row.record_sequence, label(row.record_month)) == (app, "2026-03")
    last = (row.last_sequence, row.last_on, row.last_method)
    assert last == (data, "2026-05-09", "data_comparison")
    assert label(row.due_month) == "2027-05"  # the last one moves the due month
    links = [(c.sequence, c.of_record) for c in await ledger.register_certifications(who)]
    assert links == [(app, app), (bank, app), (data, app)]
    summary = await ledger.register_summary(2026 * 12 + 4, "", None, counted_from=0)
    assert (summary["people_certified"], summary["certifications"]) == (1, 3)


async def test_the_due_month_is_the_twelfth_after_the_certification(ledger: Ledger) -> None:
    cases = {
        date(2026, 3, 31): "2027-03",  # last day of a month: still that month
        date(2026, 3, 1): "2027-03",
        date(2025, 12, 31): "2026-12",  # December: due next December
        date(2026, 1, 1): "2027-01",  # January after the year rolled
        date(2024, 2, 29): "2025-02",  # a leap day
    }
    for n, (day, due) in enumerate(cases.items(), start=1):
        await certify(ledger, n, person(n), day)
        row = await ledger.register_person(person(n))
        assert row is not None
        assert label(row.due_month) == due, day


async def test_late_at_night_counts_in_china_standard_time(ledger: Ledger) -> None:
    from datetime import time

    # 23:30 on 31 March in Guangdong is 15:30 UTC: March, not April, whatever the server's zone
    await certify(ledger, 1, person(1), date(2026, 3, 31), at=time(23, 30))
    row = await ledger.register_person(person(1))
    assert row is not None
    assert (row.last_on, label(row.due_month)) == ("2026-03-31", "2027-03")


async def test_the_eleventh_month_links_the_twelfth_opens_the_next_cycle(ledger: Ledger) -> None:
    early, dutiful = person(1), person(2)
    first = await certify(ledger, 1, early, date(2026, 3, 15))
    linked = await certify(ledger, 2, early, date(2027, 2, 28))  # 11 months later: same cycle
    record = await certify(ledger, 3, dutiful, date(2026, 3, 15))
    renewed = await certify(ledger, 4, dutiful, date(2027, 3, 1))  # in the due month: next cycle
    row = await ledger.register_person(early)
    assert row is not None
    assert (row.record_sequence, label(row.due_month)) == (first, "2028-02")
    assert [c.of_record for c in await ledger.register_certifications(early)] == [first, first]
    assert linked != first
    row = await ledger.register_person(dutiful)
    assert row is not None
    assert (row.record_sequence, label(row.record_month), label(row.due_month)) == (
        renewed,
        "2027-03",
        "2028-03",
    )
    assert [c.of_record for c in await ledger.register_certifications(dutiful)] == [
        record,
        renewed,
    ]
    # statistics count people per cycle: one record in 2026, one in 2027 for the dutiful one
    march_2026 = 2026 * 12 + 2
    first = await ledger.register_summary(march_2026 + 11, "", None)  # 2026-03 .. 2027-02
    later = await ledger.register_summary(march_2026 + 23, "", None)  # 2027-03 .. 2028-02
    assert (first["people_certified"], first["certifications"]) == (2, 3)
    assert (later["people_certified"], later["certifications"]) == (1, 1)


async def test_an_older_certification_recorded_late_never_moves_the_due_month_back(
    ledger: Ledger,
) -> None:
    who = person(1)
    record = await certify(ledger, 1, who, date(2026, 6, 10))
    await certify(ledger, 2, who, date(2026, 5, 1), "fingerprint", "bank_terminal")  # sent late
    row = await ledger.register_person(who)
    assert row is not None
    last = (row.last_sequence, row.last_on, label(row.due_month))
    assert last == (record, "2026-06-10", "2027-06")
    assert [c.of_record for c in await ledger.register_certifications(who)] == [record, record]


async def test_the_ledger_and_the_pure_rule_agree_on_random_histories(ledger: Ledger) -> None:
    rng = random.Random(17)
    histories: dict[str, list[Certified]] = {}
    n = 0
    for p in range(1, 13):
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 365))
        for _ in range(rng.randrange(1, 7)):
            n += 1
            who = person(p)
            sequence = await certify(ledger, n, who, day)
            histories.setdefault(who, []).append(Certified(sequence, day))
            # mostly forward, sometimes back (a channel sending late)
            day += timedelta(days=rng.randrange(-40, 420))
    for who, history in histories.items():
        expected = fold(history)
        row = await ledger.register_person(who)
        assert expected is not None
        assert row is not None
        assert (row.record_sequence, row.record_month) == (expected.record, expected.record_month)
        assert (row.last_sequence, row.due_month) == (expected.last.sequence, expected.due)
        links = [(c.sequence, c.of_record) for c in await ledger.register_certifications(who)]
        assert links == list(expected.links)


async def test_an_existing_ledger_is_backfilled_by_the_same_rule(ledger_factory: Backend) -> None:
    import dataclasses
    import json

    from ledgerkit import receipt, unsigned_message
    from registerkit import certification

    from certhub.hub.store import RecordKind
    from certhub.hub.store.effects import NO_EFFECTS, Effects, ItemOpen, RosterWrite
    from certhub.hub.store.register_tables import REGISTER
    from certhub.hub.store.tables import LADDER

    ledger = await ledger_factory.open()
    a, b, c = person(1), person(2), person(3)
    plain = [  # (person, day, method, channel) appended with no register effect (an older hub)
        (a, date(2025, 12, 31), "face", "app_12333"),
        (a, date(2026, 1, 5), "fingerprint", "bank_terminal"),
        (a, date(2026, 12, 1), "data_comparison", "department_data"),
        (b, date(2026, 4, 2), "face", "app_gdrs"),
    ]
    sequences = []
    for n, (who, day, method, channel) in enumerate(plain, start=1):
        record = (await ledger.append(certification(n, who, day, method, channel), receipt)).record
        sequences.append(record.sequence)
    failed = dataclasses.replace(certification(10, b, date(2026, 9, 1)), outcome="failed")
    await ledger.append(failed, receipt)
    waiting = certification(11, c, date(2026, 2, 1), "counter", "counter")  # never approved
    await ledger.append(waiting, receipt, Effects(item=ItemOpen("certification")))
    approved = certification(12, b, date(2026, 8, 8), "home_visit", "home_visit")
    visit = await ledger.append(approved, receipt, Effects(item=ItemOpen("certification")))
    snapshot = {
        "person": {"id_number": c, "name": "李四", "region": {"county": "440104"}},
        "status": "suspended",
        "suspended_since": "2025-06-01",
    }
    roster = unsigned_message(20, kind=RecordKind.ROSTER, message_type="benefit_record/v1")
    write = RosterWrite(c, "2026-11-01T00:00:00+08:00", json.dumps(snapshot).encode())
    await ledger.append(roster, receipt, dataclasses.replace(NO_EFFECTS, roster=write))
    await ledger.aclose()
    # The register as an older hub left it (empty), then the migration step's backfill.
    step = next(v for v in LADDER if REGISTER in v.tables)
    dialect = "sqlite" if ledger_factory.name == "sqlite" else "postgres"
    backfill = [sql for sql in step.statements(dialect) if not sql.startswith("CREATE")]
    await ledger_factory.execute(
        f"UPDATE items SET status = 'approved' WHERE item_id = {visit.record.sequence}",  # noqa: S608
        "DELETE FROM register_certifications",
        "DELETE FROM register_people",
        *backfill,
    )
    ledger = await ledger_factory.open()
    row = await ledger.register_person(a)
    assert row is not None
    assert (row.record_sequence, label(row.record_month)) == (sequences[2], "2026-12")
    assert (row.last_on, row.last_method, label(row.due_month)) == (
        "2026-12-01",
        "data_comparison",
        "2027-12",
    )
    assert [x.of_record for x in await ledger.register_certifications(a)] == [
        sequences[0],
        sequences[0],
        sequences[2],  # 12 months after December 2025: the next cycle's record
    ]
    row = await ledger.register_person(b)
    assert row is not None
    assert (row.last_sequence, row.last_method, label(row.due_month)) == (
        visit.record.sequence,
        "home_visit",
        "2027-08",
    )
    assert (row.area, row.name) == ("440103001001", "张三")
    row = await ledger.register_person(c)  # on the roster; its counter visit is not approved
    assert row is not None
    assert (row.roster_status, row.suspended_since, row.area, row.name) == (
        "suspended",
        "2025-06-01",
        "440104",
        "李四",
    )
    assert (row.last_sequence, row.due_month) == (None, None)
    assert await ledger.register_certifications(c) == []
    await ledger.aclose()
