"""The public disclosure's counts by county for one month, in SQL (both dialects).

Counts only — never a person: certifications of record by method, people with
hub-signed suspensions and terminations, approved restorations, sums recovered (the people
they were recovered from, and cents), and the comparison programme's
verification tasks opened and cleared (a task is the programme's when the report
that opened it came from ``adapter:comparison``; its id is
``task-<that report's message id>``, ``cmpr.…``: read as a ledger sequence it
matched nothing, and PostgreSQL refused the cast).
Suppression of small cells is the caller's (:mod:`certhub.hub.accountability.suppression`).
"""

from __future__ import annotations

from typing import Final

from certhub.hub.store.sql_transport import SqlReads

Row = tuple[object, ...]

COMPARISON_SENDER: Final = "adapter:comparison"

_CERTIFIED: Final = """
SELECT substr(p.area, 1, 6), c.method, count(*)
FROM register_certifications AS c JOIN register_people AS p ON p.person_id = c.person_id
WHERE c.month = ? AND c.of_record = c.sequence AND p.area IS NOT NULL
GROUP BY 1, 2
"""
# People, as everywhere in the disclosure: a person suspended twice in the month (jailed,
# then missing) is one person suspended; counting records published 6 for 3 people.
_OUTCOMES: Final = """
SELECT county, CASE message_type WHEN 'suspension/v1' THEN 'suspensions'
    ELSE 'terminations' END, count(DISTINCT person_id)
FROM ledger
WHERE kind = 'outcome' AND message_type IN ('suspension/v1', 'termination/v1') AND period = ?
    AND county IS NOT NULL
GROUP BY 1, 2
"""
_RESTORATIONS: Final = """
SELECT l.county, 'restorations', count(*)
FROM ledger AS l JOIN items AS i ON i.item_id = l.sequence
WHERE l.message_type = 'restoration/v1' AND i.status = 'approved' AND l.period = ?
    AND l.county IS NOT NULL
GROUP BY 1, 2
"""
# People, not instalments: the threshold protects a person, and five instalments of one
# family's repayment are one person's figure (its amount beside it).
_RECOVERED: Final = """
SELECT o.county, count(DISTINCT o.person_id), sum(r.amount_cents)
FROM recoveries AS r JOIN overpayments AS o ON o.task_id = r.task_id
WHERE substr(r.recovered_on, 1, 7) = ?
GROUP BY 1
"""
_PROGRAMME: Final = """
SELECT t.county,
    sum(CASE WHEN d.opened_at >= ? AND d.opened_at < ? THEN 1 ELSE 0 END),
    sum(CASE WHEN t.status = 'cleared' AND d.resolved_at >= ? AND d.resolved_at < ?
        THEN 1 ELSE 0 END)
FROM tasks AS t JOIN task_deadlines AS d ON d.task_id = t.task_id
JOIN ledger AS l ON l.sender = ? AND l.message_id = substr(t.task_id, 6)
WHERE t.task_id LIKE 'task-%'
GROUP BY 1
"""


class DisclosureQueries(SqlReads):
    """The disclosure's counts, the same SQL on both dialects; the dialect gives ``_read``."""

    async def disclosure_counts(
        self, month: int, period: str, start: float, end: float
    ) -> dict[tuple[str, str], int]:
        """(county, measure) → count for the month; ``recovered_cents`` is a sum of cents.

        Measures: ``certified:<method>``, ``suspensions``, ``terminations``,
        ``restorations``, ``recoveries`` (people recovered from, with ``recovered_cents``),
        ``comparison_tasks_opened`` and ``comparison_tasks_cleared``.
        """
        counts: dict[tuple[str, str], int] = {}
        for county, method, n in await self._read(_CERTIFIED, (month,)):
            counts[(str(county), f"certified:{method}")] = int(str(n))
        for sql in (_OUTCOMES, _RESTORATIONS):
            for county, measure, n in await self._read(sql, (period,)):
                counts[(str(county), str(measure))] = int(str(n))
        for county, n, cents in await self._read(_RECOVERED, (period,)):
            counts[(str(county), "recoveries")] = int(str(n))
            counts[(str(county), "recovered_cents")] = int(str(cents))
        for county, opened, cleared in await self._read(
            _PROGRAMME, (start, end, start, end, COMPARISON_SENDER)
        ):
            counts[(str(county), "comparison_tasks_opened")] = int(str(opened or 0))
            counts[(str(county), "comparison_tasks_cleared")] = int(str(cleared or 0))
        return counts
