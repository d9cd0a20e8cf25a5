"""The register's lists for readers: which query each is, and what one entry says.

A list is computed for a day ``on`` (China Standard Time; today unless the
reader asks for another): *due* — active, the due month this month or in the
next ``within - 1`` months; *overdue* — active and past the due month (or never
certified), with the day each becomes liable to suspension; *suspended* —
suspended on the roster and not covered by a certification on the day the
suspension began (suspended for non-certification); *long_suspended* —
suspended for more than 365 days on ``on`` (the clean-up list; restoring
them needs municipal approval, rule 7); *people* — everyone on the roster in
an area, optionally by part of the name or the last characters of the ID
number (the coordinators' "my village").

Pages run in ID-number order; a cursor carries the last ID number as an
integer (:func:`person_key`), signed by the hub like the pull's cursors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final

from certhub.hub.rules.biometrics import certification_route
from certhub.hub.rules.cycle import CYCLE_MONTHS, covered_until, liable_from
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.rules.restoration import MUNICIPAL_AFTER_DAYS
from certhub.hub.store.register_reads import (
    CertificationRegister,
    PersonRegister,
    RegisterList,
    RegisterQuery,
)
from certhub.schemas import BiometricModality, EnrolmentStatus

__all__ = [
    "KEY_SPAN",
    "ListRequest",
    "entry",
    "list_page",
    "person_id_of",
    "person_key",
    "query_for",
    "status_of",
]

_CHECK_VALUES: Final = "0123456789X"
KEY_SPAN: Final = 10**17 * 11
"""Person keys are below this; the due list's cursor adds its month's place times it."""
_MONTH_PLACES: Final = 7
"""The due list's cursor names its month modulo this (1 + the remainder, times
:data:`KEY_SPAN`: at most 8 spans, within a cursor's 63 bits), read back as the month among
the asked-for ones and the 4 before: a cursor stays right across the end of a month."""


@dataclass(frozen=True, slots=True)
class ListRequest:
    """What a reader asked for (parameters already checked)."""

    kind: RegisterList
    on: date
    after: int  # the cursor's key (0: from the start; the due list's names a month too)
    limit: int  # rows wanted
    area: str | None = None  # the area prefix, already intersected with the reader's
    within: int = 3  # due list: this month and the next within - 1
    name: str | None = None
    id_ending: str | None = None


def person_key(person_id: str) -> int:
    """An ID number as an integer that sorts like the text (17 digits, then 0-9 < X)."""
    return int(person_id[:17]) * 11 + _CHECK_VALUES.index(person_id[17])


def person_id_of(key: int) -> str:
    """The ID number :func:`person_key` made ``key`` of ("" for 0: before every number)."""
    if key == 0:
        return ""
    first17, check = divmod(key, 11)
    return f"{first17:017d}{_CHECK_VALUES[check]}"


def query_for(request: ListRequest) -> RegisterQuery:
    """The store query of one page (of the due list: of the month the cursor is in)."""
    month = month_index(request.on)
    offset, after = divmod(request.after, KEY_SPAN)
    due = request.kind is RegisterList.DUE
    return RegisterQuery(
        kind=request.kind,
        after=person_id_of(after),
        limit=request.limit,
        area=request.area,
        month_from=month + offset if due else month,
        before=(request.on - timedelta(days=MUNICIPAL_AFTER_DAYS)).isoformat(),
        name=request.name,
        id_ending=request.id_ending,
    )


async def list_page(
    store: CertificationRegister, request: ListRequest
) -> tuple[list[PersonRegister], int, bool]:
    """One page: its rows (at most ``request.limit``), the cursor key after it, whether more.

    The due list runs month by month, soonest first and in ID-number order
    within a month, so every query is one range of the (due month, ID number)
    index; its cursor key names the month (:func:`_cursor_key`), read back as an
    offset from ``request.on``'s month (:func:`_offset_key`).
    """
    rows: list[PersonRegister] = []
    due = request.kind is RegisterList.DUE
    month = month_index(request.on)
    ask = replace(request, after=_offset_key(request.after, month)) if due else request
    if due and ask.after // KEY_SPAN >= request.within:
        return rows, request.after, False  # a cursor past the months asked for
    while True:
        found = await store.register_page(
            query_for(replace(ask, limit=request.limit + 1 - len(rows)))
        )
        rows += found
        offset = ask.after // KEY_SPAN
        last_month = request.kind is not RegisterList.DUE or offset + 1 >= request.within
        if len(rows) > request.limit or last_month:
            break
        ask = replace(ask, after=(offset + 1) * KEY_SPAN)  # the next month, from its start
    more = len(rows) > request.limit
    rows = rows[: request.limit]
    if not rows:
        return rows, _cursor_key(ask.after, month) if due else ask.after, more
    last = person_key(rows[-1].person_id)
    if due and rows[-1].due_month is not None:
        return rows, _cursor_key((rows[-1].due_month - month) * KEY_SPAN + last, month), more
    return rows, last, more


def _cursor_key(key: int, month: int) -> int:
    """The due list's cursor for ``key`` (a month offset from ``month`` times
    :data:`KEY_SPAN`, plus a person key): the month itself, by its place (0: the start)."""
    if key == 0:
        return 0
    offset, person = divmod(key, KEY_SPAN)
    return ((month + offset) % _MONTH_PLACES + 1) * KEY_SPAN + person


def _offset_key(cursor: int, month: int) -> int:
    """:func:`_cursor_key` read back on a day in ``month``: the cursor's month as an offset
    from it (of the months asked for and the 4 before), times :data:`KEY_SPAN`, plus the
    person key; a month passed since (read after the month ended: its people are overdue
    now) starts from the first month asked for, from its start. Before, the cursor held the
    offset from the day it was made: read the next day, in the next month, it skipped the
    rest of that month's people."""
    if cursor == 0:
        return 0
    place, person = divmod(cursor, KEY_SPAN)
    offset = (place - 1 - month) % _MONTH_PLACES
    if offset > 2:  # one of the 4 months before this one (the list asks for 3 at most)
        return 0
    return offset * KEY_SPAN + person


def status_of(row: PersonRegister, on: date) -> str:
    """``certified`` | ``due`` (this month or the next two) | ``overdue`` | ``not_certified``
    | ``suspended`` | ``terminated`` | ``not_on_roster``, on day ``on``."""
    if row.roster_status in ("suspended", "terminated"):
        return row.roster_status
    if row.roster_status is None:
        return "not_on_roster"
    if row.due_month is None:
        return "not_certified"
    month = month_index(on)
    if row.due_month < month:
        return "overdue"
    return "due" if row.due_month <= month + 2 else "certified"


def certify_by(row: PersonRegister) -> str:
    """How the person can certify now: the biometric route (``hub.rules.biometrics``)."""
    models = {}
    if row.face_enrolled:
        models[BiometricModality.face] = EnrolmentStatus.enrolled
    if row.finger_enrolled:
        models[BiometricModality.fingerprint] = EnrolmentStatus.enrolled
    return certification_route(models, row.failed_face_attempts)


def entry(row: PersonRegister, on: date, grace_months: int = 0) -> dict[str, Any]:
    """One list entry: the person, their status, last certification, cycle and due month."""
    due = row.due_month
    last = (
        None
        if row.last_sequence is None
        else {
            "on": row.last_on,
            "method": row.last_method,
            "channel": row.last_channel,
            "ledger_sequence": row.last_sequence,
        }
    )
    record = (
        None
        if row.record_sequence is None or row.record_month is None
        else {"ledger_sequence": row.record_sequence, "month": month_label(row.record_month)}
    )
    return {
        "person": {"id_number": row.person_id, "name": row.name, "area": row.area},
        "status": status_of(row, on),
        "certify_by": certify_by(row),
        "roster_status": row.roster_status,
        "suspended_since": row.suspended_since,
        "last_certification": last,
        "certification_of_record": record,
        "cycle": None
        if due is None
        else {
            "from": month_label(due - CYCLE_MONTHS + 1),
            "to": month_label(due),
            "covered_until": covered_until(due).isoformat(),
        },
        "due_month": None if due is None else month_label(due),
        "liable_from": None if due is None else liable_from(due, grace_months).isoformat(),
    }
