"""A batch of the comparison's certifications made ready for the ledger, on any core.

Everything a certification needs that does not depend on the ledger's state
is done here, for a part of a batch at a time, in a signing worker process
(or in the recording process when there is none):

1. the **event** — :func:`~certhub.hub.comparison.certify.certification_event`,
   the canonical model's validators accepting or refusing each row;
2. its **payload** from the template (the part's first and last checked byte for
   byte against the model's own serialisation, see :func:`serialised`), the first
   and last parsed again as the inbound path parses every payload (see
   :func:`validated`);
3. its **signature** (:func:`~certhub.hub.comparison.signing.sign_batch`);
4. its **rows** — :class:`CertificationRows`: the ledger row, the register's, the
   免办 notice's and its SMS delivery's, all but the ledger sequence, which only
   the ledger's writer hands out.

The recording process then keeps only what needs the ledger: the lookup of
what is stored already, the planner's decision, the sequences, the audit chain
and the statements. It checks each batch's first and last record against the
one-by-one way (:mod:`certhub.hub.comparison.bulk_record`): the rows written out
here must equal what :func:`~certhub.hub.store.writes.plan` makes of the
planner's effects, or the batch goes the full way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Final, NamedTuple

from pydantic import ValidationError

from certhub.hub.comparison.bulk_fast import Fast, Fields
from certhub.hub.comparison.certify import certification_event, event_payload, templated_payload
from certhub.hub.comparison.signing import Header, sign_batch
from certhub.hub.ingress.pipeline import validate_payload
from certhub.hub.procedure.register_entry import register_entry
from certhub.hub.procedure.tasks import notice_write
from certhub.hub.rules.comparison import exempt_notice
from certhub.hub.store import RecordKind, outbox, register, writes
from certhub.hub.store.bulk_append import NO_RECEIPT, Rows
from certhub.schemas import CertificationEvent, Refusal
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import SigningKey

__all__ = [
    "SELECT",
    "CertificationRows",
    "Packed",
    "Prepared",
    "Refused",
    "event_row",
    "prepare",
    "prepare_packed",
    "serialised",
    "unpacked",
    "validated",
]

TYPE: Final = CertificationEvent.MESSAGE_TYPE
KIND: Final = RecordKind.CERTIFICATION.value
CERTIFIED: Final = register.CERTIFIED
LINKED: Final = register.LINKED
NOTICE: Final = writes.NOTICE_INSERT
OUTBOX: Final = outbox.INSERT

SELECT: Final = (
    "id_number, name, county, village, CAST(last_seen AS VARCHAR),"
    " CAST(to_json(sources) AS VARCHAR)"
)
"""The columns of ``certifications.parquet`` as the bulk path reads them (the select list
of :func:`~certhub.hub.comparison.certify.rows`): the day last seen as ISO text and the
sources as JSON — strings only, which DuckDB hands out and a worker's pickle carries at a
third of the cost of the dates and dicts of a plain row (≈ 3 + 3 µs a record in the
recorder, bench/README.md); :func:`event_row` makes a plain row of one again."""

Statement = tuple[str, tuple[object, ...]]
"""An SQL text and its parameters."""

Item = tuple[str, bytes, "CertificationEvent | Fields"]
"""A certification before signing: (message id, payload, the event or checked values)."""


class Refused(NamedTuple):
    """A row the canonical schema refused: its message id and why (no ID number in it)."""

    message_id: str
    reason: str


class CertificationRows(NamedTuple):
    """One signed certification's rows but for its sequence (a :class:`~certhub.hub.store.
    bulk_append.Prefilled` message). Plain values only: a part of a batch comes back from a
    worker process pickled, and a tuple of strings unpickles in a fraction of a dataclass."""

    sender: str
    message_id: str
    sha256: str
    person_id: str
    ledger: tuple[object, ...]
    """The ledger row after its sequence (kind … outcome)."""
    person: tuple[object, ...] | None
    """The register's person row before its sequences (None: a failed attempt)."""
    month: int
    notice: tuple[str, str, str, str]
    """The notice: (notice id, person, kind, text)."""
    sms: bytes
    """The notice's SMS delivery payload."""
    created: float
    uplink: tuple[str, str, str] | None = None
    """(delivery id, destination, operation) of the push upward, when the planner has one."""

    @property
    def jws(self) -> bytes:
        """The exact signed message."""
        token = self.ledger[6]
        assert isinstance(token, bytes)  # noqa: S101 - the row's layout
        return token

    @property
    def payload(self) -> bytes:
        """The signed payload."""
        payload = self.ledger[7]
        assert isinstance(payload, bytes)  # noqa: S101 - the row's layout
        return payload

    def rows(self, sequence: int) -> Rows:
        """The rows :func:`~certhub.hub.store.writes.plan` writes for this certification,
        stored at ``sequence`` (register person and link, notice, its SMS, the uplink)."""
        text = str(sequence)
        notice_id, person_id, kind, body = self.notice
        created = self.created
        notice: Statement = (NOTICE, (notice_id, person_id, kind, body, sequence))
        sms: Statement = (
            OUTBOX,
            (notice_id, "sms", "notify", self.sms, text, created, created, sequence),
        )
        statements: list[Statement]
        if (person := self.person) is None:
            statements = [notice, sms]
        else:
            month, pid, on, method, channel = self.month, person[0], person[3], person[4], person[5]
            statements = [
                (CERTIFIED, (*person, sequence, sequence, month, month + 12)),
                (LINKED, (sequence, pid, on, month, method, channel, pid)),
                notice,
                sms,
            ]
        if (up := self.uplink) is not None:
            statements.append((OUTBOX, (*up, self.ledger[7], text, created, created, sequence)))
        return (sequence, *self.ledger), statements


Prepared = CertificationRows | Refused

Packed = tuple[Any, ...]
"""A :data:`Prepared` as a plain tuple (:func:`prepare_packed`): what a worker sends back."""


def prepare_packed(
    key: SigningKey,
    period: str,
    header: Header,
    now: datetime,
    rows: Sequence[tuple[str, tuple[Any, ...]]],
) -> list[Packed]:
    """:func:`prepare`'s answers as plain tuples (:func:`unpacked` makes them again).

    A worker's answers are pickled: a named tuple goes through its class's
    ``__reduce_ex__`` and ``__getnewargs__`` (Python calls, one a record), a plain
    tuple does not — pickling half the time, unpickling a quarter less
    (bench/README.md "Ledger writes in bulk")."""
    return [tuple(p) for p in prepare(key, period, header, now, rows)]


def unpacked(packed: Packed) -> Prepared:
    """The :data:`Prepared` of one of :func:`prepare_packed`'s tuples (a refusal has 2 fields)."""
    if len(packed) == len(Refused._fields):
        return tuple.__new__(Refused, packed)
    return tuple.__new__(CertificationRows, packed)


def event_row(row: Sequence[Any]) -> tuple[Any, ...]:
    """A row read with :data:`SELECT` as :func:`certification_event` takes it (the columns
    :data:`~certhub.hub.comparison.certify.CERTIFICATION_COLUMNS`, their own types)."""
    id_number, name, county, village, seen, sources = row
    day = None if seen is None else date.fromisoformat(seen)  # None: refused as before
    return id_number, name, county, village, day, json.loads(sources) if sources else []


def prepare(
    key: SigningKey,
    period: str,
    header: Header,
    now: datetime,
    rows: Sequence[tuple[str, tuple[Any, ...]]],
) -> list[Prepared]:
    """Each (message id, row of ``certifications.parquet`` read with :data:`SELECT`)
    validated, serialised, signed and written out as rows received at ``now``; or refused,
    in order.

    A row is made from its checked values (:class:`~certhub.hub.comparison.bulk_fast.Fast`)
    when they pass, else through the model; the part's first and last made so are made
    the model's way too, and on any difference the whole part is made the model's way.
    """
    fast = Fast(period)
    made = _made(period, rows, fast)
    if not _alike(period, rows, made[1], fast):
        made = _made(period, rows, None)
    out, items = made
    kept, refused = validated(serialised(items), now)
    out += refused
    tokens = sign_batch(key, header, [(payload, mid) for mid, payload, _ in kept])
    at, created = now.isoformat(), now.timestamp()
    kid, sender = key.kid, header.sender
    for (mid, payload, maker), token in zip(kept, tokens, strict=True):
        if isinstance(maker, Fields):
            values = fast.rows(kid, sender, maker, mid, payload, token, at, created)
            out.append(tuple.__new__(CertificationRows, values))
        else:
            out.append(
                _rows(
                    kid,
                    sender,
                    maker,
                    mid=mid,
                    payload=payload,
                    token=token,
                    at=at,
                    created=created,
                )
            )
    return out


def _made(
    period: str, rows: Sequence[tuple[str, tuple[Any, ...]]], fast: Fast | None
) -> tuple[list[Prepared], list[Item]]:
    """Each row's payload and what made it (checked values, or the model's event), or its
    refusal by the model."""
    out: list[Prepared] = []
    items: list[Item] = []
    for mid, row in rows:
        values = event_row(row)
        if fast is not None and (fields := fast.fields(values)) is not None:
            items.append((mid, fast.payload(fields), fields))
            continue
        try:
            event = certification_event(period, values)
        except ValidationError as exc:
            out.append(Refused(mid, f"{exc.error_count()} schema error(s)"))
            continue
        items.append((mid, templated_payload(event) or event_payload(event), event))
    return out, items


def _alike(
    period: str, rows: Sequence[tuple[str, tuple[Any, ...]]], items: list[Item], fast: Fast
) -> bool:
    """Whether the first and last item made from checked values are, made through the model,
    accepted with the same payload and rows (compared with a stand-in signature)."""
    made = [(mid, payload, f) for mid, payload, f in items if isinstance(f, Fields)]
    if not made:
        return True
    source = dict(rows)
    for mid, payload, fields in made[:1] + made[1:][-1:]:
        try:
            event = certification_event(period, event_row(source[mid]))
        except ValidationError:
            return False
        token, at = b"check", "2000-01-01T00:00:00+00:00"
        ours = fast.rows("kid", "sender", fields, mid, payload, token, at, 0.0)
        theirs = _rows(
            "kid", "sender", event, mid=mid, payload=payload, token=token, at=at, created=0.0
        )
        if payload != event_payload(event) or ours != tuple(theirs):
            return False
    return True


def _rows(
    kid: str,
    sender: str,
    event: CertificationEvent,
    *,
    mid: str,
    payload: bytes,
    token: bytes,
    at: str,
    created: float,
) -> CertificationRows:
    """The rows of one certification from the planner's own functions (register entry,
    notice); the ledger columns as the inbound path takes them from a certification."""
    digest = hashlib.sha256(token).hexdigest()
    person, region = event.person, event.person.region
    entry = register_entry(event)
    notice = notice_write(exempt_notice(event, mid))
    # the register's day of the certification is the day in China (the ledger's month too)
    day = entry.certified_on if entry is not None else _day(event)
    ledger = (
        KIND, TYPE, sender, mid, kid, digest, token, payload, at, NO_RECEIPT,
        region.county, event.method.value, day[:7], region.village, person.id_number,
        event.channel.kind.value, event.outcome.value,
    )  # fmt: skip
    columns: tuple[object, ...] | None = None
    if entry is not None:
        columns = (entry.person_id, entry.area, entry.name, entry.certified_on)
        columns += (entry.method, entry.channel)
    return CertificationRows(
        sender,
        mid,
        digest,
        person.id_number,
        ledger,
        columns,
        entry.month if entry is not None else 0,
        (notice.notice_id, notice.person_id, notice.kind, notice.text),
        outbox.notice_delivery(notice).payload,
        created,
    )


def _day(event: CertificationEvent) -> str:
    return event.occurred_at.astimezone(CHINA_STANDARD_TIME).date().isoformat()


def serialised(items: Sequence[Item]) -> list[Item]:
    """``items`` with payloads exactly as the inbound path serialises them.

    Those made from a model's event came from a template (:func:`templated_payload`):
    the first and the last of them are checked against the model's own serialisation,
    and if either differs (the schema changed under the template), each of them is made
    the model's way (those made from checked values :func:`prepare` compared already).
    """
    events = [(p, e) for _, p, e in items if isinstance(e, CertificationEvent)]
    if all(payload == event_payload(event) for payload, event in events[:1] + events[-1:]):
        return list(items)
    return [
        (mid, event_payload(e), e) if isinstance(e, CertificationEvent) else (mid, p, e)
        for mid, p, e in items
    ]


def validated(items: list[Item], now: datetime) -> tuple[list[Item], list[Refused]]:
    """The items whose payload the canonical schema accepts, and the refused ones.

    Each payload is the model's own serialisation of an event its validators
    have just accepted (:func:`certification_event`), so parsing it again only
    proves that the serialisation round-trips under the strict JSON rules and
    the hub's clock; the first and the last are parsed so, as the inbound path
    parses every one, and on any refusal every item is (then exactly the refused
    ones are left out). Parsing all of them measured ≈ 90 µs a record on this
    machine, more than the signature.
    """
    if not items:
        return [], []
    try:
        for _, payload, _ in (items[0], items[-1]):
            validate_payload(TYPE, payload, now=now)
    except Refusal:
        return _one_by_one(items, now)
    return items, []


def _one_by_one(items: list[Item], now: datetime) -> tuple[list[Item], list[Refused]]:
    kept: list[Item] = []
    refused: list[Refused] = []
    for mid, payload, _ in items:
        try:
            parsed = validate_payload(TYPE, payload, now=now)
        except Refusal as exc:
            refused.append(Refused(mid, f"{exc.slug}: {exc.detail}"))
            continue
        assert isinstance(parsed, CertificationEvent)  # noqa: S101 - parsed as TYPE
        kept.append((mid, payload, parsed))
    return kept, refused
