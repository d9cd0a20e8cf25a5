"""The mock bank: publishes signed terminal events, drops reconciliation files, checks accounts.

* :class:`BankTerminalPublisher` signs native terminal events with each bank's
  key and publishes them to the banks' AMQP exchange — or, on request, the
  faults a real network produces (unsigned, wrongly signed, wrong content
  type, oversized, unknown bank code, malformed, invalid record).
* Reconciliation files come from :func:`certhub.mocks.bank_files.write_reconciliation`.
* :class:`BankAccountMock` answers ``POST /api/v1/account-checks``, validating
  requests and answers against the adapter's ``account.openapi.json``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from aiohttp import web

from certhub.schemas.clock import CHINA_STANDARD_TIME as CST
from certhub.security import SigningKey, TrustStore, sign_compact

from .contracts import OpenApi
from .faults import FaultConfig, FaultKind
from .population import Population
from .rest import fault_response, problem
from .server import MockDepartment

__all__ = ["ACCOUNT_CONTRACT", "BankAccountMock", "BankTerminalPublisher", "TerminalFault"]

ACCOUNT_CONTRACT: Final = (
    Path(__file__).resolve().parent.parent / "adapters" / "bank" / "account.openapi.json"
)
MESSAGE_TYPE: Final = "bank_terminal_certification/v1"


class TerminalFault(StrEnum):
    """How one published terminal message is wrong."""

    unsigned = "unsigned"
    bad_signature = "bad_signature"
    wrong_content_type = "wrong_content_type"
    oversized = "oversized"
    unknown_bank = "unknown_bank"
    malformed = "malformed"
    invalid_record = "invalid_record"


class BankTerminalPublisher:
    """The banks' side of the AMQP link: one signing key per bank code."""

    def __init__(
        self,
        amqp_url: str,
        exchange: str,
        bank_codes: frozenset[str],
        *,
        population: Population | None = None,
    ) -> None:
        self.amqp_url = amqp_url
        self.exchange_name = exchange
        self.keys = {code: SigningKey.generate() for code in sorted(bank_codes)}
        self.population = population or Population()
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._serial = 0

    def trust_store(self) -> TrustStore:
        """The banks' keys as the hub's adapter is configured with them."""
        store = TrustStore.empty()
        for code, key in self.keys.items():
            store = store.add(key.public_jwk(), sender=f"bank:{code}", may_send=[MESSAGE_TYPE])
        return store

    async def connect(self) -> None:
        """Connect and declare the banks' exchange (durable topic)."""
        self._connection = await aio_pika.connect_robust(self.amqp_url)
        self._channel = await self._connection.channel(publisher_confirms=True)
        self._exchange = await self._channel.declare_exchange(
            self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )

    async def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    def native(self, code: str, **changes: Any) -> dict[str, Any]:
        """A realistic native terminal event of bank ``code``."""
        person = self.population.person()
        self._serial += 1
        when = datetime.now(CST).replace(microsecond=0) - timedelta(minutes=5)
        record = {
            "yhdm": code,
            "zdbh": f"T{code}{self.population.rng.randint(0, 99999):05d}",
            "lsh": f"{code}{when:%Y%m%d}{self._serial:08d}",
            "sfzh": person["id_number"],
            "xm": person["name"],
            "xzqh": person["region"]["county"],
            "rzfs": self.population.rng.choice(("1", "1", "2")),
            "rzjg": "1" if self.population.rng.random() < 0.95 else "0",
            "rzsj": when.isoformat(),
            "zpzy": hashlib.sha256(person["id_number"].encode()).hexdigest(),
        }
        return record | changes

    def sign(self, native: dict[str, Any], *, signer: str | None = None, jti: str | None = None
             ) -> bytes:  # fmt: skip
        """The compact JWS of ``native``, signed by bank ``signer`` (default: its own)."""
        code = signer or native["yhdm"]
        body = json.dumps(native, ensure_ascii=False, separators=(",", ":")).encode()
        return sign_compact(
            body, key=self.keys[code], typ=MESSAGE_TYPE, sender=f"bank:{code}", jti=jti
        )

    def faulty(self, fault: TerminalFault, code: str) -> tuple[bytes, str]:
        """A body and content type showing ``fault``."""
        native = self.native(code)
        if fault is TerminalFault.wrong_content_type:
            return self.sign(native), "application/json"
        if fault is TerminalFault.bad_signature:
            head, payload, _signature = self.sign(native).split(b".")
            other = self.sign(self.native(code)).split(b".")[2]  # another message's signature
            return b".".join((head, payload, other)), "application/jose"
        bodies: dict[TerminalFault, Callable[[], bytes]] = {
            TerminalFault.unsigned: lambda: json.dumps(native).encode(),
            TerminalFault.oversized: lambda: self.sign(native | {"bz": "x" * 128 * 1024}),
            TerminalFault.unknown_bank: lambda: self.sign(native | {"yhdm": "999"}, signer=code),
            TerminalFault.malformed: lambda: b"eyJhbGciOiJub25lIn0.e30.AAAA",  # alg none
            TerminalFault.invalid_record: lambda: self.sign(native | {"rzfs": "9"}),
        }
        return bodies[fault](), "application/jose"

    async def publish(self, body: bytes, *, content_type: str, code: str = "102") -> None:
        """Publish one message (publisher-confirmed)."""
        assert self._exchange is not None, "connect() first"  # noqa: S101
        message = aio_pika.Message(
            body=body, content_type=content_type, delivery_mode=aio_pika.DeliveryMode.PERSISTENT
        )
        await self._exchange.publish(message, routing_key=f"certification.{code}")


class BankAccountMock(MockDepartment):
    """Accounts of seeded pensioners: open, closed, and one held by someone else."""

    name = "bank_accounts"

    def __init__(
        self,
        seed: int = 2026,
        *,
        bank_code: str = "102",
        api_key: str | None = None,
        faults: FaultConfig | None = None,
    ) -> None:
        super().__init__(faults)
        self.bank_code = bank_code
        self.api_key = api_key
        self.contract = OpenApi(ACCOUNT_CONTRACT)
        population = Population(seed)
        self.accounts: dict[str, tuple[str, str, bool]] = {}
        for index in range(30):
            person = population.person()
            number = f"6222{index:015d}"
            self.accounts[number] = (person["name"], person["id_number"], index % 10 != 9)

    def add_routes(self, app: web.Application) -> None:
        """The account-check endpoint."""
        app.router.add_post("/api/v1/account-checks", self._check)

    async def _check(self, request: web.Request) -> web.Response:
        kind = await self.begin(request)
        refused = fault_response(kind, self.injector.config)
        if refused is not None:
            return refused
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return problem(401, "unknown caller")
        try:
            body = json.loads(await request.read())
        except ValueError:
            return problem(400, "body is not JSON")
        if self.contract.problems("AccountCheck", body):
            return problem(400, "body breaks AccountCheck")
        held = self.accounts.get(body["zh"])
        if held is None or (held[0], held[1]) != (body["hm"], body["zjhm"]):
            verdict = "02"
        else:
            verdict = "01" if held[2] else "03"
        answer = {"qqbh": body["qqbh"], "jg": verdict, "yhdm": self.bank_code,
                  "hysj": datetime.now(CST).isoformat(timespec="seconds")}  # fmt: skip
        assert not self.contract.problems("AccountVerdict", answer), "mock drifted"  # noqa: S101
        if kind is FaultKind.malformed:
            return web.Response(body=b'{"qqbh": ', content_type="application/json")
        return web.json_response(answer)
