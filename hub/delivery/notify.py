"""What the API and the procedure need of delivery: a notice sender and the outbox's trigger.

Notices are written in the same transaction as the decision that causes
them, each with an ``sms`` outbox row, so none is lost; :mod:`certhub.hub.delivery`
sends them through a :class:`NoticeSender` and records each notice id once
delivered. A sender must be idempotent by notice id too (the SMS gateway
adapter is), so a crash between sending and recording never texts a
pensioner twice. (Not to be confused with :class:`adapters.Notifier`, the
department role a gateway plays: a notice sender turns a person into a
mobile number and calls it.)
"""

from __future__ import annotations

from typing import Protocol


class NoticeSender(Protocol):
    """Sends one notice to a person; the same ``notice_id`` again sends nothing new."""

    async def send(self, notice_id: str, person_id: str, text: str) -> None:
        """Send ``text`` to the phone registered for ``person_id``."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class OutboxDelivery(Protocol):
    """What the API needs of the delivery machinery (:mod:`~certhub.hub.delivery`): wake, drain."""

    def wake(self) -> None:
        """A commit queued deliveries (an SMS notice, an uplink): relay them now."""
        ...

    async def drain(self) -> int:
        """Deliver every due delivery now; how many were delivered."""
        ...
