"""Enrolment on PostgreSQL: codes and enrolled keys in the deployment's database.

The same rules as :class:`~certhub.hub.enrolment.service.Enrolment` (which
keeps codes and keys in the data folder's files), kept where every process
of the deployment reaches them: a code issued through one process redeems
through any other, and the phone's key is in the deployment's trust store
(:class:`~certhub.hub.store.postgres.trust.DatabaseTrustStore`), which every
process reloads. The codes' HMAC key is the deployment's (sealed in
``deployment_keys`` under the deployment key), not a file per folder.

Redeeming a code and binding the key are one transaction: the code's row is
locked, the key is bound under the trust store's lock, and the code is
marked used in the same commit, so a code never binds two keys and a
refused key leaves the code unused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from certhub.hub.enrolment.codes import (
    CODE_INVALID,
    KEEP_AFTER_EXPIRY,
    IssuedCode,
    code_mac,
    display_code,
    draw_code,
)
from certhub.hub.enrolment.messages import EnrolmentCodeRequest, KeyRevocation
from certhub.hub.enrolment.service import (
    KEY_TRUSTED,
    bound_again,
    check_revoker,
    check_staff,
    enrolled_binding,
    public_jwk,
    revocable,
)
from certhub.hub.problems import Problem
from certhub.hub.store.postgres.enrolment_codes import ENROLMENT_KEY, CodeRows
from certhub.hub.store.postgres.keys import DeploymentKeyStore, NewKey
from certhub.hub.store.postgres.trust import DatabaseTrustStore
from certhub.schemas.clock import utc_now
from certhub.security import TrustedKey, TrustStore, VerifyingKey, parse_area
from certhub.security.admin import with_bound

__all__ = ["DatabaseEnrolment"]


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class DatabaseEnrolment:
    """Issue, redeem and revoke against the deployment's database (an :class:`EnrolmentOffice`).

    Args:
        trust: the deployment's trust store.
        mac_key: the deployment's key for the codes' HMACs.
        clock: the current aware time (injected by tests).
    """

    trust: DatabaseTrustStore
    mac_key: bytes = field(repr=False)
    clock: Callable[[], datetime] = field(default=utc_now, kw_only=True)

    @classmethod
    async def open(
        cls, keys: DeploymentKeyStore, *, clock: Callable[[], datetime] = utc_now
    ) -> DatabaseEnrolment:
        """The deployment's enrolment, its HMAC key made on first use (one for every process).

        Raises:
            DeploymentKeyError: the stored key does not open under this deployment key.
            StoreUnavailable: the database cannot be reached.
        """
        stored = await keys.ensure(ENROLMENT_KEY, lambda: NewKey.random("enrolment-1"))
        return cls(await DatabaseTrustStore.open(keys), stored[0].secret, clock=clock)

    async def issue_code(
        self, request: EnrolmentCodeRequest, *, staff: TrustedKey | None, request_id: str | None
    ) -> IssuedCode:
        """A one-time code for ``request`` (``staff`` None: the CLI); as ``Enrolment.issue``.

        Raises:
            Problem: ``area-not-permitted``, ``enrolment-request-invalid`` (the
                sender id is taken or waits for a code), ``replay``.
            StoreUnavailable: the database cannot be written.
        """
        if staff is not None:
            check_staff(staff, parse_area(request.village))
        now = self.clock()
        code, code_id = draw_code()
        sender = request.sender or f"coord-{request.village}-{code_id}"
        expires_at = now + timedelta(hours=request.hours)
        async with self.trust.transaction() as conn:
            await CodeRows.lock(conn)
            if request.sender is not None:
                _, store = await self.trust.read_in(conn)
                if any(entry.sender == request.sender for entry in store):
                    raise Problem(
                        "enrolment-request-invalid", f"sender {request.sender!r} already exists"
                    )
                if await CodeRows.open_for(conn, request.sender, now.timestamp()):
                    raise Problem(
                        "enrolment-request-invalid", f"a code for {request.sender!r} is still open"
                    )
            if request_id is not None and await CodeRows.request_seen(conn, request_id):
                raise Problem("replay", "this signed request already made an enrolment code")
            await CodeRows.prune(conn, (now - KEEP_AFTER_EXPIRY).timestamp())
            await CodeRows.insert(conn, {
                "code_id": code_id, "mac": code_mac(self.mac_key, code),
                "village": request.village, "role": request.role, "sender": sender,
                "issued_by": "cli" if staff is None else staff.sender,
                "issued_at": now.timestamp(), "expires_at": expires_at.timestamp(),
                "request": request_id, "used_at": None, "kid": None,
            })  # fmt: skip
        return IssuedCode(display_code(code), code_id, request.village, request.role, sender,
                          expires_at)  # fmt: skip

    async def enrol_key(self, code: str, jwk: object) -> TrustedKey:
        """Trust ``jwk`` as the code says and use the code up, in one transaction.

        Raises:
            Problem: ``enrolment-key-invalid`` (checked before the code, so a
                bad key does not use it up; the key this valid code bound is answered
                again, :func:`~certhub.hub.enrolment.service.bound_again`),
                ``enrolment-code-invalid``.
            StoreUnavailable: the database cannot be written.
        """
        public = public_jwk(jwk)
        kid = VerifyingKey.from_jwk(public).kid
        now = self.clock()
        async with self.trust.transaction() as conn:
            await CodeRows.lock(conn)
            row = await CodeRows.by_mac(conn, code_mac(self.mac_key, code))
            trusted = (await self.trust.read_in(conn))[1].get(kid)
            if trusted is not None:  # before the code is used: its answer was lost?
                live = row is not None and row["expires_at"] > now.timestamp()
                return bound_again(trusted, row["kid"] if live and row else None)
            if row is None or row["used_at"] is not None or row["expires_at"] <= now.timestamp():
                raise Problem("enrolment-code-invalid", CODE_INVALID)

            def bind(store: TrustStore) -> TrustStore:
                if any(entry.sender == row["sender"] for entry in store):
                    raise Problem("enrolment-code-invalid", CODE_INVALID)
                if store.get(kid) is not None:
                    raise Problem("enrolment-key-invalid", KEY_TRUSTED)
                binding = enrolled_binding(row["sender"], row["role"], row["village"], now)
                return with_bound(store, public, **binding)

            store = await self.trust.edit_in(conn, bind)
            await CodeRows.mark_used(conn, row["code_id"], now.timestamp(), kid)
        return _entry(store, kid)

    async def revoke_key(self, revocation: KeyRevocation, *, staff: TrustedKey) -> TrustedKey:
        """Revoke an enrolled key inside the staff's area, for good (every process refuses it).

        Raises:
            Problem: ``area-not-permitted`` (not a county reviewer), ``not-found``.
            StoreUnavailable: the database cannot be written.
        """
        check_revoker(staff)

        def revoke(store: TrustStore) -> TrustStore:
            return store.revoke(revocable(store, revocation, staff).kid)

        return _entry(await self.trust.edit(revoke), revocation.kid)


def _entry(store: TrustStore, kid: str) -> TrustedKey:
    entry = store.get(kid)
    if entry is None:  # pragma: no cover - the change just put it there
        raise Problem("store-unavailable", "the enrolled key is not in the trust store")
    return entry
