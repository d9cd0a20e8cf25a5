"""The bulk path's shortcuts give the full way's bytes and effects, and fall back to it.

Payloads and JWS headers come from templates, and the middle of a batch is
planned from the planner's decision for its first and last record; each
shortcut is checked against the full way on every batch and, when the check
fails, the full way is taken for the whole batch. (That the shortcuts give
what one by one gives on real runs is tests/comparison/test_bulk_ledger.py.)
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest

from certhub.hub.comparison import bulk_record, signing
from certhub.hub.comparison.bulk_plan import plan_batch
from certhub.hub.comparison.certify import (
    certification_event,
    event_payload,
    message_id,
    templated_payload,
)
from certhub.hub.comparison.signing import Header
from certhub.hub.procedure.register_entry import register_entry
from certhub.hub.procedure.tasks import notice_write
from certhub.hub.rules.comparison import exempt_notice
from certhub.hub.store.effects import AuditWrite, Effects, OutboxWrite
from certhub.schemas import CertificationEvent, Refusal
from certhub.security import (
    CompactJWS,
    MalformedMessage,
    SigningKey,
    TrustedKey,
    VerifiedMessage,
    sign_compact,
)

PERIOD = "2026-10"
SOURCE = {
    "department": "health",
    "record_id": 'AX"21558-0',  # a quote: the remarks must be escaped as json.dumps does
    "kind": "medical_visit",
    "event_date": date(2026, 10, 9),
    "grade": "B",
}
ROWS = [  # valid ID numbers of the generated data; names with and without the · separator
    ("440103192611180019", "冯艳", "440103", "440103010025", date(2026, 10, 9), [SOURCE]),
    ("44010319440202000X", "黄阿依古丽·吐尔逊", "440103", "440103011008", date(2026, 10, 16), []),
    ("440113192911120002", "梁阿依古丽·吐尔逊", "440113", None, date(2026, 10, 15), [SOURCE]),
    ("440103192704030001", "蔡珍敏", "440103", "440103008021", date(2026, 10, 6), [SOURCE]),
]
SENDER = "adapter:comparison"
TYP = CertificationEvent.MESSAGE_TYPE


@pytest.fixture(scope="module")
def events() -> list[CertificationEvent]:
    return [certification_event(PERIOD, row) for row in ROWS]


def test_the_payload_template_writes_the_models_own_json(
    events: list[CertificationEvent],
) -> None:
    for event in events:
        assert templated_payload(event) == event_payload(event)
    assert b'"village": null' in event_payload(events[2])
    assert b'\\"21558-0' in event_payload(events[0])


def test_a_batch_whose_template_is_wrong_gets_the_models_json(
    events: list[CertificationEvent],
) -> None:
    right = [(message_id(PERIOD, e.person.id_number), event_payload(e), e) for e in events]
    assert bulk_record._serialised(right) == right
    wrong = [(mid, payload + b" ", e) for mid, payload, e in right]  # a template gone stale
    assert bulk_record._serialised(wrong) == right
    last_wrong = [*right[:-1], wrong[-1]]
    assert bulk_record._serialised(last_wrong) == right


def _items(events: list[CertificationEvent]) -> list[tuple[bytes, str]]:
    return [(event_payload(e), message_id(PERIOD, e.person.id_number)) for e in events]


def test_the_header_template_signs_what_sign_compact_signs(
    events: list[CertificationEvent],
) -> None:
    key = SigningKey.generate()
    header = Header(TYP, SENDER, 1_790_000_000)
    expected = [
        sign_compact(p, key=key, typ=TYP, sender=SENDER, jti=j, iat=header.iat)
        for p, j in _items(events)
    ]
    assert signing._sign(key, header, _items(events)) == expected


def test_a_wrong_header_template_is_not_used(
    events: list[CertificationEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = SigningKey.generate()
    header = Header(TYP, SENDER, 1_790_000_000)
    monkeypatch.setattr(signing._HeaderTemplate, "sign", lambda *_: b"stale.template.x")
    expected = [
        sign_compact(p, key=key, typ=TYP, sender=SENDER, jti=j, iat=header.iat)
        for p, j in _items(events)
    ]
    assert signing._sign(key, header, _items(events)) == expected


def test_the_header_template_refuses_an_id_sign_compact_refuses(
    events: list[CertificationEvent],
) -> None:
    items = _items(events)
    items[2] = (items[2][0], "cmp/2026-10/with a space")
    with pytest.raises(MalformedMessage):
        signing._sign(SigningKey.generate(), Header(TYP, SENDER, 1_790_000_000), items)


def _message(key: SigningKey, payload: bytes, mid: str) -> VerifiedMessage:
    token = sign_compact(payload, key=key, typ=TYP, sender=SENDER, jti=mid, iat=1_790_000_000)
    head, _, signature = token.rpartition(b".")
    header = {"alg": key.alg, "kid": key.kid, "typ": TYP, "iat": 1, "jti": mid, "iss": SENDER}
    trusted = TrustedKey(key.verifying_key(), SENDER, frozenset({TYP}), role="department")
    jws = CompactJWS(header, payload, signature, head)
    return VerifiedMessage(jws, trusted, token, hashlib.sha256(token).hexdigest())


class Planner:
    """The comparison's certification plan (notice, register entry, uplink), counting calls;
    ``also`` adds an audit link for one person (a decision the batch's shape lacks)."""

    def __init__(self, also: str | None = None, refuse: bool = False) -> None:
        self.calls = 0
        self.also, self.refuse = also, refuse

    async def __call__(self, message: VerifiedMessage, event: Any) -> Effects:
        self.calls += 1
        if self.refuse:
            raise Refusal("determiner-may-not-certify", "not this key")
        uplink = OutboxWrite(
            "uplink:" + hashlib.sha256(f"{SENDER}\0{message.jti}".encode()).hexdigest()[:40],
            "ministry",
            "push_certification",
            message.payload,
        )
        audit: tuple[AuditWrite, ...] = ()
        if event.person.id_number == self.also:
            audit = (AuditWrite("note", message.jti, SENDER, message.digest),)
        notice = notice_write(exempt_notice(event, message.jti))
        return Effects(
            outbox=(uplink,), notices=(notice,), certified=register_entry(event), audit=audit
        )


async def _batch(events: list[CertificationEvent]) -> list[VerifiedMessage]:
    key = SigningKey.generate()
    return [_message(key, p, j) for p, j in _items(events)]


async def test_a_batch_is_planned_once_and_gets_the_planners_effects(
    events: list[CertificationEvent],
) -> None:
    messages = await _batch(events)
    planner = Planner()
    planned = await plan_batch(planner, messages, events)
    assert planner.calls == 2  # the first and the last record
    reference = Planner()
    assert planned == [await reference(m, e) for m, e in zip(messages, events, strict=True)]


@pytest.mark.parametrize("odd", [0, 3])  # the first or the last record decides otherwise
async def test_a_planner_deciding_otherwise_plans_every_record(
    events: list[CertificationEvent], odd: int
) -> None:
    messages = await _batch(events)
    planner = Planner(also=events[odd].person.id_number)
    planned = await plan_batch(planner, messages, events)
    assert planner.calls == len(events)
    reference = Planner(also=events[odd].person.id_number)
    assert planned == [await reference(m, e) for m, e in zip(messages, events, strict=True)]
    decided = planned[odd]
    assert isinstance(decided, Effects)
    assert decided.audit


async def test_a_refusing_planner_refuses_every_record(events: list[CertificationEvent]) -> None:
    messages = await _batch(events)
    planned = await plan_batch(Planner(refuse=True), messages, events)
    assert [getattr(p, "slug", None) for p in planned] == ["determiner-may-not-certify"] * 4
