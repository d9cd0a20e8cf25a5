"""The hub's departments: adapters built from settings, used through their role protocols.

* SMS gateway → :class:`SmsNotifier`, behind the outbox (``hub.delivery``);
* ministry uplink → approved certifications pushed upward through the outbox;
* public-security e-ID → :func:`check_identity`, for counter and home-visit
  certification (rule 4: person, photo and ID document against the e-ID licence);
* ministry certification results → :class:`MinistryPull`, a periodic pull whose
  events enter the ledger through :class:`~hub.inbound.InboundIngestor`.

Nothing here knows a concrete adapter class; names come from settings and
the ``certhub.adapters`` entry points.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from adapters import (
    Adapter,
    AdapterError,
    CertificationSource,
    CertificationUplink,
    IdentityVerdict,
    IdentityVerifier,
    Notification,
    Notifier,
    PermanentError,
    PersonCheck,
)
from hub.inbound import InboundIngestor, InboundSender
from hub.periodic import every
from hub.store import LedgerStore
from hub.workflow.refusals import Refusal
from schemas import BenefitRecord, CertificationEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Departments:
    """The configured adapters, by role."""

    adapters: dict[str, Adapter] = field(default_factory=dict)

    @property
    def identity(self) -> IdentityVerifier | None:
        """The e-ID verifier, if configured."""
        adapter = self.adapters.get("eid")
        return adapter if isinstance(adapter, IdentityVerifier) else None

    @property
    def sms(self) -> Notifier | None:
        """The SMS gateway, if configured."""
        adapter = self.adapters.get("sms")
        return adapter if isinstance(adapter, Notifier) else None

    @property
    def uplink(self) -> CertificationUplink | None:
        """Where approved certifications are pushed upward (the ministry), if configured."""
        adapter = self.adapters.get("ministry")
        return adapter if isinstance(adapter, CertificationUplink) else None

    @property
    def ministry(self) -> CertificationSource | None:
        """The ministry's certification results, if configured."""
        adapter = self.adapters.get("ministry")
        return adapter if isinstance(adapter, CertificationSource) else None

    async def aclose(self) -> None:
        """Close every adapter."""
        for adapter in self.adapters.values():
            await adapter.aclose()


class NoContact(Exception):
    """The roster has no mobile number for the person; the notice waits for one."""


class SmsNotifier:
    """The hub's notifier over the SMS gateway adapter; the number comes from the roster."""

    def __init__(self, gateway: Notifier, store: LedgerStore) -> None:
        """Send through ``gateway``; look numbers up in ``store``'s roster."""
        self._gateway = gateway
        self._store = store

    async def send(self, notice_id: str, person_id: str, text: str) -> None:
        """Send once per ``notice_id`` (the gateway is idempotent by it)."""
        snapshot = await self._store.get_roster(person_id)
        mobile = BenefitRecord.model_validate_json(snapshot).contact_mobile if snapshot else None
        if mobile is None:
            raise NoContact(f"no registered mobile number for notice {notice_id}")
        await self._gateway.notify(
            Notification(notification_id=notice_id, mobile=mobile, text=text)
        )

    async def aclose(self) -> None:
        """The departments own the gateway's connection."""


async def check_identity(
    verifier: IdentityVerifier, event: CertificationEvent, photo_jpeg: bytes, request_id: str
) -> None:
    """Refuse the certification unless the e-ID service says the person matches."""
    check = PersonCheck(
        id_number=event.person.id_number,
        name=event.person.name,
        photo_jpeg=photo_jpeg,
        request_id=request_id,
    )
    try:
        result = await verifier.verify_person(check)
    except PermanentError as exc:
        raise Refusal(
            "identity-check-failed", f"the e-ID service refused the check: {exc}"
        ) from exc
    except AdapterError as exc:
        raise Refusal(
            "identity-check-unavailable", f"the e-ID service is unavailable: {exc}"
        ) from exc
    if result.verdict is IdentityVerdict.match:
        return
    details = {
        IdentityVerdict.mismatch: "person, photo or ID document differ from the e-ID licence",
        IdentityVerdict.licence_revoked: "the e-ID licence is revoked",
        IdentityVerdict.deceased: "the household register records this person as deceased;"
        " report the death instead",
    }
    raise Refusal("identity-not-verified", details[result.verdict])


class MinistryPull:
    """Pulls the ministry's certification results into the ledger, page by page.

    The cursor is saved (atomically) only after every event of a page was
    recorded, and each event's message id is the ministry's record id, so a
    crash at any moment re-pulls at most one page and records nothing twice.
    """

    def __init__(
        self,
        source: CertificationSource,
        ingestor: InboundIngestor,
        sender: InboundSender,
        cursor_file: Path,
    ) -> None:
        """Pull from ``source`` as ``sender``; keep the cursor in ``cursor_file``."""
        self._source = source
        self._ingestor = ingestor
        self._sender = sender
        self._cursor_file = cursor_file
        self._lock = asyncio.Lock()  # one pull at a time: the cursor has one writer

    async def pull_once(self, *, limit: int = 200) -> int:
        """Pull until the ministry has nothing more; return how many events were recorded."""
        async with self._lock:
            return await self._pull(limit)

    async def _pull(self, limit: int) -> int:
        recorded = 0
        while True:
            cursor = await asyncio.to_thread(self._read_cursor)
            page = await self._source.pull_certifications(cursor, limit=limit)
            for event, record_id in zip(page.events, page.record_ids, strict=True):
                try:
                    await self._ingestor.ingest(self._sender, event, f"ministry-{record_id}")
                    recorded += 1
                except Refusal as exc:
                    log.warning("ministry record %s refused: %s", record_id, exc.slug)
            for rejected in page.rejected:
                log.warning("ministry record could not be translated: %s", rejected)
            await asyncio.to_thread(self._write_cursor, page.next_cursor)
            if not page.has_more:
                return recorded

    async def run(self, interval: float) -> None:
        """Pull every ``interval`` seconds until cancelled; failures wait for the next round."""
        await every(interval, self.pull_once, what="ministry pull", expected=(AdapterError,))

    def _read_cursor(self) -> str | None:
        try:
            return self._cursor_file.read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def _write_cursor(self, cursor: str) -> None:
        self._cursor_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._cursor_file.with_suffix(".tmp")
        with temporary.open("w", encoding="ascii") as handle:
            handle.write(cursor)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self._cursor_file)
