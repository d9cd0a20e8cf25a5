"""What each outbox destination means: the department call behind an envelope.

* ``sms`` / ``notify`` → the hub's :class:`~hub.notify.Notifier` (the SMS
  gateway through :class:`~hub.departments.SmsNotifier`, or the logging
  notifier of the embedded default), idempotent by notice id;
* ``ministry`` / ``push_certification`` → the ministry's
  :class:`~adapters.CertificationUplink`, idempotent by delivery id.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from adapters import CertificationUplink, RequestRejected
from hub.delivery.broker import Envelope
from hub.notify import Notifier
from schemas import CertificationEvent

Deliver = Callable[[Envelope], Awaitable[None]]
"""Performs one delivery; raises an adapter error (or anything: transient) on failure."""

SMS = "sms"
MINISTRY = "ministry"


def sms_destination(notifier: Notifier) -> Deliver:
    """Send a notice's SMS; the notice id is the delivery id."""

    async def deliver(envelope: Envelope) -> None:
        body = _json(envelope)
        await notifier.send(envelope.delivery_id, str(body["person_id"]), str(body["text"]))

    return deliver


def uplink_destination(uplink: CertificationUplink) -> Deliver:
    """Push an approved certification to the ministry under its delivery id."""

    async def deliver(envelope: Envelope) -> None:
        try:
            event = CertificationEvent.model_validate_json(envelope.payload)
        except ValidationError as exc:
            raise RequestRejected("the stored certification no longer validates") from exc
        await uplink.push_certification(event, delivery_id=envelope.delivery_id)

    return deliver


def _json(envelope: Envelope) -> dict[str, object]:
    try:
        body = json.loads(envelope.payload)
    except ValueError as exc:
        raise RequestRejected("the outbox payload is not JSON") from exc
    if not isinstance(body, dict):
        raise RequestRejected("the outbox payload is not a JSON object")
    return body
