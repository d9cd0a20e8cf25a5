"""Certification records for register tests: ledger rows with the register's effect, by hand."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from ledgerkit import receipt, unsigned_message

from certhub.hub.store import NewMessage, RecordKind
from certhub.hub.store.effects import Effects, RegisterCertification
from certhub.schemas.clock import CHINA_STANDARD_TIME

CST = CHINA_STANDARD_TIME
COUNTY = "440103"
VILLAGE = "440103001001"


def person(n: int) -> str:
    """A distinct person id per ``n`` (the register does not check ID numbers)."""
    return f"P{n:017d}"


def certification(
    n: int,
    who: str,
    day: date,
    method: str = "face",
    channel: str = "app_12333",
    *,
    at: time = time(10),
) -> NewMessage:
    """The ``n``-th ledger message: ``who`` certified on ``day`` (China Standard Time)."""
    occurred = datetime.combine(day, at, CST)
    payload = {"occurred_at": occurred.isoformat(), "person": {"name": "张三", "id_number": who}}
    return unsigned_message(
        n,
        kind=RecordKind.CERTIFICATION,
        message_type="certification_event/v1",
        sender="channel",
        payload=json.dumps(payload).encode(),
        person_id=who,
        county=COUNTY,
        village=VILLAGE,
        reason=method,
        channel=channel,
        outcome="certified",
        period=f"{day:%Y-%m}",
    )


def entry(message: NewMessage, day: date, sequence: int | None = None) -> Effects:
    """The register effect the intake planner gives ``message``."""
    return Effects(
        certified=RegisterCertification(
            person_id=message.person_id or "",
            certified_on=day.isoformat(),
            month=day.year * 12 + day.month - 1,
            method=message.reason or "",
            channel=message.channel or "",
            area=message.village or "",
            name="张三",
            sequence=sequence,
        )
    )


async def certify(ledger: Any, n: int, who: str, day: date, *args: str, **kw: Any) -> int:
    """Append a passed certification with its register effect; its ledger sequence."""
    message = certification(n, who, day, *args, **kw)
    outcome = await ledger.append(message, receipt, entry(message, day))
    return int(outcome.record.sequence)


def resident_id(n: int, county: str = COUNTY, born: str = "19500101") -> str:
    """A valid 18-character ID number, distinct per ``n`` (0..999)."""
    from certhub.schemas.resident_id import check_character

    first17 = f"{county}{born}{n:03d}"
    return first17 + check_character(first17)


ROSTER_HEADER = (
    "id_number,name,county,village,status,monthly_amount,paid_through,suspended_since,"
    "bank_account_on_file,contact_mobile"
)


def roster_line(
    n: int,
    name: str = "张三",
    *,
    county: str = COUNTY,
    village: str = VILLAGE,
    status: str = "active",
    since: str = "",
    mobile: str = "13800138000",
    id_number: str | None = None,
) -> str:
    """One CSV line of the provincial roster export."""
    who = id_number or resident_id(n, county)
    money = "183.00,2026-10"
    return f"{who},{name},{county},{village},{status},{money},{since},************1234,{mobile}"
