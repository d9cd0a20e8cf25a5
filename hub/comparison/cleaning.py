"""R-CLEAN: which roster and feed rows the comparison uses, and why each other row is refused.

The row checks (:func:`checked_roster_sql`, :func:`checked_feed_sql`) run as
the files are read (:mod:`certhub.hub.comparison.loading`): ``roster_checked`` and
``feed_checked`` are the one materialisation of each input, every row with its
refusal ``reason`` (NULL: used). :func:`clean_roster` and :func:`clean_feed`
add what needs every row — repeated ID numbers and record ids — and make the
views the other rules (:mod:`certhub.hub.comparison.rules`) read.
"""

from __future__ import annotations

from typing import Final

import duckdb

from certhub.hub.comparison.catalogue import DEPARTMENTS, DIRECT_KINDS, VOID_KIND
from certhub.hub.comparison.window import RunWindow

__all__ = [
    "REFUSED_DIRECT_TABLE",
    "checked_feed_sql",
    "checked_roster_sql",
    "clean_feed",
    "clean_roster",
]

REFUSED_DIRECT_TABLE: Final = "refused_direct (id_number VARCHAR, task_kind VARCHAR)"
"""People a refused record of loss names, by task kind (:func:`clean_feed`): R-ALIVE holds
them back, as it does a record matched by name only."""
# Refused for what its department must settle: two copies that differ, a date nobody can
# read, a kind not as the code list writes it ("Cremation"; the kind column holds what it
# reads as, the grade stays NULL). Such a record is acted on by nobody; before, its person
# was certified alive (免办) on a visit of the period, the family texted nothing was needed.
_HOLDING_REASONS: Final = ("conflicting-record-id", "bad-date", "unknown-kind")

# A department's grade for the kinds it may send (else NULL: an unknown kind), as
# sent: a kind with spaces around it is unknown. A CASE, not a join: no join in
# the insert that must keep the lines' order (a record id's copies are numbered by it).
_GRADE = (
    "CASE "
    + " ".join(
        f"WHEN f.department = '{d.name}' AND f.kind IN ("
        + ", ".join(f"'{k}'" for k in sorted(d.kinds | {VOID_KIND}))
        + f") THEN '{d.grade}'"
        for d in DEPARTMENTS.values()
    )
    + " END"
)

# What is trimmed from around a feed's ID number: DuckDB's trim() drops spaces (also U+3000,
# U+00A0) but keeps tabs, line breaks, zero-width spaces and a BOM, and spreadsheet exports put
# a tab or a zero-width space before an 18-digit number so it is not shown as 4.45302E+17:
# every such number was refused invalid-id, its death record never acted on.
_BLANKS = " \t\n\x0b\x0c\r\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200C)))
_BLANKS += "\u2028\u2029\u202f\u205f\u3000\ufeff"
# A number typed in full width (an input method left so) is the same number, as a lower-case x
# is: refused invalid-id before, its record of death never acted on.
_WIDE, _NARROW = "０１２３４５６７８９Ｘｘ", "0123456789XX"
# Most numbers arrive as 18 ASCII characters: nothing to trim (blanks around them would leave
# fewer than 18 characters, invalid either way) or widen; the cleanup costs ten times a plain
# upper() (563 against 24 ms on 766,200 rows), so it is kept for the others.
_ID_NUMBER = (
    "CASE WHEN strlen(id_number) = 18 AND length(id_number) = 18 THEN upper(id_number)"
    f" ELSE upper(translate(trim(id_number, '{_BLANKS}'), '{_WIDE}', '{_NARROW}')) END"
)

# An event date sent as a time with its UTC offset (2026-09-30T17:00:00Z) is an instant: its
# date is Guangdong's (the 1st of October there), not the one written before the T. A time
# without an offset is read as written (China time). Only a value longer than a date is
# looked at (the common case costs one length()).
_EVENT = (
    "CASE WHEN length(event_date) <= 10 OR NOT regexp_matches(event_date,"
    " ':[0-9]{2}(\\.[0-9]+)?\\s*([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)\\s*$')"
    " THEN try_cast(event_date AS DATE)"
    " ELSE CAST(timezone('Asia/Shanghai', try_cast(event_date AS TIMESTAMPTZ)) AS DATE) END"
)


def checked_roster_sql(source: str, window: RunWindow) -> str:
    """R-CLEAN's row checks on the roster rows ``source`` (a table, or the CSV reader itself).

    The run creates ``roster_checked`` from this as the file is read: one
    materialisation of the roster, not a raw copy and then a checked one. Each
    row keeps the columns later steps read and its refusal ``reason`` (NULL: valid).
    A city's run keeps the rows whose county, trimmed, is in the city (the
    province-wide run counts them there).
    """
    city = f"AND substr(county, 1, 4) = '{window.city}'" if window.city else ""
    return f"""SELECT * EXCLUDE (n17, birth), CASE
            WHEN NOT id_valid_nb(id_number, n17, birth, DATE '{window.as_of}') THEN 'invalid-id'
            WHEN county IS NULL OR NOT regexp_full_match(county, '44[0-9]{{4}}')
                THEN 'invalid-county'
            WHEN name IS NULL OR trim(name) = '' THEN 'missing-name'
        END AS reason FROM (
            SELECT *, id17_number(id_number) AS n17, id_birth(id_number) AS birth FROM (
                SELECT upper(trim(id_number)) AS id_number, name, trim(county) AS county,
                       nullif(trim(village), '') AS village
                FROM {source}) WHERE true {city})"""


def clean_roster(con: duckdb.DuckDBPyConnection, window: RunWindow) -> None:
    """R-CLEAN on the roster: ``roster`` (valid, one row per ID number) and ``roster_refused``.

    Reads ``roster_checked`` (:func:`checked_roster_sql`, made as the file was read)
    and adds what needs every row: repeated ID numbers. A roster read from a typed
    snapshot (:mod:`certhub.hub.comparison.typed_roster`) has them already, and its
    city and birth date as columns.
    """
    typed = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'roster_typed'"
    ).fetchone() == (1,)
    if not typed:
        _mark_repeats(con)
    computed = "substr(county, 1, 4) AS city, id_birth(id_number) AS birth_date"
    con.execute(
        f"""CREATE OR REPLACE VIEW roster AS
        SELECT id_number, name, county, village, {"city, birth_date" if typed else computed}
        FROM roster_checked WHERE reason IS NULL"""
    )
    con.execute(
        """CREATE OR REPLACE TABLE roster_refused AS
        SELECT 'roster' AS source, reason, 'id ' || id_number AS sample
        FROM roster_checked WHERE reason IS NOT NULL
        UNION ALL
        SELECT 'roster', lower(replace(error_type, ' ', '-')), 'line ' || line || ': ' || csv_line
        FROM rejects_roster"""
    )


def _mark_repeats(con: duckdb.DuckDBPyConnection) -> None:
    """``roster_checked``'s rows whose valid ID number another row has: ``duplicate-row``."""
    # Repeats found once, over the checked rows, and only the few rows marked. Validity
    # depends on the number alone, so an invalid row never repeats a valid one: valid
    # rows suffice, and a valid number is its first 17 digits (they fix the check
    # character): integers, not text (at 10 million rows the text's spilled: 5 CPU s).
    # The integers sorted, a number equal to the one before it repeats: an aggregate of
    # 10 million groups cost 1.4x as much (3.2-3.7 against 2.2-2.4 CPU s at 10 million).
    con.execute(
        """CREATE OR REPLACE TEMP TABLE roster_repeats AS
        SELECT n17 FROM (
            SELECT n17, lag(n17) OVER (ORDER BY n17) AS before FROM (
                SELECT id17_number(id_number) AS n17 FROM roster_checked
                WHERE reason IS DISTINCT FROM 'invalid-id'))
        WHERE n17 = before GROUP BY ALL"""
    )
    if con.execute("SELECT count(*) FROM roster_repeats").fetchone() != (0,):
        con.execute(
            """UPDATE roster_checked SET reason = 'duplicate-row' WHERE reason IS NULL
            AND id17_number(id_number) IN (SELECT n17 FROM roster_repeats)"""
        )


def checked_feed_sql(source: str, window: RunWindow) -> str:
    """R-CLEAN's row checks on the feed rows ``source`` (with their ``department``).

    The run creates ``feed_checked`` from this as the files are read; what needs
    every row (a record id sent twice) is :func:`clean_feed`'s. ``version`` hashes
    the row's fields as sent, so two copies that differ only in spaces or in how
    the date is written are two versions, not one.

    The ID number's birth date is computed once, for its check and the event's;
    the kind is trimmed and lower-cased only when it is not a kind as sent (a trim of
    every row cost more than the cast; such a kind has no grade: refused unknown-kind).
    """
    return f"""SELECT * EXCLUDE (n17, birth), CASE
            WHEN record_id IS NULL OR record_id = '' THEN 'missing-record-id'
            WHEN grade IS NULL THEN 'unknown-kind'
            WHEN event IS NULL THEN 'bad-date'
            WHEN event > DATE '{window.as_of}' AND (kind IS DISTINCT FROM '{VOID_KIND}'
                 OR event > DATE '{window.run_day}') THEN 'future-event-date'
            WHEN NOT id_valid_nb(id_number, n17, birth, DATE '{window.as_of}') THEN 'invalid-id'
            WHEN event < birth THEN 'event-before-birth'
            WHEN kind = '{VOID_KIND}' AND voids_record_id IS NULL THEN 'void-without-record'
        END AS reason FROM (
            SELECT *, id17_number(id_number) AS n17, id_birth(id_number) AS birth FROM (
            SELECT department::feed_department AS department, trim(record_id) AS record_id,
                   {_ID_NUMBER} AS id_number, name,
                   try_cast(birth_date AS DATE) AS given_birth, trim(county) AS county,
                   coalesce(try_cast(kind AS feed_kind),
                            try_cast(lower(trim(kind)) AS feed_kind)) AS kind,
                   {_EVENT} AS event,
                   nullif(trim(voids_record_id), '') AS voids_record_id,
                   grade::feed_grade AS grade, version
            FROM (SELECT f.*, {_GRADE} AS grade,
                         hash(f.id_number, f.kind, f.event_date, f.voids_record_id) AS version
                  FROM {source} f)))"""


def clean_feed(con: duckdb.DuckDBPyConnection, window: RunWindow) -> None:
    """R-CLEAN on the feeds: ``evidence`` (canonical records) and ``feed_refused``.

    ``evidence`` keeps the department, kind and grade as the ``ENUM``\\s they were
    read into: the rules filter on them in the scan, and cast them to text only
    where rows leave the run (a cast of every record first cost 1.5 CPU s at 10M).

    Reads ``feed_checked`` (:func:`checked_feed_sql`, made as the files were read)
    and refuses the copies of a repeated record id: every copy when they differ
    (``conflicting-record-id``), else all but the first line (``duplicate-row``).
    In a city's partition a refused row counts there if its feed county is in the
    city; rows the CSV reader could not parse count in the province-wide run only.
    ``refused_direct`` names the people of the records of loss refused as conflicting
    copies or for their date (:data:`REFUSED_DIRECT_TABLE`).
    """
    in_city = f"AND substr(county, 1, 4) = '{window.city}'" if window.city else ""
    unparsed = "false" if window.city else "true"
    # Repeated record ids are rare: find them by aggregate, number only their copies
    # (a window over every row costs more than the rest of the cleaning), and versions
    # are counted for the repeated ids only (a distinct count over every row costs
    # 2.5x the plain count that finds the repeats).
    con.execute(
        """CREATE OR REPLACE TEMP TABLE feed_repeats AS
        WITH repeated AS (
            SELECT department, record_id FROM feed_checked GROUP BY ALL HAVING count(*) > 1)
        SELECT f.department, r.record_id, count(DISTINCT f.version) AS versions
        FROM feed_checked f JOIN repeated r
          ON f.department = r.department AND f.record_id = r.record_id
        GROUP BY ALL"""
    )
    if con.execute("SELECT count(*) FROM feed_repeats").fetchone() != (0,):
        # each copy numbered in the order of the lines (rowid: the rows as read)
        con.execute(
            """UPDATE feed_checked SET reason = CASE
                WHEN c.versions > 1 THEN 'conflicting-record-id'
                WHEN c.copy > 1 THEN 'duplicate-row' ELSE feed_checked.reason END
            FROM (SELECT f.rowid AS line, r.versions, row_number() OVER (
                      PARTITION BY f.department, r.record_id ORDER BY f.rowid) AS copy
                  FROM feed_checked f JOIN feed_repeats r
                    ON f.department = r.department AND f.record_id = r.record_id) c
            WHERE feed_checked.rowid = c.line AND feed_checked.record_id <> ''"""
        )
    task_kinds = " ".join(f"WHEN '{k}' THEN '{t.value}'" for k, t in sorted(DIRECT_KINDS.items()))
    con.execute(f"CREATE OR REPLACE TABLE {REFUSED_DIRECT_TABLE}")
    con.execute(
        f"""INSERT INTO refused_direct SELECT DISTINCT id_number, CASE kind::VARCHAR {task_kinds}
        END FROM feed_checked WHERE reason IN ({", ".join(map(repr, _HOLDING_REASONS))})
        AND kind IN ({", ".join(f"'{k}'" for k in sorted(DIRECT_KINDS))})"""
    )
    # The versions are counted: the hashes (8 bytes a row) leave the table that every
    # later rule reads (at 10 million pensioners it outgrows the memory limit and spills).
    con.execute("ALTER TABLE feed_checked DROP COLUMN version")
    con.execute(
        """CREATE OR REPLACE VIEW evidence AS
        SELECT department, record_id, id_number, name, kind, event, grade, voids_record_id
        FROM feed_checked WHERE reason IS NULL"""
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE feed_refused AS
        SELECT department::VARCHAR AS source, reason,
               'record ' || record_id || ' id ' || id_number AS sample
        FROM feed_checked WHERE reason IS NOT NULL {in_city}
        UNION ALL
        SELECT source, lower(replace(error_type, ' ', '-')), 'line ' || line || ': ' || csv_line
        FROM rejects_feed WHERE {unparsed}"""
    )
