"""The certification register's states as SQL, and the summary that counts them.

A person's register state is the roster's word read through the hub's closure of their
benefit (a death it confirmed) and that closure's restoration under review
(:data:`STATE`: one definition for a person's entry, the lists and the summary).

The summary is one statement, so one snapshot: everyone of the area counted by the
roster's word in one pass of plain columns; then, for the few people the hub closed (driven
by ``closed_benefits``), their roster's state taken back and their register state counted,
each closure and its restoration read once; and the certifications of the window. Before,
the closure's sub-queries ran for every person of the area, most of the pass's time
(bench/README.md "Register at scale"). Month arguments are month indexes.
"""

from __future__ import annotations

from typing import Final

from certhub.hub.store.restoring import restoring_closure
from certhub.hub.store.sql_transport import SqlReads

__all__ = [
    "CLOSED",
    "NOT_COVERED",
    "RESTORING",
    "STATE",
    "SUMMARY_FIELDS",
    "TERMINATED",
    "RegisterSummary",
]

# A benefit the hub terminated (a death it confirmed) reads as terminated whatever the roster
# says until the province's next roster: such a person is never due, overdue or reminded.
CLOSED: Final = (
    "EXISTS (SELECT 1 FROM closed_benefits AS cb WHERE cb.person_id = register_people.person_id)"
)
# ... unless its restoration is under review (hub.store.restoring): the person reads as
# alive, due or overdue by the due month (a roster applying the hub's termination read as
# active), so the certification that lets the restoration through is asked for; never
# reminded, never proposed (the closure stops payment).
RESTORING: Final = restoring_closure("register_people.person_id")
# The register's terminated: the roster's word or the hub's closure, unless a restoration of
# the closure is under review. Everyone else on the roster is counted alive (the summary's
# states, the assessment's people: one definition).
TERMINATED: Final = f"(roster_status = 'terminated' OR {CLOSED}) AND NOT ({RESTORING})"
STATE: Final = (
    f"CASE WHEN {RESTORING} THEN (CASE WHEN roster_status = 'terminated' THEN 'active'"
    f" ELSE roster_status END) WHEN {CLOSED} THEN 'terminated' ELSE roster_status END"
)
"""A ``register_people`` row's register state (the roster's status where the hub closed
nothing): ``terminated`` is :data:`TERMINATED`."""
_SUSPENDED_MONTH: Final = (
    "(CAST(substr(suspended_since, 1, 4) AS INTEGER) * 12"
    " + CAST(substr(suspended_since, 6, 2) AS INTEGER) - 1)"
)
# Suspended for non-certification: no certification on or before the day the suspension
# began covered its month (one 12 months or less before it). A certification since does not
# cover that day: the person stays listed, now restorable (before, the current due month was
# read, and a certification since took them off the list while still suspended).
NOT_COVERED: Final = (
    "(due_month IS NULL OR (suspended_since IS NOT NULL AND NOT EXISTS (SELECT 1"
    " FROM register_certifications AS sc WHERE sc.person_id = register_people.person_id"
    " AND sc.certified_on <= register_people.suspended_since"
    f" AND sc.month + 12 >= {_SUSPENDED_MONTH})))"
)
SUMMARY_FIELDS: Final = (
    "on_roster",
    "certified",
    "due",
    "overdue",
    "not_certified",
    "suspended",
    "suspended_not_certified",
    "long_suspended",
    "terminated",
)
"""The states :meth:`RegisterSummary.register_summary` counts, in its columns' order."""


def _counts(state: str, weight: str) -> str:
    """The sums of :data:`SUMMARY_FIELDS` (``n0`` ..) of ``register_people`` rows whose state
    is the SQL expression ``state``, each row counted ``weight`` (SQL) times. Parameters: the
    month + 2, the month, the month + 2, the month, the day long suspensions began before."""
    conditions = (
        "roster_status IS NOT NULL",
        f"due_month > ? AND {state} = 'active'",  # certified for the cycle
        f"due_month >= ? AND due_month <= ? AND {state} = 'active'",
        f"due_month < ? AND {state} = 'active'",
        f"due_month IS NULL AND {state} = 'active'",
        f"{state} = 'suspended'",
        f"{state} = 'suspended' AND {NOT_COVERED}",  # its sub-query: the suspended only
        f"{state} = 'suspended' AND suspended_since < ?",
        f"{state} = 'terminated'",
    )
    return ", ".join(
        f"coalesce(sum(CASE WHEN {condition} THEN {weight} ELSE 0 END), 0) AS n{i}"
        for i, condition in enumerate(conditions)
    )


_COLUMNS: Final = "roster_status, due_month, suspended_since, register_people.person_id"
_IN_AREA: Final = " AND register_people.area >= ? AND register_people.area < ?"


def _summary(area: bool) -> str:
    """The summary's statement (its parameters: :meth:`RegisterSummary.register_summary`)."""
    scope = _IN_AREA if area else ""
    # CROSS JOIN: SQLite loops over the few closures and finds each person by key, never
    # over an area's people by the area index (PostgreSQL plans it as a join)
    closed = (
        "FROM closed_benefits AS cl CROSS JOIN register_people"
        f" WHERE register_people.person_id = cl.person_id{scope}"
    )
    by_roster = f"SELECT {_counts('roster_status', '1')} FROM register_people WHERE 1 = 1{scope}"
    # the derived table is named register_people: NOT_COVERED names its columns so
    closures = (
        f"SELECT {_counts('state', 'weight')} FROM (SELECT -1 AS weight, roster_status"
        f" AS state, {_COLUMNS} {closed} UNION ALL SELECT 1, {STATE}, {_COLUMNS}"
        f" {closed}) AS register_people"
    )
    # the province's certifications without their people: each has its person's row (its
    # of_record, NOT NULL, is read from it when written; no row is ever deleted)
    people = " JOIN register_people ON register_people.person_id = c.person_id" if area else ""
    certified = (
        "SELECT coalesce(sum(CASE WHEN c.sequence = c.of_record THEN 1 ELSE 0 END), 0) AS n0,"
        f" count(*) AS n1 FROM register_certifications AS c{people}"
        f" WHERE c.month >= ? AND c.month <= ?{scope}"
    )
    states = ", ".join(f"r.n{i} + k.n{i}" for i in range(len(SUMMARY_FIELDS)))
    return (
        f"SELECT {states}, w.n0, w.n1 FROM ({by_roster}) AS r, ({closures}) AS k,"
        f" ({certified}) AS w"
    )


_SUMMARY: Final = {False: _summary(area=False), True: _summary(area=True)}


class RegisterSummary(SqlReads):
    """The register's summary; the dialect provides ``_read`` (mixed into its reads)."""

    async def register_summary(
        self, month: int, before: str, area: str | None, counted_from: int | None = None
    ) -> dict[str, int]:
        """How many people of an area are in each state in ``month`` (the lists' rules), and
        in months ``counted_from`` (default: the 12 months to ``month``) .. ``month`` the
        people counted (certifications of record) and the passed certifications recorded."""
        counts: list[object] = [month + 2, month, month + 2, month, before]
        scope: list[object] = [] if area is None else [area, area + ":"]
        first = month - 11 if counted_from is None else counted_from
        params = (*counts, *scope, *counts, *scope, *scope, first, month, *scope)
        row = (await self._read(_SUMMARY[area is not None], params))[0]
        names = (*SUMMARY_FIELDS, "people_certified", "certifications")
        return {name: int(str(value)) for name, value in zip(names, row, strict=True)}
