"""The hub's departments: adapters built from settings, found by the roles they play.

* notifier (the SMS gateway) and uplink (the ministry's certification push)
  → behind the outbox, in :mod:`certhub.hub.delivery`;
* identity (public-security e-ID) → :func:`check_identity`, for counter and
  home-visit certification (rule 4: person, photo and ID document against the
  e-ID licence);
* certification source (the ministry's certification results) →
  :class:`CertificationPull`, a periodic pull whose events enter the ledger through
  :class:`~certhub.hub.ingress.inbound.InboundIngestor`;
* cancellation feed (public security's household-registration cancellations) →
  :mod:`certhub.hub.comparison.pull`, pulled into a month's comparison input;
* account verifier (the banks' account check) → :mod:`certhub.hub.departments.accounts`,
  before a restoration's back pay is recorded or approved.

Nothing here knows a concrete adapter class or name; adapters come from
settings and the ``certhub.adapters`` entry points, and play a role by
implementing its protocol (:data:`ROLES`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from certhub.adapters import (
    AccountVerifier,
    Adapter,
    AdapterError,
    AdapterSetupError,
    CancellationFeed,
    CertificationSource,
    CertificationUplink,
    IdentityVerdict,
    IdentityVerifier,
    Notifier,
    PermanentError,
    PersonCheck,
)
from certhub.hub.core.periodic import every
from certhub.hub.ingress.inbound import InboundIngestor, InboundSender
from certhub.schemas import CertificationEvent, Refusal
from certhub.security import replace_atomic

log = logging.getLogger(__name__)


ROLES: Mapping[str, type[object]] = {
    "identity": IdentityVerifier,
    "notifier": Notifier,
    "uplink": CertificationUplink,
    "certification_source": CertificationSource,
    "cancellation_feed": CancellationFeed,
    "account_verifier": AccountVerifier,
}
"""The roles the hub gives departments, by the role protocol an adapter implements.

An adapter plays a role by implementing its protocol, whatever its name; when
several configured adapters could play one, settings choose
(``CERTHUB_ADAPTER_ROLES__UPLINK=ministry``). A new department is therefore
one adapter and its settings: nothing in ``hub/`` names it."""


@dataclass(frozen=True)
class Departments:
    """The configured adapters, and which of them plays each role.

    Attributes:
        identity: the e-ID verifier, if configured.
        notifier: the SMS gateway, if configured.
        uplink: where approved certifications are pushed upward (the ministry), if configured.
        certification_source: where certification results are pulled from (the ministry),
            if configured.
        cancellation_feed: where household-registration cancellations are pulled from for
            the monthly comparison (public security's e-ID service), if configured.
        account_verifier: the banks' account check, asked about a restoration's account,
            if configured.

    Raises:
        AdapterSetupError: a role choice names an unknown role or an adapter that
            is not configured or cannot play it, or several adapters could play a
            role and settings choose none.
    """

    adapters: dict[str, Adapter[Any]] = field(default_factory=dict)
    role_choices: Mapping[str, str] = field(default_factory=dict)
    players: Mapping[str, str] = field(init=False)
    # One field a role of ROLES, named as the role: the adapter playing it (None: none does).
    identity: IdentityVerifier | None = field(init=False, repr=False)
    notifier: Notifier | None = field(init=False, repr=False)
    uplink: CertificationUplink | None = field(init=False, repr=False)
    certification_source: CertificationSource | None = field(init=False, repr=False)
    cancellation_feed: CancellationFeed | None = field(init=False, repr=False)
    account_verifier: AccountVerifier | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Resolve every role once, so a wrong choice fails start-up."""
        players = _players(self.adapters, self.role_choices)
        object.__setattr__(self, "players", players)
        for role in ROLES:  # each player implements its role's protocol: _players checked it
            name = players.get(role)
            object.__setattr__(self, role, None if name is None else self.adapters[name])

    def player(self, role: str) -> str | None:
        """The name of the adapter playing ``role``, if any."""
        return self.players.get(role)

    async def aclose(self) -> None:
        """Close every adapter."""
        for adapter in self.adapters.values():
            await adapter.aclose()


def _players(adapters: Mapping[str, Adapter[Any]], choices: Mapping[str, str]) -> dict[str, str]:
    for role in choices:
        if role not in ROLES:
            raise AdapterSetupError(f"no role {role!r} (roles: {', '.join(sorted(ROLES))})")
    players: dict[str, str] = {}
    for role, protocol in ROLES.items():
        able = sorted(name for name, adapter in adapters.items() if isinstance(adapter, protocol))
        chosen = choices.get(role)
        if chosen is not None and chosen not in able:
            raise AdapterSetupError(f"adapter {chosen!r} is not configured to play {role!r}")
        if chosen is None and len(able) > 1:
            raise AdapterSetupError(
                f"adapters {', '.join(able)} could each play {role!r}: choose one in"
                f" adapter_roles.{role}"
            )
        if chosen or able:
            players[role] = chosen or able[0]
    return players


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


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class CertificationPull:
    """Pulls certification results (the ministry's) into the ledger, page by page.

    The source is the department playing the certification-source role. The
    cursor is saved (atomically) only after every event of a page was
    recorded, and each event's message id is the source's record id, so a
    crash at any moment re-pulls at most one page and records nothing twice. A page
    saying there is more at a cursor the round already read (the same, or A, B, A) ends
    the round (the next round asks again) instead of asking as fast as the source answers.
    """

    source: CertificationSource
    ingestor: InboundIngestor
    sender: InboundSender
    """Who the pulled events are recorded as coming from."""
    cursor: PullCursor
    """Where the position is kept."""
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    """One pull at a time: the cursor has one writer."""

    async def pull_once(self, *, limit: int = 200) -> int:
        """Pull until the source has nothing more; return how many events were recorded."""
        async with self._lock:
            return await self._pull(limit)

    async def _pull(self, limit: int) -> int:
        recorded = 0
        asked: set[str | None] = set()  # cursors of this round
        while True:
            cursor = await self.cursor.read()
            asked.add(cursor)
            page = await self.source.pull_certifications(cursor, limit=limit)
            for event, record_id in zip(page.events, page.record_ids, strict=True):
                try:
                    # "ministry-" since the first release: the ids already in ledgers stay valid
                    message_id = f"ministry-{record_id}"
                    await self.ingestor.ingest(self.sender, event, message_id)
                    recorded += 1
                except Refusal as exc:
                    log.warning("pulled record %s refused: %s", record_id, exc.slug)
            for rejected in page.rejected:
                log.warning("pulled record could not be translated: %s", rejected)
            await self.cursor.write(page.next_cursor)
            if not page.has_more:
                return recorded
            if page.next_cursor in asked:  # "more" where it was: asked again, it says so again
                log.warning("the certification source says it has more at a cursor already read")
                return recorded

    async def run(self, interval: float) -> None:
        """Pull every ``interval`` seconds until cancelled; failures wait for the next round."""
        await every(interval, self.pull_once, what="certification pull", expected=(AdapterError,))


class PullCursor(Protocol):
    """Where a pull keeps its position: a file of one process, or the deployment's database."""

    async def read(self) -> str | None:
        """The saved cursor, or None before the first page."""
        ...

    async def write(self, cursor: str) -> None:
        """Save ``cursor`` durably (after its page was recorded)."""
        ...


class FileCursor:
    """A pull cursor in a file of the data folder (one hub process: the embedded ledger)."""

    def __init__(self, path: Path) -> None:
        """Kept in ``path``."""
        self._path = path

    async def read(self) -> str | None:
        """The saved cursor, or None before the first page."""
        return await asyncio.to_thread(self._read)

    async def write(self, cursor: str) -> None:
        """Save ``cursor`` atomically."""
        await asyncio.to_thread(self._write, cursor)

    def _read(self) -> str | None:
        try:
            return self._path.read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def _write(self, cursor: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomic(self._path, cursor.encode("ascii"))
