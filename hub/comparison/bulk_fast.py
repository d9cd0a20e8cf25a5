"""The comparison's certifications made from their checked plain values (the bulk path's usual way).

:func:`~certhub.hub.comparison.certify.certification_event` builds each certification
through the canonical model: pydantic makes three nested models and runs their
validators, ≈ 25–35 µs a record, and the payload and rows are then read back out
of those models (≈ 20 µs more). The hub makes these messages itself, from its own
run's rows, and every one has the same shape but for six values; here each of those
values is checked by the **very function the model attaches to its field**
(:data:`CHECKED` names them: ``tests/comparison/test_bulk_fast.py`` holds that list
to the model's own, so a validator added to the model fails the test until it is
called here too), and the payload and rows are written out from the checked values.

It only ever *accepts* faster: a value not of its plain type, or any check failing,
gives None, and the row goes through :func:`certification_event` like any — the model
accepts it or refuses it with its own errors. Its clock is read when it is made,
before any row: the model, which reads the clock per row, never judges against an
earlier "now". And for each part :func:`~certhub.hub.comparison.bulk_rows.prepare`
makes its first and last certification the model's way too and compares payload
and rows byte for byte; a difference sends the whole part the model's way.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any, Final, NamedTuple

from certhub.hub.comparison.certify import ADAPTER_NAME, NOON, filled_payload, why
from certhub.hub.rules.comparison import EXEMPT_KIND, exempt_notice_id, exempt_text
from certhub.hub.rules.months import month_index
from certhub.hub.store import RecordKind, outbox
from certhub.hub.store.bulk_append import NO_RECEIPT
from certhub.hub.store.effects import NoticeWrite
from certhub.schemas import (
    CertificationEvent,
    CertificationMethod,
    CertificationOutcome,
    ChannelKind,
)
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.schemas.common import (
    CLOCK_SKEW,
    SCHEME_START,
    refuse_invisible,
    refuse_unstorable,
)
from certhub.schemas.regions import validate_county_code, validate_village_code
from certhub.schemas.resident_id import birth_date_of, validate_resident_id

__all__ = ["CHECKED", "Fast", "Fields"]

TYPE: Final = CertificationEvent.MESSAGE_TYPE
KIND: Final = RecordKind.CERTIFICATION.value
METHOD: Final = CertificationMethod.data_comparison.value
CHANNEL: Final = ChannelKind.department_data.value
OUTCOME: Final = CertificationOutcome.certified.value
HOW: Final = (METHOD, CHANNEL, ADAPTER_NAME, OUTCOME)
NAME_LENGTH: Final = (1, 100)  # PersonName's min_length and max_length
REMARKS_LENGTH: Final = 1000  # FreeText's max_length

CHECKED: Final = {
    "PersonRef.id_number": ("_validate_for_pydantic",),
    "PersonRef.name": ("refuse_unstorable", "refuse_invisible"),
    "RegionRef.county": ("validate_county_code",),
    "RegionRef.village": ("validate_village_code",),
    "RegionRef": ("_village_in_county",),
    "CertificationEvent.occurred_at": ("_occurred_when_possible",),
    "CertificationEvent.remarks": ("refuse_unstorable",),
    "CertificationEvent": ("_assisted_needs_operator_and_evidence", "_validity_within_one_cycle"),
}
"""The validators of the model's fields and models this module's :meth:`Fast.fields` does
the work of (by field or model; the last two pass whenever there is no operator, evidence or
validity date, which a comparison certification never has)."""


class Fields(NamedTuple):
    """A certification's checked values (the ID number as the model normalises it)."""

    id_number: str
    name: str
    county: str
    village: str | None
    day: date
    """The day last seen: the certification's day in China."""
    remarks: str


class _Day(NamedTuple):
    occurred_at: str
    """ISO text of noon that day, China time."""
    iso: str
    month: int


class Fast:
    """Checks rows and writes out their certifications (see the module's docstring)."""

    def __init__(self, period: str) -> None:
        """For the rows of ``period``, judged against the clock as it is now."""
        now = datetime.now(UTC)  # the model's validators read this clock (no context given)
        self._period = period
        self._latest = now + CLOCK_SKEW
        self._today = now.astimezone(CHINA_STANDARD_TIME).date()
        self._days: dict[date, _Day | None] = {}

    def fields(self, row: tuple[Any, ...]) -> Fields | None:
        """The checked values of ``row`` (:func:`~certhub.hub.comparison.bulk_rows.event_row`'s
        columns), or None: the model decides."""
        id_number, name, county, village, seen, sources = row
        if not (
            type(id_number) is str
            and type(name) is str
            and type(county) is str
            and (village is None or type(village) is str)
            and type(seen) is date
            and NAME_LENGTH[0] <= len(name) <= NAME_LENGTH[1]
            and self._day(seen) is not None
        ):
            return None
        remarks = why(self._period, sources)
        try:
            id_number = validate_resident_id(id_number, today=self._today)
            refuse_invisible(refuse_unstorable(name))
            validate_county_code(county)
            if village is not None:
                validate_village_code(village)
            refuse_unstorable(remarks)
        except ValueError:
            return None
        if (
            (village is not None and not village.startswith(county))
            or seen < birth_date_of(id_number)
            or len(remarks) > REMARKS_LENGTH
        ):
            return None
        return Fields(id_number, name, county, village, seen, remarks)

    def _day(self, seen: date) -> _Day | None:
        """The day's texts, or None when a certification cannot be dated noon that day (after
        the clock's "now" with its skew, or before the scheme began)."""
        if seen in self._days:
            return self._days[seen]
        occurred = datetime.combine(seen, NOON)
        ok = occurred <= self._latest and seen >= SCHEME_START
        day = _Day(occurred.isoformat(), seen.isoformat(), month_index(seen)) if ok else None
        self._days[seen] = day
        return day

    def payload(self, fields: Fields) -> bytes:
        """The payload of the certification of ``fields``, as the model serialises it."""
        day = self._days[fields.day]
        assert day is not None  # noqa: S101 - fields() checked the day
        person = (fields.id_number, fields.name, fields.county, fields.village)
        return filled_payload(TYPE, person, HOW, day.occurred_at, fields.remarks)

    def rows(  # noqa: PLR0917 - a certification's own values
        self,
        kid: str,
        sender: str,
        fields: Fields,
        mid: str,
        payload: bytes,
        token: bytes,
        at: str,
        created: float,
    ) -> tuple[Any, ...]:
        """The fields of the :class:`~certhub.hub.comparison.bulk_rows.CertificationRows` of
        the signed certification of ``fields`` (``token``), received ``at`` (no uplink: the
        recorder adds the planner's)."""
        day = self._days[fields.day]
        assert day is not None  # noqa: S101 - fields() checked the day
        digest = hashlib.sha256(token).hexdigest()
        person_id, county, village = fields.id_number, fields.county, fields.village
        ledger = (
            KIND, TYPE, sender, mid, kid, digest, token, payload, at, NO_RECEIPT,
            county, METHOD, day.iso[:7], village, person_id, CHANNEL, OUTCOME,
        )  # fmt: skip
        person = (person_id, village or county, fields.name, day.iso, METHOD, CHANNEL)
        text = exempt_text(fields.name)
        notice = NoticeWrite(exempt_notice_id(mid), person_id, EXEMPT_KIND, text)
        sms = outbox.notice_delivery(notice).payload
        written = (notice.notice_id, person_id, EXEMPT_KIND, notice.text)
        return (
            sender,
            mid,
            digest,
            person_id,
            ledger,
            person,
            day.month,
            written,
            sms,
            created,
            None,
        )
