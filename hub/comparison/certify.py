"""A seen-alive row of a run → the ``certification_event/v1`` the hub records for that person.

One message per person (batch certification stays abolished in the ledger),
signed by the hub as ``adapter:comparison``. The message id is derived from
the period and the person only, so a re-run of the period — or of one city —
finds the record already there and records nothing new. The ID number is
hashed into the id (message ids appear in logs and receipts).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final

import duckdb

from certhub.hub.comparison.sqlfuncs import sql_path
from certhub.schemas import (
    CertificationEvent,
    CertificationMethod,
    CertificationOutcome,
    ChannelKind,
)
from certhub.schemas.clock import CHINA_STANDARD_TIME

__all__ = [
    "ADAPTER_NAME",
    "CERTIFICATION_COLUMNS",
    "NOON",
    "certification_event",
    "event_payload",
    "filled_payload",
    "message_id",
    "rows",
    "templated_payload",
    "why",
]

ADAPTER_NAME: Final = "comparison"
"""The hub signs the comparison's messages as ``adapter:comparison``."""

CERTIFICATION_COLUMNS: Final = ("id_number", "name", "county", "village", "last_seen", "sources")
NOON: Final = time(12, 0, tzinfo=CHINA_STANDARD_TIME)
"""A certification occurs at noon (China time) of the day its person was last seen."""


def message_id(period: str, id_number: str) -> str:
    """``cmp.<period>.<32 hex>``: the same person and period always give the same id."""
    digest = hashlib.sha256(f"{period}|{id_number}".encode()).hexdigest()[:32]
    return f"cmp.{period}.{digest}"


def why(period: str, sources: Sequence[dict[str, Any]]) -> str:
    """The certification's remarks: the rule and the sources it rests on (≤ 1000 characters)."""
    cited = "; ".join(
        f"{s['department']}:{s['record_id']} {s['kind']} {s['event_date']} grade {s['grade']}"
        for s in sources
    )
    return f"R-ALIVE {period}: seen alive, no direct evidence of loss; sources {cited}"[:1000]


def certification_event(period: str, row: tuple[Any, ...]) -> CertificationEvent:
    """The event for one row of ``certifications.parquet`` (columns :data:`CERTIFICATION_COLUMNS`).

    ``occurred_at`` is noon (China time) of the latest auxiliary record: the day
    the person was last seen alive, not the day the hub ran.

    Raises:
        pydantic.ValidationError: the roster entry is not a valid person (e.g. a county
            code no longer current); the caller counts it as refused.
    """
    id_number, name, county, village, last_seen, sources = row
    seen: date = last_seen
    # One validation of the whole event (the nested models validated inside it), not one
    # per nested model built first: the same rules, a third of the cost, 100,000s a run.
    return CertificationEvent.model_validate(
        {
            "person": {
                "id_number": id_number,
                "name": name,
                "region": {"county": county, "village": village},
            },
            "method": CertificationMethod.data_comparison,
            "channel": {"kind": ChannelKind.department_data, "code": ADAPTER_NAME},
            "outcome": CertificationOutcome.certified,
            "occurred_at": datetime.combine(seen, NOON),
            "remarks": why(period, sources),
        }
    )


def event_payload(event: CertificationEvent) -> bytes:
    """The payload of ``event`` exactly as the inbound path serialises a message."""
    return json.dumps(event.model_dump(mode="json"), ensure_ascii=False).encode()


# a string as json.dumps(ensure_ascii=False) writes it
_QUOTE: Final = json.encoder.encode_basestring
_PAYLOAD: Final = (
    '{{"type": {}, "person": {{"id_number": {}, "name": {}, "region": {{"county": {},'
    ' "village": {}}}}}, "method": {}, "channel": {{"kind": {}, "code": {}}}, "outcome": {},'
    ' "occurred_at": {}, "evidence": [], "operator": null, "valid_until": null, "remarks": {}}}'
)


def templated_payload(event: CertificationEvent) -> bytes | None:
    """:func:`event_payload` of one of the comparison's events, from a template; None for an
    event the template does not cover (evidence, an operator, a validity date, a code).

    A sixth of the cost of dumping the model and encoding the dict. The caller checks
    that it equals :func:`event_payload` on a sample of every batch (the events of a
    batch are all made by :func:`certification_event`, so they differ only in the values
    the template fills in) and dumps the model otherwise.
    """
    if event.evidence or event.operator or event.valid_until or event.channel.code is None:
        return None
    person, region = event.person, event.person.region
    return filled_payload(
        event.type,
        (person.id_number, person.name, region.county, region.village),
        (event.method.value, event.channel.kind.value, event.channel.code, event.outcome.value),
        event.occurred_at.isoformat(),
        event.remarks,
    )


def filled_payload(
    typ: str,
    person: tuple[str, str, str, str | None],
    how: tuple[str, str, str, str],
    occurred_at: str,
    remarks: str | None,
) -> bytes:
    """The template filled in (what :func:`templated_payload` writes): ``person`` is
    (ID number, name, county, village), ``how`` (method, channel kind, channel code,
    outcome) and ``occurred_at`` the ISO text."""
    id_number, name, county, village = person
    method, kind, code, outcome = how
    return _PAYLOAD.format(
        _QUOTE(typ),
        _QUOTE(id_number),
        _QUOTE(name),
        _QUOTE(county),
        "null" if village is None else _QUOTE(village),
        _QUOTE(method),
        _QUOTE(kind),
        _QUOTE(code),
        _QUOTE(outcome),
        _QUOTE(occurred_at),
        "null" if remarks is None else _QUOTE(remarks),
    ).encode()


def rows(path: Path, batch: int, select: str | None = None) -> Iterator[list[tuple[Any, ...]]]:
    """The certifications of a run in batches of ``batch`` rows (memory bounded): the
    columns :data:`CERTIFICATION_COLUMNS`, or the select list ``select`` of them."""
    con = duckdb.connect(config={"memory_limit": "256MB", "threads": 1})
    columns = select or ", ".join(CERTIFICATION_COLUMNS)
    try:
        cursor = con.execute(f"SELECT {columns} FROM read_parquet({sql_path(path)})")
        while chunk := cursor.fetchmany(batch):
            yield chunk
    finally:
        con.close()
