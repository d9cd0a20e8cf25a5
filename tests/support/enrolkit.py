"""Test kit for enrolment: county staff who may issue codes, and a phone that enrols.

The phone is what the browser app does with WebCrypto, done in Python: an
Ed25519 key pair whose public JWK (with WebCrypto's ``ext`` and ``key_ops``)
goes to ``POST /v1/enrolments``, and JWS / JWT signed with its private key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from hubkit import JOSE, with_area_staff
from procedurekit import Office, trust_store

from certhub.schemas import problem_type_uri
from certhub.security import SigningKey, TrustStore, issue_read_token, sign_compact

X = "440103"
A, B, D = "440103001201", "440103001202", "440304001201"
STAFF_TYPES = ["enrolment_code_request/v1", "key_revocation/v1"]
# Staff who may send the enrolment requests: party -> (role, area or None).
ENROLLERS: dict[str, tuple[str, str | None]] = {
    "county-x": ("county_reviewer", X),
    "county-all": ("county_reviewer", None),
    "town-x": ("town_staff", X),
}


def staff_trust_store(keys: dict[str, SigningKey]) -> TrustStore:
    """Every procedure party, and :data:`ENROLLERS` as county staff who may enrol phones
    (their area's, or any with no area): the enrolment tests' trust store."""
    return with_area_staff(
        trust_store(keys), keys, ENROLLERS, lambda _: [*STAFF_TYPES, "decision/v1"]
    )


@dataclass
class Phone:
    """A coordinator's phone: its own key, and after enrolment the hub's answer."""

    key: SigningKey = field(default_factory=SigningKey.generate)
    enrolled: dict[str, Any] = field(default_factory=dict)
    counter: int = 0

    def webcrypto_jwk(self) -> dict[str, Any]:
        """The public key as ``crypto.subtle.exportKey('jwk', …)`` gives it (no kid)."""
        jwk = {k: v for k, v in self.key.public_jwk().items() if k in ("kty", "crv", "x", "y")}
        return jwk | {"ext": True, "key_ops": ["verify"]}

    def sign(self, payload: dict[str, Any]) -> bytes:
        """A JWS of ``payload`` with the enrolled kid and sender."""
        self.counter += 1
        body = json.dumps(payload, ensure_ascii=False).encode()
        signer = _with_kid(self.key, self.enrolled["kid"])
        return sign_compact(
            body,
            key=signer,
            typ=payload["type"],
            sender=self.enrolled["sender"],
            jti=f"phone-{self.counter}",
        )

    def bearer(self, scope: str = "read") -> dict[str, str]:
        """A read (or evidence) token the phone signs itself."""
        signer = _with_kid(self.key, self.enrolled["kid"])
        token = issue_read_token(signer, sender=self.enrolled["sender"], scope=scope)
        return {"Authorization": f"Bearer {token}"}


def _with_kid(key: SigningKey, kid: str) -> SigningKey:
    """The phone's key under the kid the hub gave it (its RFC 7638 thumbprint)."""
    assert key.kid == kid, "the hub names the key by its thumbprint, as SigningKey does"
    return key


class EnrolmentTry(NamedTuple):
    """What one ``POST /v1/enrolments`` got: its status, its problem type ("" once enrolled)
    and its Retry-After header, if any."""

    status: int
    problem: str
    retry_after: str | None


@dataclass
class County:
    """The office, its staff, and helpers for the enrolment endpoints."""

    office: Office

    async def request_code(self, party: str, **payload: Any) -> tuple[int, dict[str, Any]]:
        """A signed ``enrolment_code_request/v1`` by ``party``."""
        body = {"type": "enrolment_code_request/v1", "role": "coordinator"} | payload
        return await self.office.post("/v1/enrolment-codes", party, body)

    async def enrol(self, code: str, jwk: Any, **extra: Any) -> tuple[int, dict[str, Any]]:
        """POST a code and a JWK, as the app does."""
        response = await self.office.client.post(
            "/v1/enrolments", json={"code": code, "jwk": jwk} | extra
        )
        return response.status, await response.json()

    async def enrol_through_proxy(self, code: str, forwarded_for: str) -> EnrolmentTry:
        """A new phone's try with ``code``, the proxy forwarding it for ``forwarded_for``."""
        response = await self.office.client.post(
            "/v1/enrolments",
            json={"code": code, "jwk": Phone().webcrypto_jwk()},
            headers={"X-Forwarded-For": forwarded_for},
        )
        body = await response.json()
        problem = body["type"] if response.status >= 400 else ""
        return EnrolmentTry(response.status, problem, response.headers.get("Retry-After"))

    async def right_code_after_ten_wrong(self, hops: list[str]) -> EnrolmentTry:
        """Ten wrong codes, each forwarded for ``hops[n]`` (each refused as invalid), then
        the code county-x was issued, forwarded for ``hops[10]``: that last try."""
        status, issued = await self.request_code("county-x", village=A)
        assert status == 201, issued
        invalid = (403, problem_type_uri("enrolment-code-invalid"))
        for attempt, hop in enumerate(hops[:10]):
            wrong = await self.enrol_through_proxy(f"0000-0000-{attempt:04d}", hop)
            assert (wrong.status, wrong.problem) == invalid
        return await self.enrol_through_proxy(issued["code"], hops[10])

    async def enrolled_phone(self, village: str = A) -> Phone:
        """A phone enrolled for ``village`` with a code county-x asked for."""
        status, issued = await self.request_code("county-x", village=village)
        assert status == 201, issued
        phone = Phone()
        status, body = await self.enrol(issued["code"], phone.webcrypto_jwk())
        assert status == 201, body
        phone.enrolled = body
        return phone

    async def push(self, phone: Phone, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST a report the phone signed."""
        response = await self.office.client.post(
            "/v1/reports", data=phone.sign(payload), headers=JOSE
        )
        return response.status, await response.json()

    def report(self, phone: Phone, village: str) -> dict[str, Any]:
        """A death report the phone's coordinator collected in ``village``."""
        person = self.office.people.person() | {
            "region": {"county": village[:6], "village": village}
        }
        return self.office.people.eligibility_report() | {
            "reason": "death",
            "person": person,
            "region": person["region"],
            "reporter": {"id": phone.enrolled["sender"], "role": "coordinator"},
        }


def now() -> datetime:
    """The current time, aware."""
    return datetime.now(UTC)
