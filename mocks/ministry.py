"""Mock ministry certification system / national social-insurance public service platform.

``GET /api/v1/certification-results?cursor=&limit=`` pages through seeded
biometric certification results (face, fingerprint, finger vein via the
national platform, e-social-security card and 掌上12333); every page is
signed with the mock's Ed25519 key (``X-Ministry-Signature``).
``POST /api/v1/provincial-results`` takes one provincial result, idempotent
by ``Idempotency-Key``. Requests and answers are validated against
``ministry.openapi.json``, the adapter's own contract.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from certhub.schemas import check_character
from certhub.schemas.clock import CHINA_STANDARD_TIME as CST
from certhub.security import SigningKey, b64url_encode

from .contracts import openapi
from .faults import FaultConfig, FaultKind
from .photos import jpeg_photo
from .population import Population
from .rest import fault_response, json_body, problem
from .server import ADMIN, MockDepartment

__all__ = ["MinistryMock"]

PULL = "/api/v1/certification-results"
PUSH = "/api/v1/provincial-results"


class MinistryMock(MockDepartment):
    """Seeded certification results, a signing key, and an idempotent push endpoint."""

    name = "ministry"

    def __init__(self, seed: int = 2026, *, size: int = 120, faults: FaultConfig | None = None):
        super().__init__(faults)
        self.key = SigningKey.generate("EdDSA")
        self.records = _records(Population(seed), size)
        self.pushed: dict[str, tuple[bytes, dict[str, Any]]] = {}
        self.contract = openapi("ministry")

    def add_routes(self, app: web.Application) -> None:
        """Pull, push and the list of pushed results."""
        app.router.add_get(PULL, self._pull)
        app.router.add_post(PUSH, self._push)
        app.router.add_get(f"{ADMIN}/pushed", self._pushed)

    def public_jwk(self) -> dict[str, str]:
        """The key adapters verify pages with."""
        return self.key.public_jwk()

    async def _pull(self, request: web.Request) -> web.Response:
        kind = await self.begin(request)
        refused = fault_response(kind, self.injector.config)
        if refused is not None:
            return refused
        invalid = self._invalid_parameter(request)
        if invalid:
            return problem(400, f"invalid query parameter {invalid}")
        cursor = request.query.get("cursor", "r0")
        start = int(cursor[1:]) if cursor[1:].isdigit() else 0
        chunk = self.records[start : start + int(request.query["limit"])]
        end = start + len(chunk)
        page = {"records": chunk, "next_cursor": f"r{end}", "has_more": end < len(self.records)}
        assert not self.contract.problems("ResultPage", page), "mock drifted from contract"  # noqa: S101
        body = json_body(page)
        signed = body + b"tampered" if kind is FaultKind.bad_signature else body
        signature = b64url_encode(self.key.sign(signed))
        if kind is FaultKind.malformed:
            body = body[: len(body) // 2]
            signature = b64url_encode(self.key.sign(body))
        return web.Response(
            body=body,
            content_type="application/json",
            headers={"X-Ministry-Signature": signature},
        )

    def _invalid_parameter(self, request: web.Request) -> str | None:
        """The first query parameter breaking the contract, or None."""
        limit = request.query.get("limit", "")
        params: dict[str, object] = {
            "limit": int(limit) if limit.isdigit() else limit,
            "cursor": request.query.get("cursor"),
        }
        for declared in self.contract.parameters(PULL, "get"):
            value = params.get(declared["name"])
            if value is None and not declared.get("required"):
                continue
            if self.contract.problems(declared["schema"], value):
                return str(declared["name"])
        return None

    async def _push(self, request: web.Request) -> web.Response:
        kind = await self.begin(request)
        refused = fault_response(kind, self.injector.config)
        if refused is not None:
            return refused
        key = request.headers.get("Idempotency-Key", "")
        raw = await request.read()
        invalid = self._invalid_push(key, raw)
        if invalid is not None:
            return invalid
        digest = hashlib.sha256(raw).digest()
        if key in self.pushed:
            previous, acceptance = self.pushed[key]
            if previous != digest:
                return problem(409, "Idempotency-Key reused for a different result")
            return web.json_response({**acceptance, "duplicate": True}, status=200)
        acceptance = {
            "slbh": f"SL{len(self.pushed) + 1:010d}",
            "slsj": datetime.now(CST).isoformat(timespec="seconds"),
            "duplicate": False,
        }
        self.pushed[key] = (digest, acceptance)
        if kind is FaultKind.malformed:
            return web.Response(body=b'{"slbh": ', content_type="application/json", status=201)
        return web.json_response(acceptance, status=201)

    def _invalid_push(self, key: str, raw: bytes) -> web.Response | None:
        """The problem answer for a push breaking the contract, or None."""
        key_schema = self.contract.parameters(PUSH, "post")[0]["schema"]
        if self.contract.problems(key_schema, key):
            return problem(400, "missing or invalid Idempotency-Key")
        try:
            body = json.loads(raw)
        except ValueError:
            return problem(400, "body is not JSON")
        if self.contract.problems("ProvincialResult", body):
            return problem(422, "body breaks ProvincialResult")
        return None

    async def _pushed(self, _request: web.Request) -> web.Response:
        return web.json_response({"count": len(self.pushed), "keys": sorted(self.pushed)})


def _records(population: Population, size: int) -> list[dict[str, Any]]:
    """Seeded result records; every 40th has a wrong check character (canonically invalid)."""
    now = datetime.now(CST).replace(microsecond=0)
    records = []
    for index in range(size):
        person = population.person()
        when = now - timedelta(days=30) + timedelta(minutes=17 * index)
        certified = population.rng.random() < 0.9
        id_number = person["id_number"]
        if index % 40 == 39:
            wrong = "0" if check_character(id_number[:17]) != "0" else "1"
            id_number = id_number[:17] + wrong
        record: dict[str, Any] = {
            "rzid": f"RZ{index:08d}",
            "aac002": id_number,
            "aac003": person["name"],
            "aab301": person["region"]["county"],
            "rzfs": ("01", "01", "01", "02", "03")[index % 5],
            "rzqd": ("01", "02", "03")[index % 3],
            "rzjg": "1" if certified else "0",
            "rzsj": when.isoformat(),
            "yxqz": (when.date() + timedelta(days=365)).isoformat() if certified else None,
            "zpzy": hashlib.sha256(jpeg_photo(id_number)).hexdigest(),
        }
        if index % 2:
            record["sbbh"] = f"DEV-{population.rng.randint(1000, 9999)}"
        records.append(record)
    return records
