"""The comparison's rules: each one named SQL step over the loaded snapshot.

Every rule reads tables and views earlier steps made and creates its own
(a view where its readers filter first: a copy of millions of rows costs
more than the joins it saves, and spills); none writes anywhere else. The
cleaning rules are :mod:`certhub.hub.comparison.cleaning`'s (their row checks run
as the files are read). Each is tested alone on a handful of rows
(tests/comparison/test_rules.py). Each output row carries its *why*: the rule
id and the source records (department, record id, kind, date, grade).

Rule ids (written into every output):

- ``R-CLEAN``    a feed row becomes a canonical record only if its kind belongs to its
                 department, its dates parse, it is not in the future nor before the
                 birth date in the ID number, and it is not a duplicate; others are refused
                 with a reason and counted;
- ``R-MATCH``    a record is matched on a valid ID number only;
- ``R-NAME-ONLY`` a record with an invalid ID number is matched on name key + birth
                 date + county and only queued for a person, never acted on;
- ``R-REVERSAL`` a department's void withdraws its earlier record: the record is not
                 used, and the reversal is listed (a task or termination it caused must
                 be undone by a person); so does a void a recorded run of this period or
                 a later one read (:mod:`.later_voids`), whatever order they ran in;
- ``R-DIRECT``   direct evidence of loss proposes one verification task per person and
                 kind; a grade-B source alone waits for a second department (an ``open``
                 proposal becomes the machine reporter's report, whose grade the hub's
                 rules check again: :mod:`certhub.hub.rules.comparison`);
- ``R-ALIVE``    auxiliary evidence inside the period, and no direct evidence at all,
                 certifies the person for the cycle (data comparison, 免办); a direct
                 record matched by name only (``R-NAME-ONLY``), or on the number but refused
                 (conflicting copies, an unreadable date), holds it back too.
"""

from __future__ import annotations

import duckdb

from certhub.hub.comparison.catalogue import AUXILIARY_KINDS, DIRECT_KINDS, VOID_KIND
from certhub.hub.comparison.cleaning import (
    REFUSED_DIRECT_TABLE,
    checked_feed_sql,
    checked_roster_sql,
    clean_feed,
    clean_roster,
)
from certhub.hub.comparison.later_voids import LATER_VOIDS_TABLE
from certhub.hub.comparison.window import RunWindow

__all__ = [
    "RULES",
    "RunWindow",
    "certifications_sql",
    "certify_seen_alive",
    "checked_feed_sql",
    "checked_roster_sql",
    "clean_feed",
    "clean_roster",
    "match_by_id",
    "propose_tasks",
    "queue_name_only",
    "reverse_voids",
]


def _values(rows: list[tuple[str, ...]], alias: str) -> str:
    body = ", ".join("(" + ", ".join(f"'{v}'" for v in row) + ")" for row in rows)
    return f"(VALUES {body}) AS {alias}"


_DIRECT = _values(sorted((k, t.value) for k, t in DIRECT_KINDS.items()), "d(kind, task_kind)")
_DIRECT_IN = ", ".join(f"'{k}'" for k in sorted(DIRECT_KINDS))
_AUX = ", ".join(f"'{k}'" for k in sorted(AUXILIARY_KINDS))
# A source record as the outputs cite it. The evidence's department, kind and grade are
# ENUMs (cleaning.clean_feed): _SOURCE casts them to text for the few direct records,
# the seen-alive aggregate keeps them one byte each and its list is cast once, whole.
_SOURCE_TYPE = (
    "STRUCT(department VARCHAR, record_id VARCHAR, kind VARCHAR, event_date DATE, grade VARCHAR)"
)
_SOURCE_AS_READ = (
    "struct_pack(department := department, record_id := record_id, kind := kind,"
    " event_date := event, grade := grade)"
)
_SOURCE = f"CAST({_SOURCE_AS_READ} AS {_SOURCE_TYPE})"
# The same fields, the date first: ordered as the seen-alive signals are ranked (a cast to
# _SOURCE_TYPE matches the fields by name).
_SOURCE_BY_DATE = (
    "struct_pack(event_date := event, department := department, record_id := record_id,"
    " kind := kind, grade := grade)"
)


def match_by_id(con: duckdb.DuckDBPyConnection, window: RunWindow) -> None:
    """R-MATCH: ``matched`` (records of people on the roster), ``unmatched_records`` and counts.

    ``matched`` is a view: its readers (reversals, proposals, seen alive) each
    filter it by kind first, and a copy of every matched record cost more than
    the joins it saved.
    """
    con.execute(
        """CREATE OR REPLACE VIEW matched AS
        SELECT e.*, r.city, r.county, r.village, r.name AS roster_name
        FROM evidence e JOIN roster r USING (id_number)"""
    )
    con.execute(  # kept for staff, purged after the retention period (retention.py)
        """CREATE OR REPLACE TABLE unmatched_records AS
        SELECT department::VARCHAR AS department, record_id, id_number, name,
               kind::VARCHAR AS kind, event AS event_date, grade::VARCHAR AS grade
        FROM evidence e
        WHERE NOT EXISTS (SELECT 1 FROM roster r WHERE r.id_number = e.id_number)"""
    )
    con.execute(
        """CREATE OR REPLACE TABLE unmatched AS
        SELECT department, count(*) AS records FROM unmatched_records GROUP BY department"""
    )


def reverse_voids(con: duckdb.DuckDBPyConnection, window: RunWindow) -> None:
    """R-REVERSAL: ``reversals`` listed, ``active`` = records nobody withdrew.

    The run's own voids first (``void_run`` empty), then each record of its feeds that a
    void of a recorded run of its period or a later one withdraws (``later_voids``,
    :mod:`.later_voids`; the first such void, naming its run and period), unless its own
    feed voids it too. ``active`` is a view over every canonical record, on the roster or
    not: its readers join the roster after filtering it by kind (and, for the seen-alive
    signals, after aggregating them per person).
    """
    con.execute(f"CREATE TABLE IF NOT EXISTS {LATER_VOIDS_TABLE}")  # a rule run alone: none
    con.execute(
        f"""CREATE OR REPLACE TABLE reversals AS
        WITH own AS MATERIALIZED (
        SELECT v.id_number, v.roster_name AS name, v.city, v.county,
               v.department::VARCHAR AS department, v.voids_record_id AS voided_record_id,
               o.kind::VARCHAR AS voided_kind,
               o.event AS voided_event_date, v.record_id AS void_record_id,
               v.event AS void_date, '{window.start:%Y-%m}' AS void_period,
               NULL::VARCHAR AS void_run, 'R-REVERSAL' AS rule
        FROM matched v LEFT JOIN evidence o  -- same person as v: on the roster
          ON o.department = v.department AND o.record_id = v.voids_record_id
         AND o.id_number = v.id_number AND o.kind <> '{VOID_KIND}'
        WHERE v.kind = '{VOID_KIND}'),
        later AS (  -- few rows: voids of records this run's feeds hold
        SELECT o.id_number, o.roster_name AS name, o.city, o.county,
               o.department::VARCHAR AS department, o.record_id AS voided_record_id,
               o.kind::VARCHAR AS voided_kind, o.event AS voided_event_date,
               l.void_record_id, l.void_date, l.void_period, l.void_run, 'R-REVERSAL' AS rule
        FROM later_voids l JOIN matched o
          ON o.record_id = l.voided_record_id AND o.id_number = l.id_number
        WHERE o.department::VARCHAR = l.department AND o.kind <> '{VOID_KIND}'
          AND NOT EXISTS (SELECT 1 FROM own w WHERE w.department = l.department
                          AND w.voided_record_id = l.voided_record_id)
        QUALIFY row_number() OVER (PARTITION BY o.department, o.record_id, o.id_number
                ORDER BY l.void_period, l.void_date, l.void_run, l.void_record_id) = 1)
        SELECT * FROM own UNION ALL BY NAME SELECT * FROM later"""
    )
    # A void withdraws the record of the person it names, as the ledger applies it (to that
    # person's task) and as a later run's void does (``later``): a void naming another
    # pensioner withdrew the record here, and no task asked whether that one was dead.
    con.execute(
        f"""CREATE OR REPLACE VIEW active AS
        SELECT e.* FROM evidence e ANTI JOIN reversals r
          ON r.department = e.department AND r.voided_record_id = e.record_id
         AND r.id_number = e.id_number
        WHERE e.kind <> '{VOID_KIND}'"""
    )


def propose_tasks(con: duckdb.DuckDBPyConnection, window: RunWindow) -> None:
    """R-DIRECT: ``proposals``, one per person and task kind, with status by grade."""
    con.execute(
        f"""CREATE OR REPLACE TABLE proposals AS
        SELECT a.id_number, any_value(r.name) AS name, any_value(r.city) AS city,
               any_value(r.county) AS county, d.task_kind, min(a.event) AS event_date,
               CASE WHEN bool_or(a.grade = 'A') OR count(DISTINCT a.department) >= 2
                    THEN 'open' ELSE 'awaiting_second_source' END AS status,
               list({_SOURCE} ORDER BY a.event, a.department, a.record_id) AS sources,
               'R-DIRECT' AS rule
        FROM active a JOIN roster r USING (id_number) JOIN {_DIRECT} USING (kind)
        WHERE a.kind IN ({_DIRECT_IN})  -- filters the records before they meet the roster
        GROUP BY a.id_number, d.task_kind"""
    )


SEEN_ALIVE_BUCKET_ROWS = 1_000_000
"""Seen-alive signals aggregated at once (a few hundred MB of per-person state)."""


def certify_seen_alive(con: duckdb.DuckDBPyConnection, window: RunWindow) -> None:
    """R-ALIVE: ``certifications`` for people seen alive in the period with no direct evidence.

    Any direct record blocks 免办, also one waiting for a second source: a person
    the comparison may be about to suspend is never certified by it
    (``seen_alive_blocked``: each such person's proposals); so does a direct record
    with an invalid ID number that ``review`` matched to the person by name
    (:func:`queue_name_only` runs first), or one refused as ``conflicting-record-id`` or
    ``bad-date`` (``refused_direct``: counted blocked too). The signals are
    aggregated per ID number in buckets, one per :data:`SEEN_ALIVE_BUCKET_ROWS`
    signals: each person's top-three sources are state DuckDB's aggregate cannot
    spill (3 million signals ran out of 1 GB). ``certifications`` is a view
    joining the roster (``seen_alive``, with the columns as written:
    :func:`certifications_sql`): the export reads it once, sorted, and a table of it
    first (millions of wide rows) cost 16 CPU s at 10 million, spilled, and as
    much again to read back.
    """
    signals = f"""FROM active WHERE kind IN ({_AUX})
        AND event BETWEEN DATE '{window.start}' AND DATE '{window.as_of}'"""
    counted = con.execute(f"SELECT count(*) {signals}").fetchone()
    buckets = max(1, -(-(counted[0] if counted else 0) // SEEN_ALIVE_BUCKET_ROWS))
    # The ID number alone through the aggregate, the roster joined afterwards: carrying
    # the names through it made it spill (46 s instead of 2.5 s at 3M). The top three are
    # the largest sources themselves, compared field by field from the date on: a
    # department's record id is one record, so the kind and grade after them never decide.
    # max_by of the source by a (date, department, record id) key and a max(event) beside
    # it cost ≈ 1.35x as much CPU (0.75-0.8 against 0.55-0.6 s at 1 million); the last
    # seen is the first source's date.
    top = f"""SELECT id_number, max({_SOURCE_BY_DATE}, 3) AS sources
        {{source}} GROUP BY id_number"""
    if buckets > 1:  # the signals once, narrow, with their bucket; each bucket's top apart
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE signals AS
            SELECT id_number, event, department, record_id, kind, grade,
                   hash(id_number) % {buckets} AS bucket {signals}"""
        )
    for bucket in range(buckets):
        into = (
            "INSERT INTO top_signals" if bucket else "CREATE OR REPLACE TEMP TABLE top_signals AS"
        )
        source = f"FROM signals WHERE bucket = {bucket}" if buckets > 1 else signals
        con.execute(f"{into} " + top.format(source=source))
    con.execute("DROP TABLE IF EXISTS signals")
    # R-CLEAN's refused records of loss (clean_feed) hold their people back too
    con.execute(f"CREATE TABLE IF NOT EXISTS {REFUSED_DIRECT_TABLE}")  # a rule run alone: none
    con.execute(  # a proposal's person is on the roster (the city's); a refused record's: joined
        """CREATE OR REPLACE TABLE seen_alive_blocked AS
        SELECT p.id_number, p.task_kind FROM top_signals t JOIN (
            SELECT id_number, task_kind FROM proposals UNION
            SELECT x.id_number, x.task_kind FROM refused_direct x JOIN roster USING (id_number)
        ) p USING (id_number)"""
    )
    con.execute(
        f"""CREATE OR REPLACE VIEW seen_alive AS
        SELECT t.id_number, r.name, r.county, r.village, t.sources[1].event_date AS last_seen,
               t.sources
        FROM top_signals t JOIN roster r USING (id_number)
        WHERE NOT EXISTS (SELECT 1 FROM proposals p WHERE p.id_number = t.id_number)
          AND NOT EXISTS (SELECT 1 FROM review v  -- a possible loss, known by name only
                          WHERE v.candidate_id_number = t.id_number AND v.kind IN ({_DIRECT_IN}))
          AND NOT EXISTS (SELECT 1 FROM refused_direct x WHERE x.id_number = t.id_number)"""
    )
    con.execute(f"CREATE OR REPLACE VIEW certifications AS {certifications_sql('seen_alive')}")


def certifications_sql(rows: str) -> str:
    """The certifications as written, from ``rows`` (``seen_alive``'s columns), in their order.

    The run's export sorts ``seen_alive`` and adds the city, the rule and the
    sources' text to the sorted rows: carried through the sort of 4.9 million rows
    they cost it ≈ 10% more CPU (the sort's cost is its payload).
    """
    return f"""SELECT id_number, name, substr(county, 1, 4) AS city, county, village, last_seen,
               CAST(sources AS {_SOURCE_TYPE}[]) AS sources, 'R-ALIVE' AS rule FROM {rows}"""


def queue_name_only(con: duckdb.DuckDBPyConnection, window: RunWindow) -> None:
    """R-NAME-ONLY: ``review`` — invalid-ID records that match a roster entry by name.

    Joined on birth date and county first, names compared only among those few
    candidates: a name key over the whole roster would cost more than the run.
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE unnumbered AS
        SELECT department::VARCHAR AS department, record_id, kind::VARCHAR AS kind, event,
               grade::VARCHAR AS grade, given_birth, county, name_key(name) AS key
        FROM feed_checked WHERE reason = 'invalid-id' AND kind <> '{VOID_KIND}'"""
    )
    con.execute(
        # MATERIALIZED: else DuckDB computes the name key over the whole roster before joining
        """CREATE OR REPLACE TABLE review AS
        WITH candidates AS MATERIALIZED (
            SELECT f.department, f.record_id, f.kind, f.event AS event_date, f.grade,
                   r.id_number AS candidate_id_number, r.name AS candidate_name, r.city, f.key
            FROM unnumbered f JOIN roster r
              ON r.birth_date = f.given_birth AND r.county = f.county)
        SELECT * EXCLUDE (key), 'R-NAME-ONLY' AS rule FROM candidates
        WHERE name_key(candidate_name) = key"""
    )


RULES = (
    clean_roster,
    clean_feed,
    match_by_id,
    reverse_voids,
    propose_tasks,
    queue_name_only,
    certify_seen_alive,
)
"""Every rule in the order a run applies them."""
