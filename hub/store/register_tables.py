"""The certification register's tables (schema version 4) and their backfill from the ledger.

* ``register_people`` — one row per person the roster or a certification
  names: the roster's area, name, status and suspension date (copied in the
  same transaction as each roster write, latest ``as_of`` wins), the last
  passed certification (day, method, channel, ledger sequence), the
  certification of record of the current cycle and the due month (month
  indexes, ``year * 12 + month - 1``), and the reminders queued for that due month;
* ``register_certifications`` — one row per passed certification, with the
  certification of record it is counted under (``of_record = sequence`` for
  the record itself).

The rule is :mod:`certhub.hub.rules.cycle`'s. An existing ledger is
backfilled from its own records when it opens: roster rows first, then every
passed certification (staff-assisted ones only once approved) in ledger
order, linked with a recursive query that applies the same rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Literal

Dialect = Literal["sqlite", "postgres"]  # tables.Dialect (which imports this module)

REGISTER: Final = """
CREATE TABLE register_people (
    person_id       {TEXT} PRIMARY KEY,
    area            {TEXT},
    name            {TEXT},
    roster_status   {TEXT},
    suspended_since {TEXT},
    roster_as_of    {TEXT},
    last_on         {TEXT},
    last_method     {TEXT},
    last_channel    {TEXT},
    last_sequence   {BIGINT},
    record_sequence {BIGINT},
    record_month    INTEGER,
    due_month       INTEGER,
    reminded_for    INTEGER,
    reminders       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX register_people_due ON register_people (due_month, person_id);
CREATE INDEX register_people_area ON register_people (area, person_id);
CREATE INDEX register_people_suspended ON register_people (roster_status, suspended_since);
CREATE TABLE register_certifications (
    sequence     {BIGINT} PRIMARY KEY,
    person_id    {TEXT} NOT NULL,
    certified_on {TEXT} NOT NULL,
    month        INTEGER NOT NULL,
    method       {TEXT} NOT NULL,
    channel      {TEXT} NOT NULL,
    of_record    {BIGINT} NOT NULL
);
CREATE INDEX register_certifications_person ON register_certifications (person_id, sequence);
CREATE INDEX register_certifications_record ON register_certifications (of_record)
"""

# Shared by both dialects once the JSON and date expressions are filled in.
_BACKFILL: Final = """
INSERT INTO register_people (person_id, area, name, roster_status, suspended_since, roster_as_of)
    SELECT person_id, coalesce({R_VILLAGE}, {R_COUNTY}), {R_NAME}, {R_STATUS}, {R_SUSPENDED},
        as_of
    FROM roster;
INSERT INTO register_certifications (sequence, person_id, certified_on, month, method, channel,
    of_record)
    WITH RECURSIVE passed AS (
        SELECT l.sequence, l.person_id, {L_DAY} AS certified_on,
            CAST(substr(l.period, 1, 4) AS INTEGER) * 12
                + CAST(substr(l.period, 6, 2) AS INTEGER) - 1 AS month,
            l.reason AS method, coalesce(l.channel, '-') AS channel,
            row_number() OVER (PARTITION BY l.person_id ORDER BY l.sequence) AS n
        FROM ledger AS l LEFT JOIN items AS i ON i.item_id = l.sequence
        WHERE l.message_type = 'certification_event/v1' AND l.outcome = 'certified'
        AND l.person_id IS NOT NULL AND l.period IS NOT NULL
        AND (l.reason NOT IN ('counter', 'home_visit', 'social_org') OR i.status = 'approved')
    ), chain (sequence, person_id, n, certified_on, month, method, channel, rec, rec_month) AS (
        SELECT sequence, person_id, n, certified_on, month, method, channel, sequence, month
        FROM passed WHERE n = 1
        UNION ALL
        SELECT p.sequence, p.person_id, p.n, p.certified_on, p.month, p.method, p.channel,
            CASE WHEN p.month >= c.rec_month + 12 THEN p.sequence ELSE c.rec END,
            CASE WHEN p.month >= c.rec_month + 12 THEN p.month ELSE c.rec_month END
        FROM chain AS c JOIN passed AS p ON p.person_id = c.person_id AND p.n = c.n + 1
    )
    SELECT sequence, person_id, certified_on, month, method, channel, rec FROM chain;
INSERT INTO register_people (person_id, area, name)
    SELECT l.person_id, coalesce(l.village, l.county), {L_NAME}
    FROM ledger AS l
    WHERE l.sequence IN (SELECT max(sequence) FROM register_certifications GROUP BY person_id)
    AND l.person_id NOT IN (SELECT person_id FROM register_people);
UPDATE register_people SET
    last_sequence = (SELECT c.sequence FROM register_certifications AS c
        WHERE c.person_id = register_people.person_id
        ORDER BY c.certified_on DESC, c.sequence DESC LIMIT 1),
    record_sequence = (SELECT max(c.of_record) FROM register_certifications AS c
        WHERE c.person_id = register_people.person_id)
    WHERE person_id IN (SELECT person_id FROM register_certifications);
UPDATE register_people SET
    last_on = (SELECT certified_on FROM register_certifications WHERE sequence = last_sequence),
    last_method = (SELECT method FROM register_certifications WHERE sequence = last_sequence),
    last_channel = (SELECT channel FROM register_certifications WHERE sequence = last_sequence),
    due_month = (SELECT month + 12 FROM register_certifications WHERE sequence = last_sequence),
    record_month = (SELECT month FROM register_certifications WHERE sequence = record_sequence)
    WHERE last_sequence IS NOT NULL
"""


def _sqlite_json(column: str, path: str) -> str:
    return f"json_extract(CAST({column} AS TEXT), '$.{path}')"


def _postgres_json(column: str, path: str) -> str:
    *parents, leaf = path.split(".")
    walk = "".join(f" -> '{p}'" for p in parents)
    return f"(convert_from({column}, 'UTF8')::jsonb{walk} ->> '{leaf}')"


_SQLITE_DAY: Final = f"date({_sqlite_json('l.payload', 'occurred_at')}, '+8 hours')"
_POSTGRES_DAY: Final = (
    f"to_char(({_postgres_json('l.payload', 'occurred_at')}::timestamptz AT TIME ZONE 'UTC')"
    " + interval '8 hours', 'YYYY-MM-DD')"
)


def _backfill(extract: Callable[[str, str], str], day: str) -> str:
    """The backfill with ``extract(column, json path)`` and the CST day of a certification."""
    return _BACKFILL.format(
        R_VILLAGE=extract("snapshot", "person.region.village"),
        R_COUNTY=extract("snapshot", "person.region.county"),
        R_NAME=extract("snapshot", "person.name"),
        R_STATUS=extract("snapshot", "status"),
        R_SUSPENDED=extract("snapshot", "suspended_since"),
        L_NAME=extract("l.payload", "person.name"),
        L_DAY=day,
    )


REGISTER_BACKFILL: Final[dict[Dialect, str]] = {
    "sqlite": _backfill(_sqlite_json, _SQLITE_DAY),
    "postgres": _backfill(_postgres_json, _POSTGRES_DAY),
}
"""Fill the register from an existing ledger's roster and certifications (both dialects)."""

REGISTER_PAGES: Final = """
CREATE INDEX register_people_status ON register_people (roster_status, person_id);
CREATE INDEX register_people_city ON register_people ((substr(area, 1, 4)), person_id);
CREATE INDEX register_people_county ON register_people ((substr(area, 1, 6)), person_id);
CREATE INDEX register_people_town ON register_people ((substr(area, 1, 9)), person_id);
CREATE INDEX register_people_village ON register_people ((substr(area, 1, 12)), person_id);
DROP INDEX IF EXISTS register_people_suspended
"""
"""Schema step 21: every page of a register list or sweep is one range of an index in
ID-number order after the cursor (keyset), never all of a list's people read and sorted
each page. By roster status (the reminders sweep, the overdue, suspended and long-suspended
lists); by city, county, town and village (an area's lists: ``substr(area, 1, n) = ?``),
made after the status index: with no statistics SQLite takes the later of two equal
candidates, and an area's page should not walk the province. The (roster status,
suspension day) index goes: PostgreSQL, misjudging how many of the suspended a list holds,
read them all through it and sorted them for each page of the long-suspended list. Before,
a sweep of a million pensioners read every active one for each page of 500: minutes to
hours for a sweep, seconds for a reader's page (bench/register_scale.py)."""
