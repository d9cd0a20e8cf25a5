"""Messages pushed by local reporting systems: eligibility reports and zero reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, model_validator

from .clock import CHINA_STANDARD_TIME
from .common import (
    SCHEME_START,
    ActorRef,
    EvidenceRef,
    FreeText,
    Message,
    Month,
    PersonRef,
    RegionRef,
    not_before_birth,
    not_in_future,
    other_needs_remarks,
    validation_now,
)
from .enums import ReportReason

__all__ = ["EligibilityReport", "ZeroReport"]


def _event_date_possible(value: date, info: ValidationInfo) -> date:
    """Not in the future, not before the person's birth (``person`` is validated first)."""
    not_before_birth(value, "event date", info)
    return not_in_future(value, "event date", info)


def _period_possible(value: str, info: ValidationInfo) -> str:
    """Not in the future, not before the scheme began (no compliance to show for it)."""
    today = validation_now(info).astimezone(CHINA_STANDARD_TIME).date()
    if value > f"{today.year:04d}-{today.month:02d}":
        raise ValueError("period is in the future")
    if value < f"{SCHEME_START:%Y-%m}":
        raise ValueError(f"period is before {SCHEME_START:%Y-%m}, when the scheme began")
    return value


class EligibilityReport(Message):
    """A suspected loss of eligibility, registered by whoever collected it (谁收集、谁登记)."""

    type: Literal["eligibility_report/v1"] = "eligibility_report/v1"
    reason: ReportReason
    person: PersonRef
    event_date: Annotated[date, AfterValidator(_event_date_possible)]
    reporter: ActorRef
    region: RegionRef
    evidence: tuple[EvidenceRef, ...] = ()
    remarks: FreeText | None = None

    _other_needs_remarks = model_validator(mode="after")(other_needs_remarks)


def _json_integer(value: object) -> object:
    """Refuse a number that only equals an integer (``0.0``, ``1E-400``, ``false``).

    ``Literal[0]`` compares with ``==``; the ledger keeps the bytes as sent, which
    the published schema (``"type": "integer"``) must still accept for every reader.
    """
    if type(value) is not int:
        raise ValueError("count must be the JSON integer 0")
    return value


class ZeroReport(Message):
    """A region's monthly statement that it has nothing to report (零报告)."""

    type: Literal["zero_report/v1"] = "zero_report/v1"
    reporter: ActorRef
    region: RegionRef
    period: Annotated[
        Month,
        Field(description="reporting month, YYYY-MM"),
        AfterValidator(_period_possible),
    ]
    count: Annotated[Literal[0], BeforeValidator(_json_integer)] = 0
    remarks: FreeText | None = None
