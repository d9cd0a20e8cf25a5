"""What each outbox destination means: the department role, and the call, behind an envelope.

A destination names a *role*, not an adapter: whichever configured adapter
plays the role (:data:`certhub.hub.departments.registry.ROLES`) is called. The two names are
stored in outbox rows and broker queue names since the first release, so
they keep the names of the roles' first departments:

* ``sms`` / ``notify`` → the notifier role, through the hub's
  :class:`~certhub.hub.delivery.notify.NoticeSender`
  (:class:`~certhub.hub.delivery.notices.SmsNoticeSender`
  over the gateway, or the logging sender of the embedded default, each behind
  :class:`~certhub.hub.delivery.notices.NoticesChecked`), idempotent by notice id;
* ``ministry`` / ``push_certification`` → the uplink role
  (:class:`~adapters.CertificationUplink`), idempotent by delivery id.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from certhub.adapters import CertificationUplink, RequestRejected
from certhub.hub.delivery.broker import Envelope
from certhub.hub.delivery.notify import NoticeSender
from certhub.hub.departments.registry import Departments
from certhub.schemas import CertificationEvent

Deliver = Callable[[Envelope], Awaitable[None]]
"""Performs one delivery; raises an adapter error (or anything: transient) on failure."""

NOTICES = "sms"  # the notifier role's destination
UPLINK = "ministry"  # the uplink role's destination


def role_destinations(departments: Departments, notices: NoticeSender) -> dict[str, Deliver]:
    """Every destination whose role is played here, with the call behind it."""
    destinations = {NOTICES: notice_destination(notices)}
    if departments.uplink is not None:
        destinations[UPLINK] = uplink_destination(departments.uplink)
    return destinations


def notice_destination(notices: NoticeSender) -> Deliver:
    """Send a notice; the notice id is the delivery id."""

    async def deliver(envelope: Envelope) -> None:
        body = _json(envelope)
        await notices.send(envelope.delivery_id, str(body["person_id"]), str(body["text"]))

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
