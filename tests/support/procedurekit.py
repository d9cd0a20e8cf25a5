"""Test kit for the procedure: a hub whose trust store has a party in every role."""

from __future__ import annotations

import asyncio
import calendar
import io
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from aiohttp.test_utils import TestClient
from evidence_samples import pdf, png
from hubkit import JOSE, TrustedParties, app_event
from prometheus_client import CollectorRegistry

from certhub.hub.core.settings import Settings
from certhub.hub.rules.months import first_of_next_month, month_index
from certhub.mocks.population import Population
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import SigningKey, TrustStore, sign_compact

T = TypeVar("T")

REPORTS = ["eligibility_report/v1", "zero_report/v1"]
STAFF = [
    "decision/v1",
    "task_transition/v1",
    "restoration/v1",
    "restoration_proposal/v1",  # staff's own, of a voided termination
    "recovery/v1",
    "write_off/v1",
    "rating_followup/v1",
]

# party -> (role, may_send, may_read)
PARTIES: dict[str, tuple[str, list[str], bool]] = {
    "city": ("reporting_system", REPORTS, False),
    "channel": (
        "channel",
        ["certification_event/v1", "biometric_enrolment/v1", "service_rating/v1"],
        False,
    ),
    "town-1": ("town_staff", STAFF, False),
    "town-2": ("town_staff", STAFF, False),
    "county-1": ("county_reviewer", STAFF, True),
    "county-2": ("county_reviewer", STAFF, True),
    "muni-1": ("municipal_approver", ["decision/v1"], False),
    "det-1": ("benefit_determiner", ["decision/v1", "recovery/v1", "write_off/v1"], False),
    "province": ("provincial_system", ["benefit_record/v1"], True),
}


UNITS = """# three villages of one town of 广州市越秀区 that must report monthly
code,name
440103001201,甲村
440103001202,乙村
440103001203,丙村
"""


def trust_store(keys: dict[str, SigningKey]) -> TrustStore:
    """Every party of :data:`PARTIES` with its role and rights."""
    store = TrustStore.empty()
    for party, (role, may_send, may_read) in PARTIES.items():
        store = store.add(
            keys[party].public_jwk(),
            sender=party,
            may_send=may_send,
            may_read=may_read,
            role=role,
        )
    return store


@dataclass
class Office(TrustedParties):
    """A running hub and the parties that work with it."""

    people: Population = field(default_factory=lambda: Population(seed=21))

    def sign(self, party: str, payload: dict[str, Any]) -> bytes:
        """``payload`` signed by ``party`` (typ from its ``type``)."""
        self.counter += 1
        body = json.dumps(payload, ensure_ascii=False).encode()
        return sign_compact(
            body, key=self.keys[party], typ=payload["type"], sender=party, jti=f"m{self.counter}"
        )

    async def post(
        self, path: str, party: str, payload: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """POST a signed message; (status, JSON body)."""
        response = await self.client.post(path, data=self.sign(party, payload), headers=JOSE)
        return response.status, await response.json(content_type=None)

    async def get(self, path: str, party: str = "province", **params: str) -> tuple[int, Any]:
        """GET as a reader."""
        response = await self.client.get(path, params=params, headers=self.bearer(party))
        return response.status, await response.json(content_type=None)

    async def upload(self, data: bytes, media_type: str, party: str = "city") -> str:
        """Store evidence; its digest."""
        response = await self.client.post(
            "/v1/evidence",
            data=io.BytesIO(data),
            headers={"Content-Type": media_type, **self.bearer(party, scope="evidence")},
        )
        assert response.status in (200, 201), await response.text()
        digest: str = (await response.json())["sha256"]
        return digest

    async def decide(
        self, collection: str, item: int, party: str, action: str, **extra: Any
    ) -> tuple[int, dict[str, Any]]:
        """A signed decision by ``party`` acting in its trusted role."""
        role = extra.pop("role", None) or PARTIES[party][0]
        payload = {
            "type": "decision/v1",
            "subject_id": str(item),
            "action": action,
            "actor": {"id": party, "role": role},
            "decided_at": datetime.now(UTC).isoformat(),
            "reasons": ["材料不全"] if action == "reject" else [],
        } | extra
        return await self.post(f"/v1/{collection}/{item}/decisions", party, payload)

    async def accepted(
        self, collection: str, party: str, payload: dict[str, Any], path: str = ""
    ) -> int:
        """``payload`` sent to ``path`` (``/v1/<collection>`` by default) by ``party`` and
        accepted by town staff (town-1) at ``/v1/<collection>``, awaiting the county; its item."""
        status, receipt = await self.post(path or f"/v1/{collection}", party, payload)
        assert status == 202, receipt
        item = int(receipt["sequence"])
        assert (await self.decide(collection, item, "town-1", "accept"))[0] == 202
        return item

    async def approved(
        self, collection: str, party: str, payload: dict[str, Any], path: str = ""
    ) -> int:
        """:meth:`accepted`, then approved by the county (county-1); its item."""
        item = await self.accepted(collection, party, payload, path)
        status, body = await self.decide(collection, item, "county-1", "approve")
        assert status == 202, body
        return item

    async def approved_report(self, report: dict[str, Any]) -> int:
        """``report`` sent by the city, accepted by town staff, approved by the county; its item."""
        return await self.approved("reports", "city", report)

    async def reported(self, person: dict[str, Any], reason: str, on: date) -> str:
        """A ``reason`` report of ``person`` (event ``on``) by the city, accepted and approved:
        the id of the task it opened."""
        report = self.people.eligibility_report() | {
            "reason": reason, "person": person, "event_date": on.isoformat(),
            "region": person["region"],
        }  # fmt: skip
        return f"task-{await self.approved_report(report)}"

    def death_report(self, person: dict[str, Any], died: date, certificate: str) -> dict[str, Any]:
        """The city's report that ``person`` died on ``died``, citing the stored cremation
        certificate ``certificate`` (a PDF's digest): the demo's report, from the kit's people."""
        return self.people.death_report(person, died, certificate)

    async def reported_death(
        self, person: dict[str, Any], died: date, **changes: Any
    ) -> dict[str, Any]:
        """A death of ``person`` on ``died`` reported by the city with a cremation certificate,
        accepted by town staff and approved by the county: the task it opened."""
        certificate = await self.upload(evidence_payloads()["pdf"], "application/pdf")
        item = await self.approved_report(self.death_report(person, died, certificate) | changes)
        status, page = await self.get("/v1/verification-tasks", status="open")
        assert status == 200, page
        (task,) = [t for t in page["items"] if t["sources"] == [str(item)]]
        return dict(task)

    async def confirmed_death(self, person: dict[str, Any], died: date) -> str:
        """:meth:`reported_death`, then confirmed by the county: the task id."""
        task = await self.reported_death(person, died)
        status, body = await self.step(
            task["task_id"], "county-1", "confirmed", event_date=died.isoformat()
        )
        assert status == 202, body
        return str(task["task_id"])

    async def step(
        self, task_id: str, party: str, to: str, **extra: Any
    ) -> tuple[int, dict[str, Any]]:
        """A signed verification-task step by ``party`` acting in its trusted role (``role``
        in ``extra`` for a party not in :data:`PARTIES`)."""
        role = extra.pop("role", None) or PARTIES[party][0]
        payload: dict[str, Any] = {
            "type": "task_transition/v1",
            "task_id": task_id,
            "to_status": to,
            "actor": {"id": party, "role": role},
            "at": datetime.now(UTC).isoformat(),
        }
        if to != "in_progress":
            payload |= {"method": "department_letter", "outcome": "民政部门火化记录核实"}
        return await self.post(
            f"/v1/verification-tasks/{task_id}/transitions", party, payload | extra
        )

    async def roster(self, person: dict[str, Any], **changes: Any) -> None:
        """The provincial system puts ``person`` on the roster (see :func:`roster_entry`)."""
        status, body = await self.post("/v1/roster", "province", roster_entry(person, **changes))
        assert status == 202, body

    async def suspended(self, person: dict[str, Any], since: date) -> None:
        """The roster shows ``person`` suspended since ``since``, paid through that month."""
        await self.roster(
            person,
            status="suspended",
            suspended_since=since.isoformat(),
            paid_through=since.strftime("%Y-%m"),
        )

    async def certified_in_app(
        self,
        person: dict[str, Any],
        at: str | None = None,
        *,
        app: str = "app_12333",
        outcome: str = "certified",
    ) -> int:
        """:func:`app_event` pushed by the ``channel`` party: its ledger sequence."""
        event = app_event(person, at, app=app, outcome=outcome)
        status, body = await self.post("/v1/certifications", "channel", event)
        assert status == 202, body
        return int(body["sequence"])

    async def ledger_size(self) -> int:
        """Records in the ledger (to prove refusals store nothing)."""
        from certhub.hub.core.keys import STORE

        size: int = await self.client.app[STORE].count()
        return size


async def open_office(
    client_for: Callable[..., Awaitable[TestClient[Any, Any]]],
    data: Path,
    keys: dict[str, SigningKey],
    *,
    units: str | None = None,
    store: TrustStore | None = None,
    **settings: Any,
) -> Office:
    """A running hub whose trust store is ``store`` (by default every party of
    :data:`PARTIES`), its notifier recording every SMS; the e-ID check is off unless
    ``settings`` say otherwise."""
    from certhub.hub.core.keys import NOTICE_SENDER
    from certhub.hub.delivery.notices import LoggingNoticeSender
    from certhub.hub.runtime.app import create_app

    config = Settings(data_dir=data, **({"identity_check": "off"} | settings))
    config.data_dir.mkdir(parents=True)
    store = trust_store(keys) if store is None else store
    store.save(config.trust_store_path)
    if units is not None:
        config.reporting_units_path.write_text(units, encoding="utf-8")
    app = create_app(config, registry=CollectorRegistry())
    app[NOTICE_SENDER] = LoggingNoticeSender()
    return Office(await client_for(app), config, keys)


def roster_entry(person: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An active benefit record of 238.00 a month, paid through this month (China time)."""
    return {
        "type": "benefit_record/v1",
        "person": person,
        "status": "active",
        "monthly_amount": "238.00",
        "paid_through": datetime.now(CHINA_STANDARD_TIME).strftime("%Y-%m"),
        "bank_account_on_file": "6222***********0123",
        "as_of": datetime.now(UTC).isoformat(),
    } | changes


def today() -> date:
    """Today in China Standard Time (the ledger's months)."""
    return datetime.now(UTC).astimezone(CHINA_STANDARD_TIME).date()


def month_day(offset: int, day: int = 1) -> date:
    """Day ``day`` of the month ``offset`` months from this one (China time), computed
    apart from the hub's month arithmetic: ``month_day(-4)`` is the 1st four months ago."""
    index = today().year * 12 + today().month - 1 + offset
    return date(index // 12, index % 12 + 1, day)


def month_end(offset: int) -> date:
    """The last day of the month ``offset`` months from this one (China time)."""
    start = month_day(offset)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def restoration(person: dict[str, Any], since: date, **changes: Any) -> dict[str, Any]:
    """A restoration by town staff of ``person``, suspended since ``since``: restored this
    month at 238.00, back pay from the month after ``since`` to the end of last month."""
    start = first_of_next_month(since)
    restore_from = today().replace(day=1)
    months = month_index(restore_from) - month_index(start)
    return {
        "type": "restoration/v1",
        "person": person,
        "suspended_since": since.isoformat(),
        "restore_from": restore_from.isoformat(),
        "back_pay_from": start.isoformat(),
        "back_pay_to": (restore_from - timedelta(days=1)).isoformat(),
        "monthly_amount": "238.00",
        "back_pay_amount": str(Decimal("238.00") * months),
        "bank_account": "6222021234567890123",
        "bank_account_on_file": "6222***********0123",
        "requested_by": {"id": "town-1", "role": "town_staff"},
        "requested_at": datetime.now(UTC).isoformat(),
    } | changes


def back_paid_months(
    person: dict[str, Any], since: date, first: int, last: int, amount: str, **changes: Any
) -> dict[str, Any]:
    """:func:`restoration` back-paying M(``first``)..M(``last``), ``amount`` in all (the
    caller's hand-computed sum), payment resumed from M(``last`` + 1) unless ``changes``."""
    window = {
        "back_pay_from": month_day(first).isoformat(),
        "back_pay_to": month_end(last).isoformat(),
        "restore_from": month_day(last + 1).isoformat(),
        "back_pay_amount": amount,
    }
    return restoration(person, since, **(window | changes))


def recovery(task_id: str, amount: str, party: str = "det-1", **changes: Any) -> dict[str, Any]:
    """``amount`` of overpayment ``task_id`` recovered today from a bank reversal, recorded by
    ``party`` in its trusted role (a benefit determiner unless named)."""
    return {
        "type": "recovery/v1",
        "task_id": task_id,
        "amount": amount,
        "source": "bank_reversal",
        "recovered_on": today().isoformat(),
        "actor": {"id": party, "role": PARTIES[party][0]},
        "at": datetime.now(UTC).isoformat(),
    } | changes


def write_off(task_id: str, amount: str, party: str = "det-1", **changes: Any) -> dict[str, Any]:
    """The rest (``amount``) of overpayment ``task_id`` asked to be written off by ``party``
    in its trusted role (a benefit determiner unless named)."""
    return {
        "type": "write_off/v1",
        "task_id": task_id,
        "amount": amount,
        "reason": "无遗产可追，继承人放弃继承",
        "actor": {"id": party, "role": PARTIES[party][0]},
        "at": datetime.now(UTC).isoformat(),
    } | changes


def counter_event(
    person: dict[str, Any],
    id_image: str,
    onsite_photo: str,
    *,
    media_types: tuple[str, str] = ("image/png", "image/png"),
) -> dict[str, Any]:
    """A counter certification by town staff at ``YF-01``, citing two stored evidence digests."""
    return {
        "type": "certification_event/v1",
        "person": person,
        "method": "counter",
        "channel": {"kind": "counter", "code": "YF-01"},
        "outcome": "certified",
        "occurred_at": datetime.now(UTC).isoformat(),
        "operator": {"id": "town-1", "role": "town_staff"},
        "evidence": [
            {"sha256": id_image, "kind": "id_image", "media_type": media_types[0]},
            {"sha256": onsite_photo, "kind": "onsite_photo", "media_type": media_types[1]},
        ],
    }


async def sent_in_time(sent: Mapping[str, T], key: str, seconds: float = 10) -> T:
    """What a notifier's ``sent`` record holds under ``key``, once the delivery loop has sent it."""
    deadline = time.monotonic() + seconds
    while key not in sent:
        assert time.monotonic() < deadline, f"nothing sent as {key}"
        await asyncio.sleep(0.02)
    return sent[key]


def evidence_payloads() -> dict[str, bytes]:
    """A cremation certificate PDF, an ID image and an on-site photo."""
    return {"pdf": pdf("火化证明"), "id": png(100, "ID card"), "photo": png(200, "on-site photo")}
