"""The generator's plan, feeds and truth as SQL (see :mod:`certhub.hub.comparison.generate`).

Shares planted per 100,000 people: 300 deaths (which departments report them
varies: civil affairs and health, civil affairs alone, health alone — grade B,
so waiting for a second source — or public security and health), 20
imprisonments, 50 receipts of another pension, 10 emigrations, 20 deaths
registered wrongly and voided by civil affairs. Seen alive in the period: 40%
(first signal) and 15% (second); 10% have a signal dated in the previous
month only. Dirty rows, one per 1,000 pensioners each: an exact duplicate, an
invalid ID number (name written with a full-width space and a ``•``), a future
date, an event before birth.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from certhub.hub.comparison.sqlfuncs import sql_path

__all__ = ["feed_sql", "truth_sql"]

_AUX = (
    "[['health', 'medical_visit'], ['health', 'vaccination'], ['exit_entry', 'travel'],"
    " ['canteen', 'canteen_meal'], ['grid_service', 'service_visit']]"
)


def feed_sql(seed: int, start: date, end: date) -> list[str]:
    """Statements creating ``plan`` (facts per person) and ``feed`` (every feed row)."""
    days = (end - start).days + 1
    plan = f"""CREATE TABLE plan AS SELECT p.*,
        CASE WHEN fate_u < 300 THEN 'died' WHEN fate_u < 320 THEN 'imprisoned'
             WHEN fate_u < 370 THEN 'other_pension' WHEN fate_u < 380 THEN 'emigrated'
             WHEN fate_u < 400 THEN 'wrong_death' ELSE 'alive' END AS fate,
        hash(i, {seed}, 'src') % 10 AS src,
        CAST(DATE '{start}' + INTERVAL (hash(i, {seed}, 'day') % {days}) DAY AS DATE) AS fate_date,
        hash(i, {seed}, 'a0') % 100 < 40 AS aux0, hash(i, {seed}, 'a1') % 100 < 15 AS aux1,
        hash(i, {seed}, 'a2') % 100 < 10 AS aux2, hash(i, {seed}, 'dirt') % 1000 AS hd,
        {_AUX}[1 + CAST(hash(i, {seed}, 'k0') % 5 AS INTEGER)] AS k0,
        {_AUX}[1 + CAST(hash(i, {seed}, 'k1') % 5 AS INTEGER)] AS k1,
        {_AUX}[1 + CAST(hash(i, {seed}, 'k2') % 5 AS INTEGER)] AS k2,
        CAST(DATE '{start}' + INTERVAL (hash(i, {seed}, 'd0') % {days}) DAY AS DATE) AS d0,
        CAST(DATE '{start}' + INTERVAL (hash(i, {seed}, 'd1') % {days}) DAY AS DATE) AS d1,
        CAST(DATE '{start}' - INTERVAL (1 + hash(i, {seed}, 'd2') % 20) DAY AS DATE) AS d2
      FROM people_id p"""
    row = (
        "SELECT {dept} AS department, {rid} AS record_id, id_number, name, birth_date, county,"
        " {kind} AS kind, {date} AS event_date, {voids} AS voids_record_id, on_roster,"
        " {dirty} AS dirty FROM plan WHERE {where}"
    )

    def one(dept: str, rid: str, kind: str, when: str, where: str, **kw: str) -> str:
        return row.format(
            dept=dept,
            rid=rid,
            kind=kind,
            date=when,
            where=where,
            voids=kw.get("voids", "NULL::VARCHAR"),
            dirty=kw.get("dirty", "NULL::VARCHAR"),
        )

    # A dead person's auxiliary signals are dated the first of the month: seen before dying.
    alive_at = "CASE WHEN fate = 'died' THEN DATE '{start}' ELSE {d} END"
    parts = [
        one(
            "'civil_affairs'",
            "'CA' || i || 'c'",
            "'cremation'",
            "fate_date",
            "fate = 'died' AND src < 8",
        ),
        one(
            "'health'",
            "'HE' || i || 'd'",
            "'death'",
            "fate_date",
            "fate = 'died' AND (src < 5 OR src >= 8)",
        ),
        one(
            "'public_security'",
            "'PS' || i || 'x'",
            "'registration_cancelled'",
            "fate_date",
            "fate = 'died' AND src = 9",
        ),
        one("'justice'", "'JU' || i", "'imprisonment'", "fate_date", "fate = 'imprisoned'"),
        one(
            "'other_pension'", "'OP' || i", "'other_pension'", "fate_date", "fate = 'other_pension'"
        ),
        one("'exit_entry'", "'EE' || i || 'e'", "'emigration'", "fate_date", "fate = 'emigrated'"),
        one(
            "'civil_affairs'",
            "'CA' || i || 'c'",
            "'cremation'",
            "DATE '{start}'",
            "fate = 'wrong_death'",
        ),
        one(
            "'civil_affairs'",
            "'CA' || i || 'v'",
            "'void'",
            "fate_date",
            "fate = 'wrong_death'",
            voids="'CA' || i || 'c'",
        ),
    ]
    for slot, flag, d in (("0", "aux0", "d0"), ("1", "aux1", "d1"), ("2", "aux2", "d2")):
        when = alive_at.format(start=start, d=d) if slot != "2" else d
        parts.append(one(f"k{slot}[1]", f"'AX' || i || '-{slot}'", f"k{slot}[2]", when, flag))
    dirty = [
        one(
            "k0[1]",
            "'AX' || i || '-0'",
            "k0[2]",
            alive_at.format(start=start, d="d0"),
            "on_roster AND aux0 AND hd = 3",
            dirty="'duplicate-row'",
        ),
        one(
            "'canteen'",
            "'CTF' || i",
            "'canteen_meal'",
            f"DATE '{end}' + 10",
            "on_roster AND hd = 11",
            dirty="'future-event-date'",
        ),
        one(
            "'grid_service'",
            "'GSB' || i",
            "'service_visit'",
            "birth_date - 30",
            "on_roster AND hd = 13",
            dirty="'event-before-birth'",
        ),
    ]
    invalid = one(
        "'health'",
        "'HEX' || i",
        "'medical_visit'",
        "d0",
        "on_roster AND hd = 7",
        dirty="'invalid-id'",
    )
    invalid = invalid.replace(
        " id_number, name,",
        " id17 || CASE WHEN id_check(id17) = '0' THEN '1' ELSE '0' END AS id_number,"
        " substr(name, 1, 1) || '\u3000' || replace(substr(name, 2), '·', '•') AS name,",
    )
    feed = "CREATE TABLE feed AS " + " UNION ALL ".join([*parts, *dirty, invalid])
    return [plan.format(start=start), feed.format(start=start)]


def truth_sql(folder: Path) -> list[str]:
    """Statements writing ``people.csv`` (planted facts), ``dirty.csv`` and ``unmatched.csv``."""
    people = f"""COPY (SELECT id_number, city, fate, src, fate_date, aux0 OR aux1 AS seen_alive,
            (aux0 OR aux1) AND fate IN ('alive', 'wrong_death') AS certified,
            CASE hd WHEN 3 THEN 'duplicate-row' WHEN 7 THEN 'invalid-id'
                    WHEN 11 THEN 'future-event-date' WHEN 13 THEN 'event-before-birth' END
                AS dirty_row
        FROM plan WHERE on_roster AND (fate <> 'alive' OR aux0 OR aux1 OR hd IN (7, 11, 13)
                                       OR (hd = 3 AND aux0)))
        TO {sql_path(folder / "people.csv")} (FORMAT CSV, HEADER)"""
    dirty = f"""COPY (SELECT department, dirty AS reason, count(*) AS n FROM feed
        WHERE dirty IS NOT NULL GROUP BY ALL ORDER BY ALL)
        TO {sql_path(folder / "dirty.csv")} (FORMAT CSV, HEADER)"""
    unmatched = f"""COPY (SELECT department, count(*) AS n FROM feed
        WHERE NOT on_roster AND dirty IS NULL GROUP BY ALL ORDER BY ALL)
        TO {sql_path(folder / "unmatched.csv")} (FORMAT CSV, HEADER)"""
    return [people, dirty, unmatched]
