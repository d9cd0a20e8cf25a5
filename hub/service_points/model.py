"""A service point: where a pensioner can go to be certified, modelled on Open Referral HSDS.

HSDS (the Human Services Data Specification) separates an *organization*
that runs *services* delivered at *locations*; a service point here is one
location with the one certification service it offers, flattened into a row
(README, "Service points and the e-map", maps every field). Coordinates are
WGS-84, always; see :mod:`certhub.hub.service_points.geo` for display in GCJ-02.
"""

from __future__ import annotations

import hashlib
import math
import re
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from certhub.hub.service_points.hours import InvalidHours, format_hours, parse_hours
from certhub.schemas import CertificationMethod, CountyCode

# Guangdong with a margin of about 20 km: a point outside it is a typo or a swapped
# or shifted (GCJ-02, BD-09) coordinate pair more often than a real service point.
GUANGDONG: Final = (20.0, 25.7, 109.5, 117.5)  # south, north, west, east (WGS-84 degrees)


class PointKind(StrEnum):
    """What a service point is."""

    yuezhizhu_kiosk = "yuezhizhu_kiosk"  # 粤智助政府服务自助机
    si_terminal = "si_terminal"  # 社保自助终端
    bank_branch = "bank_branch"  # 合作银行网点（柜面）
    bank_terminal = "bank_terminal"  # 合作银行自助终端
    township_counter = "township_counter"  # 镇（街）社保服务窗口


class PointStatus(StrEnum):
    """HSDS ``service.status``: only active points are offered as the nearest."""

    active = "active"
    inactive = "inactive"
    defunct = "defunct"
    temporarily_closed = "temporarily_closed"


class Access(StrEnum):
    """Accessibility features (HSDS ``accessibility``), as a fixed vocabulary for filters."""

    step_free = "step_free"  # 无障碍通道（无台阶）
    accessible_toilet = "accessible_toilet"  # 无障碍卫生间
    staff_assistance = "staff_assistance"  # 有工作人员协助
    seating = "seating"  # 有座位等候
    large_text = "large_text"  # 大字界面/适老化模式


OFFERED_METHODS: Final = frozenset(CertificationMethod) - {CertificationMethod.data_comparison}
"""Methods a place can offer: data comparison needs no visit to anywhere."""


@lru_cache(maxsize=4096)  # a province's list repeats a handful of timetables
def _canonical_hours(text: str) -> str:
    try:
        return format_hours(parse_hours(text))
    except InvalidHours as exc:
        raise ValueError(str(exc)) from exc


_UNSTORABLE: Final = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def _clean_text(text: str) -> str:
    text = " ".join(text.split())
    if _UNSTORABLE.search(text):
        raise ValueError("control characters are not allowed")
    return text


Text = Annotated[str, AfterValidator(_clean_text)]


class ServicePoint(BaseModel):
    """One service point (HSDS location + service_at_location + its service)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$", description="Stable id")
    kind: PointKind
    name: Text = Field(min_length=1, max_length=100)
    address: Text = Field(min_length=1, max_length=200)
    county: CountyCode
    lat: float = Field(ge=-90, le=90, description="WGS-84 latitude, degrees")
    lon: float = Field(ge=-180, le=180, description="WGS-84 longitude, degrees")
    methods: tuple[CertificationMethod, ...] = Field(min_length=1)
    hours: Annotated[str, AfterValidator(_canonical_hours)]
    accessibility: tuple[Access, ...] = ()
    organization: Text | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 -]{4,20}$")
    status: PointStatus = PointStatus.active

    @field_validator("lat", "lon")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("methods")
    @classmethod
    def _offered(cls, value: tuple[CertificationMethod, ...]) -> tuple[CertificationMethod, ...]:
        if not set(value) <= OFFERED_METHODS:
            raise ValueError("data_comparison is not offered at a place")
        return tuple(sorted(set(value)))

    @field_validator("accessibility")
    @classmethod
    def _sorted(cls, value: tuple[Access, ...]) -> tuple[Access, ...]:
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _in_guangdong(self) -> ServicePoint:
        south, north, west, east = GUANGDONG
        if not (south <= self.lat <= north and west <= self.lon <= east):
            raise ValueError(
                f"({self.lat}, {self.lon}) is outside Guangdong: lat/lon swapped, "
                "or not WGS-84 (GCJ-02 and BD-09 are not accepted)?"
            )
        return self

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: equal digests mean nothing changed."""
        # Fields serialize in their declared order: the same point, the same bytes.
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()
