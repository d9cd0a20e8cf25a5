"""The signed messages of the demo's accountability month, and its calendar (China time)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from certhub.hub.rules.months import month_index, month_label, month_start
from certhub.schemas.clock import CHINA_STANDARD_TIME

MONTHLY: Final = "238.00"


def roster(person: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An active roster entry of 238.00 a month, paid through this month."""
    return {
        "type": "benefit_record/v1",
        "person": person,
        "status": "active",
        "monthly_amount": MONTHLY,
        "paid_through": this_month(),
        "bank_account_on_file": "6222***********0123",
        "contact_mobile": "13800138000",
        "as_of": now.isoformat(),
    }


def certification(person: dict[str, Any], when: datetime, method: str = "face") -> dict[str, Any]:
    """A passed certification through a channel app (免办: the department-data channel)."""
    kind = "department_data" if method == "data_comparison" else "app_gdrs"
    return {
        "type": "certification_event/v1",
        "person": person,
        "method": method,
        "channel": {"kind": kind, "code": "gd"},
        "outcome": "certified",
        "occurred_at": when.isoformat(),
    }


def enrolment(person: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A face model enrolled through the app, with the person's separate consent."""
    return {
        "type": "biometric_enrolment/v1",
        "person": person,
        "modality": "face",
        "status": "enrolled",
        "occurred_at": now.isoformat(),
        "channel": {"kind": "app_gdrs"},
        "consent": {"given_at": now.isoformat(), "method": "in_app"},
    }


def rating(service: int, score: int, now: datetime) -> dict[str, Any]:
    """A channel app's rating of the service at ledger sequence ``service``."""
    return {
        "type": "service_rating/v1",
        "service_record": service,
        "score": score,
        "rater": "pensioner",
        "rated_at": now.isoformat(),
    }


def noon(day: date) -> datetime:
    """Noon of ``day``, China Standard Time."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=CHINA_STANDARD_TIME)


def today() -> date:
    """Today in China Standard Time."""
    return datetime.now(CHINA_STANDARD_TIME).date()


def this_month() -> str:
    """The running month (China Standard Time), ``YYYY-MM``."""
    return month_label(month_index(today()))


def months_ago(n: int) -> date:
    """The 15th of the month ``n`` months before this one."""
    return month_start(month_index(today()) - n, 15)
