"""Enrolment: issue a village's code, bind a phone's key with it once, revoke a lost phone's key.

The trust store stays the one authority: an enrolled phone is a trust-store
key like any sender's (role ``coordinator``, the village as its area, the
report types it may send, ``may_read``), written to the same file the CLI
edits, which the running hub reloads. Nothing here decides a message or a
read; the ingress and the read endpoints treat the key like any other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final, Protocol

from certhub.hub.core.settings import Settings
from certhub.hub.enrolment.codes import CODE_INVALID, CodeBook, CodeRecord, IssuedCode
from certhub.hub.enrolment.messages import EnrolmentCodeRequest, KeyRevocation
from certhub.hub.problems import Problem
from certhub.schemas import Role
from certhub.schemas.clock import utc_now
from certhub.security import (
    AreaScope,
    InvalidKeyError,
    TrustedKey,
    TrustStore,
    TrustStoreError,
    VerifyingKey,
    parse_area,
    trust_bind,
)
from certhub.security.admin import KeyBinding, trust_revoke

__all__ = [
    "CODES_FILE", "ENROLLED_ROLES", "KEY_LIFETIME", "KEY_TRUSTED", "Enrolment", "EnrolmentOffice",
    "area_holds", "bound_again", "check_revoker", "check_staff", "enrolled_binding",
    "enrolment_for", "revocable",
]  # fmt: skip

ENROLLED_ROLES: Final[Mapping[str, tuple[str, ...]]] = {
    Role.coordinator.value: ("eligibility_report/v1", "zero_report/v1"),
}
"""The roles a code can enrol, and the message types a key of that role may send."""
ISSUER_ROLE: Final = Role.county_reviewer.value
KEY_LIFETIME: Final = timedelta(days=365)
"""An enrolled key expires after a year; the coordinator enrols the phone again."""
KEY_TRUSTED: Final = "this key is already trusted"
"""Said of a key already in the trust store, whatever code comes with it (a guesser holding a
trusted key would otherwise learn that a code is live without using it up)."""
CODES_FILE: Final = "enrolment-codes.json"
MAC_KEY_FILE: Final = "enrolment.key"

_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})
_PUBLIC_MEMBERS: Final = ("kty", "crv", "x", "y")


class EnrolmentOffice(Protocol):
    """What the HTTP routes ask of an enrolment, wherever its codes and trust store are kept.

    :class:`Enrolment` keeps them in the data folder's files;
    :class:`~certhub.hub.enrolment.database.DatabaseEnrolment` in the
    deployment's database (PostgreSQL), so every process agrees.
    """

    async def issue_code(
        self, request: EnrolmentCodeRequest, *, staff: TrustedKey, request_id: str
    ) -> IssuedCode:
        """As :meth:`Enrolment.issue`."""
        ...

    async def enrol_key(self, code: str, jwk: object) -> TrustedKey:
        """As :meth:`Enrolment.enrol`."""
        ...

    async def revoke_key(self, revocation: KeyRevocation, *, staff: TrustedKey) -> TrustedKey:
        """As :meth:`Enrolment.revoke`."""
        ...


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class Enrolment:
    """Codes and the trust store file, used together.

    Args:
        codes: the enrolment codes file.
        trust_store_path: the hub's trust store file.
        clock: the current aware time (injected by tests).
    """

    codes: CodeBook
    trust_store_path: Path
    clock: Callable[[], datetime] = field(default=utc_now, kw_only=True)

    def issue(
        self,
        request: EnrolmentCodeRequest,
        *,
        staff: TrustedKey | None,
        request_id: str | None = None,
    ) -> IssuedCode:
        """A one-time code for ``request``, asked by ``staff`` (``None``: the CLI, on the hub host).

        Raises:
            Problem: ``area-not-permitted`` (the staff key is not a county
                reviewer, or its area does not hold the village),
                ``enrolment-request-invalid`` (the sender id is taken), ``replay``.
            OSError: the codes file cannot be written.
        """
        if staff is not None:
            check_staff(staff, parse_area(request.village))
        if request.sender is not None and self._sender_taken(request.sender):
            raise Problem("enrolment-request-invalid", f"sender {request.sender!r} already exists")
        issued_by = "cli" if staff is None else staff.sender
        return self.codes.issue(
            village=request.village,
            role=request.role,
            sender=request.sender,
            hours=request.hours,
            issued_by=issued_by,
            request=request_id,
        )

    def enrol(self, code: str, jwk: object) -> TrustedKey:
        """Trust the public key ``jwk`` as the code says; the code is then used up.

        A bad key, or one already trusted, is refused before the code is looked
        at, so it does not use the code up, and tells nothing of the code; all but
        the key this very code bound, while the code is valid: a phone whose first
        answer was lost posts them again and gets the same answer (:func:`bound_again`).

        Raises:
            Problem: ``enrolment-key-invalid`` (not a public Ed25519/P-256 JWK,
                or a key already trusted), ``enrolment-code-invalid``.
            OSError, TrustStoreError: a file cannot be read or written.
        """
        public = public_jwk(jwk)
        trusted = self._store().get(VerifyingKey.from_jwk(public).kid)
        if trusted is not None:
            record = self.codes.find(code)
            live = record is not None and record.expires_at > self.clock()
            return bound_again(trusted, record.kid if live and record else None)

        def bind(record: CodeRecord) -> TrustedKey:
            if self._sender_taken(record.sender):  # bound before a crash kept the code open
                raise Problem("enrolment-code-invalid", CODE_INVALID)
            binding = enrolled_binding(record.sender, record.role, record.village, self.clock())
            try:
                return trust_bind(self.trust_store_path, public, **binding)
            except TrustStoreError as exc:
                if self._store().get(VerifyingKey.from_jwk(public).kid) is None:
                    raise  # the file, not the key: the hub's failure
                raise Problem("enrolment-key-invalid", KEY_TRUSTED) from exc

        return self.codes.redeem(code, bind)

    def revoke(self, revocation: KeyRevocation, *, staff: TrustedKey) -> TrustedKey:
        """Revoke an enrolled key inside the staff's area, for good.

        Raises:
            Problem: ``area-not-permitted`` (not a county reviewer), ``not-found``
                (no such key, a key with no area, or one outside the staff's area).
            TrustStoreError: the trust store cannot be written.
        """
        check_revoker(staff)
        return trust_revoke(self.trust_store_path, revocable(self._store(), revocation, staff).kid)

    async def issue_code(
        self, request: EnrolmentCodeRequest, *, staff: TrustedKey, request_id: str
    ) -> IssuedCode:
        """:meth:`issue`, off the event loop (it reads and writes files under their locks)."""
        return await asyncio.to_thread(self.issue, request, staff=staff, request_id=request_id)

    async def enrol_key(self, code: str, jwk: object) -> TrustedKey:
        """:meth:`enrol`, off the event loop."""
        return await asyncio.to_thread(self.enrol, code, jwk)

    async def revoke_key(self, revocation: KeyRevocation, *, staff: TrustedKey) -> TrustedKey:
        """:meth:`revoke`, off the event loop."""
        return await asyncio.to_thread(self.revoke, revocation, staff=staff)

    def _store(self) -> TrustStore:
        path = self.trust_store_path
        return TrustStore.load(path) if path.exists() else TrustStore.empty()

    def _sender_taken(self, sender: str) -> bool:
        return any(entry.sender == sender for entry in self._store())


def bound_again(trusted: TrustedKey, bound: str | None) -> TrustedKey:
    """``trusted`` once more, if it is the key ``bound`` (the kid a still valid code bound)
    and not revoked: the phone did not get the first answer. Else ``enrolment-key-invalid``
    (a key already trusted), as for any other code, so nothing is learnt of live codes.
    """
    if trusted.kid != bound or trusted.revoked:
        raise Problem("enrolment-key-invalid", KEY_TRUSTED)
    return trusted


def enrolled_keys(store: TrustStore, area: AreaScope | None) -> list[TrustedKey]:
    """The keys that have an area inside ``area`` (``None``: every key that has one), by sender."""
    inside = [e for e in store if e.area is not None and area_holds(area, e.area)]
    return sorted(inside, key=lambda entry: (entry.sender, entry.kid))


def public_jwk(jwk: object) -> dict[str, str]:
    """The public members of a phone's JWK (WebCrypto's ``ext``/``key_ops`` dropped), checked.

    Raises:
        Problem: ``enrolment-key-invalid``: not an object, private members, or
            not a valid Ed25519 or P-256 public key.
    """
    if not isinstance(jwk, Mapping):
        raise Problem("enrolment-key-invalid", "jwk must be a JSON object (a public JWK)")
    if _PRIVATE_MEMBERS & set(jwk):
        raise Problem("enrolment-key-invalid", "the JWK holds private members; send the public key")
    public = {name: jwk[name] for name in _PUBLIC_MEMBERS if name in jwk}
    try:
        VerifyingKey.from_jwk(public)
    except InvalidKeyError as exc:
        raise Problem("enrolment-key-invalid", f"not a public Ed25519 or P-256 key: {exc}") from exc
    return public


def enrolment_for(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Enrolment:
    """The enrolment of the deployment ``settings`` describe (codes file, secret, trust store)."""
    secrets = settings.secrets_dir or settings.data_dir / "secrets"
    codes = CodeBook(settings.data_dir / CODES_FILE, secrets / MAC_KEY_FILE, clock=clock)
    return Enrolment(codes, settings.trust_store_path, clock=clock)


def enrolled_binding(sender: str, role: str, village: str, now: datetime) -> KeyBinding:
    """What an enrolment code binds a phone's key to: its sender, what the role may send,
    the role, the village as its area, and :data:`KEY_LIFETIME` from ``now``."""
    return KeyBinding(
        sender=sender,
        may_send=ENROLLED_ROLES[role],
        role=role,
        area=parse_area(village),
        not_after=now + KEY_LIFETIME,
    )


def check_revoker(staff: TrustedKey) -> None:
    """Refuse (``area-not-permitted``) a staff key that may not revoke enrolled keys."""
    if staff.role != ISSUER_ROLE:
        raise Problem("area-not-permitted", f"only a {ISSUER_ROLE} revokes enrolled keys")


def revocable(store: TrustStore, revocation: KeyRevocation, staff: TrustedKey) -> TrustedKey:
    """The enrolled key in ``store`` that ``staff`` (a revoker: :func:`check_revoker`) asks to
    revoke.

    Raises:
        Problem: ``not-found`` (no such key, a key with no area, or one outside the
            staff's area).
    """
    entry = store.get(revocation.kid)
    if entry is None or entry.area is None or not area_holds(staff.area, entry.area):
        raise Problem("not-found", "no enrolled key with this kid in your area")
    return entry


def check_staff(staff: TrustedKey, village: AreaScope) -> None:
    """Refuse (``area-not-permitted``) a staff key that may not issue a code for ``village``."""
    if staff.role != ISSUER_ROLE:
        raise Problem("area-not-permitted", f"only a {ISSUER_ROLE} issues enrolment codes")
    if not area_holds(staff.area, village):
        raise Problem("area-not-permitted", f"village {village.code} is outside your area")


def area_holds(outer: AreaScope | None, inner: AreaScope) -> bool:
    """Whether ``inner`` lies inside ``outer`` (``None``: the whole province)."""
    return outer is None or outer.contains(inner)
