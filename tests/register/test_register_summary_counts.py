"""The register's summary counts what each person's own state says, on both ledgers.

The summary was one pass over the area's people that ran the closure's sub-queries (the
hub's closure of a benefit, its restoration under review) for every person: most of its
4-6 s for the province at a million pensioners (bench/README.md "Register at scale"). It is
now the roster's word for everyone in one pass of plain columns, corrected by the few
people the hub closed, read once each. These counts must not move: a varied register (dead,
restored, restorations that restore nothing, suspended covered or not, long suspended,
terminated, held, moved, people no roster names) is counted here three ways — the summary,
a plain per-person computation of the rules below, and by hand — for the province, each
county and each village, in December 2026 (long suspensions: begun before 2025-12-07).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from ledger_backends import Backend
from plankit import queries_sent

from certhub.hub.rules.months import month_index
from certhub.hub.store.register_reads import SUMMARY_FIELDS

M = 2026 * 12 + 11  # December 2026
BEFORE = "2025-12-07"
A1, A2, B1 = "440103001001", "440103001002", "440104002003"  # villages of 440103, 440104


@dataclass(frozen=True)
class Person:
    """A register row and what the hub holds of the person: its closure's sequence, and
    restoration proposals (ledger sequence, item status, reason)."""

    pid: str
    area: str
    status: str | None
    due: int | None = None
    since: str | None = None  # suspended since
    closure: int | None = None
    proposals: tuple[tuple[int, str, str | None], ...] = ()


PEOPLE = (
    Person("p01", A1, "active", M + 5),  # certified for the cycle
    Person("p02", A1, "active", M + 3),  # certified: due after the coming two months
    Person("p03", A1, "active", M + 2),  # due (the last month of "due soon")
    Person("p04", A1, "active", M),
    Person("p05", A1, "active", M - 1),  # overdue
    Person("p06", A1, "active"),  # never certified
    Person("p07", A1, "suspended", M - 4, "2026-09-01"),  # its certification lapsed in M-4
    Person("p08", A1, "suspended", M + 1, "2026-09-01"),  # covered on the day: not "not certified"
    Person("p09", A1, "suspended", None, "2025-06-01"),  # long suspended
    Person("p10", A1, "suspended", None, BEFORE),  # begun on the day: not long
    Person("p11", A1, "terminated"),
    Person("p12", A1, "active", M - 1, closure=100),  # dead: the hub closed the benefit
    Person("p13", A1, "suspended", M - 3, "2026-03-01", closure=101),  # dead while suspended
    Person("p14", A2, "terminated", M - 2, closure=102, proposals=((200, "received", None),)),
    Person("p15", A2, "active", None, closure=103, proposals=((201, "accepted", None),)),
    # a proposal older than the closure (a true death confirmed after the void) restores nothing
    Person("p16", A2, "active", M + 4, closure=300, proposals=((202, "received", None),)),
    Person("p17", A2, "terminated", closure=104, proposals=((203, "received", "not_certified"),)),
    Person("p18", A2, "terminated", closure=105, proposals=((204, "rejected", None),)),
    Person(
        "p19",
        A2,
        "suspended",
        None,
        "2026-10-01",
        closure=106,
        proposals=((205, "received", None),),
    ),
    Person("p20", A2, None, M + 12),  # certified, on no roster
    Person("p21", A2, None, closure=107),  # on no roster, dead: counted terminated
    Person("p22", A2, "active", M),  # due, a death report being verified (held: still due)
    Person("p23", B1, "active", M + 6),  # moved here from A1, certified there
    Person("p24", B1, "active", M - 1, closure=108, proposals=((206, "accepted", None),)),
    Person("p25", B1, "active", M + 2, closure=109),
    Person("p26", B1, "suspended", M - 20, "2024-01-01"),  # covered then, long suspended
    Person("p27", B1, None, closure=110, proposals=((207, "received", None),)),
)
# sequence, person, day, month, of record
CERTIFICATIONS = (
    (1001, "p01", "2026-05-10", M - 7, 1001),
    (1002, "p01", "2026-06-01", M - 6, 1001),  # again in the same cycle: an event, not a person
    (1003, "p07", "2025-08-15", M - 16, 1003),
    (1004, "p08", "2026-01-10", M - 11, 1004),  # the window's first month
    (1005, "p02", "2025-12-20", M - 12, 1005),  # the month before it
    (1006, "p03", "2026-02-05", M - 10, 1006),
    (1007, "p04", "2025-12-03", M - 12, 1007),
    (1008, "p20", "2026-12-01", M, 1008),
    (1009, "p26", "2023-06-15", M - 42, 1009),
    (1010, "p23", "2026-06-10", M - 6, 1010),
    (1011, "p12", "2026-02-01", M - 10, 1011),
)
FIELDS = (*SUMMARY_FIELDS, "people_certified", "certifications")
# by hand: on roster, certified, due, overdue, not certified, suspended, suspended not
# certified, long suspended, terminated; people certified, certifications (M-11 .. M)
BY_HAND = {
    None: (24, 3, 3, 3, 2, 6, 4, 2, 8, 6, 7),
    "440103": (20, 2, 3, 2, 2, 5, 4, 1, 7, 5, 6),
    A1: (13, 2, 2, 1, 1, 4, 3, 1, 3, 4, 5),
    A2: (7, 0, 1, 1, 1, 1, 1, 0, 4, 1, 1),
    "440104": (4, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1),
}


def state(person: Person) -> str | None:
    """The register's state: the roster's, unless the hub closed the benefit (terminated)
    and no proposal newer than the closure, under review, restores it (then alive)."""
    if person.closure is None:
        return person.status
    restoring = any(
        seq > person.closure and status in ("received", "accepted") and reason != "not_certified"
        for seq, status, reason in person.proposals
    )
    if not restoring:
        return "terminated"
    return "active" if person.status == "terminated" else person.status


def not_covered(person: Person) -> bool:
    """No certification on or before the suspension's first day covered its month."""
    if person.due is None:
        return True
    if person.since is None:
        return False
    began = month_index(date.fromisoformat(person.since))
    return not any(
        pid == person.pid and day <= person.since and month + 12 >= began
        for _, pid, day, month, _ in CERTIFICATIONS
    )


def per_person(area: str | None) -> tuple[int, ...]:
    """The summary, person by person."""
    people = [p for p in PEOPLE if area is None or p.area.startswith(area)]
    counts: Counter[str] = Counter()
    for p in people:
        counts["on_roster"] += p.status is not None
        s, due = state(p), p.due
        if s == "active":
            bucket = "not_certified" if due is None else "certified" if due > M + 2 else ""
            counts[bucket or ("due" if due is not None and due >= M else "overdue")] += 1
        if s == "suspended":
            counts["suspended"] += 1
            counts["suspended_not_certified"] += not_covered(p)
            counts["long_suspended"] += p.since is not None and p.since < BEFORE
        counts["terminated"] += s == "terminated"
    ids = {p.pid for p in people}
    window = [c for c in CERTIFICATIONS if c[1] in ids and M - 11 <= c[3] <= M]
    counts["people_certified"] = sum(seq == record for seq, *_, record in window)
    counts["certifications"] = len(window)
    return tuple(counts[name] for name in FIELDS)


def plant() -> list[str]:
    """The register as raw rows (the summary reads only these tables)."""
    closures = [(p.pid, "death", f"t-{p.pid}", p.closure) for p in PEOPLE if p.closure]
    proposals = [(p.pid, *proposal) for p in PEOPLE for proposal in p.proposals]
    return [
        _insert(
            "register_people",
            "person_id, area, roster_status, suspended_since, due_month",
            [(p.pid, p.area, p.status, p.since, p.due) for p in PEOPLE],
        ),
        _insert(
            "register_certifications",
            "sequence, person_id, certified_on, month, of_record, method, channel",
            [(*c, "face", "app_12333") for c in CERTIFICATIONS],
        ),
        _insert("closed_benefits", "person_id, reason, task_id, sequence", closures),
        _insert(
            "ledger",
            "sequence, kind, message_type, sender, message_id, kid, sha256, jws, payload,"
            " received_at, receipt, person_id, reason",
            [_proposal(pid, seq, reason) for pid, seq, _, reason in proposals],
        ),
        _insert("items", "item_id, kind, status", [(seq, "r", st) for _, seq, st, _ in proposals]),
        _insert(  # p22's death report being verified: held from reminders, not from the count
            "tasks",
            "task_id, person_id, kind, status, county, village, snapshot, version, changed_seq",
            [("t-p22", "p22", "death", "open", "440103", A2, "", 0, 0)],
        ),
    ]


def _proposal(pid: str, seq: int, reason: str | None) -> tuple[object, ...]:
    """A restoration proposal's ledger row (what the register reads; the rest filler)."""
    filler = (f"m{seq}", "k", f"s{seq}", "", "", "2026-11-02T08:00:00Z", "r")
    return (seq, "item", "restoration_proposal/v1", "county-440103", *filler, pid, reason)


def _insert(table: str, columns: str, rows: list[tuple[object, ...]]) -> str:
    """One INSERT of the fixture's own constant rows."""
    values = ", ".join("(" + ", ".join(map(_sql, row)) + ")" for row in rows)
    return f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608


def _sql(value: object) -> str:
    return "NULL" if value is None else f"'{value}'" if isinstance(value, str) else str(value)


def test_the_hand_counts_are_the_per_person_rules() -> None:
    for area, expected in BY_HAND.items():
        assert per_person(area) == expected, area


@pytest.mark.parametrize("area", [None, "4401", "440103", A1, A2, "440104", B1, "440105"])
async def test_the_summary_is_the_per_person_count(
    ledger_factory: Backend, area: str | None
) -> None:
    await ledger_factory.create()
    await ledger_factory.execute(*plant())
    ledger: Any = await ledger_factory.open()
    summary = await ledger.register_summary(M, BEFORE, area)
    assert tuple(summary[name] for name in FIELDS) == per_person(area)
    if area in BY_HAND:
        assert tuple(summary[name] for name in FIELDS) == BY_HAND[area]
    if area is None:  # each person's entry reads the state the summary counted
        for person in PEOPLE:
            entry = await ledger.register_person(person.pid)
            assert entry.roster_status == state(person), person.pid
    await ledger.aclose()


# SQLite's plan alone: it keeps no statistics, so it is the same on an empty ledger as a full one
@pytest.mark.parametrize("ledger_factory", ["sqlite"], indirect=True)
async def test_the_summary_reads_each_closure_once_not_for_every_person(
    ledger_factory: Backend,
) -> None:
    ledger: Any = await ledger_factory.open()

    async def summaries() -> None:
        for area in (None, "440103"):
            await ledger.register_summary(M, BEFORE, area)

    sent = await queries_sent(ledger, summaries)
    assert len(sent) == 2  # one statement (one snapshot) a summary
    for sql, params in sent:
        plan = await ledger._read("EXPLAIN QUERY PLAN " + sql, params)
        parents = {int(str(row[0])): int(str(row[1])) for row in plan}
        detail = {int(str(row[0])): str(row[3]) for row in plan}
        (people,) = [node for node, text in detail.items() if text == "MATERIALIZE r"]

        # the area's people: no sub-query of the closures for each of them
        assert not any(
            "closed_benefits" in detail[n] for n in detail if _under(parents, n, people)
        ), plan
        # the closures: driven by closed_benefits, each person found by key
        assert any(text.startswith("SCAN cl") for text in detail.values()), plan
    await ledger.aclose()


def _under(parents: dict[int, int], node: int, top: int) -> bool:
    """Whether plan step ``node`` is ``top`` or one of its steps."""
    while node in parents and node != top:
        node = parents[node]
    return node == top


@pytest.mark.parametrize("ledger_factory", ["postgres"], indirect=True)
async def test_the_ledger_compiles_no_query_on_postgresql(ledger_factory: Backend) -> None:
    ledger: Any = await ledger_factory.open()
    # JIT compiled the summary's pass for 1.7-2.7 s of its 2.8-3.2 s at a million
    assert await ledger._read("SELECT current_setting('jit')", ()) == [("off",)]
    await ledger.aclose()
