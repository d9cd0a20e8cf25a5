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
"""Person keys are below this; the due list's cursor adds the month's offset times it."""


@dataclass(frozen=True, slots=True)
class ListRequest:
    """What a reader asked for (parameters already checked)."""

    kind: RegisterList
    on: date
    after: int  # the cursor's key (0: from the start; the due list adds a month offset)
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
    index; its cursor key carries the month's offset (:data:`KEY_SPAN`).
    """
    rows: list[PersonRegister] = []
    ask = request
    if request.kind is RegisterList.DUE and request.after // KEY_SPAN >= request.within:
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
        return rows, ask.after, more
    month_offset = (
        rows[-1].due_month - month_index(request.on)
        if request.kind is RegisterList.DUE and rows[-1].due_month is not None
        else 0
    )
    return rows, month_offset * KEY_SPAN + person_key(rows[-1].person_id), more


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
