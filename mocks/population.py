"""Realistic, reproducible pensioners and reports for Guangdong.

Valid resident ID numbers (real check characters, real birth dates of people
aged 60+), current Guangdong county codes with village codes under them, and
Chinese names — Han names and names of ethnic minorities written with ``·``.
Everything derives from one ``random.Random`` so a seed reproduces a run.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from certhub.schemas import GUANGDONG_COUNTIES, ReportReason, check_character

SURNAMES: Final = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方邹熊邱江尹黎龚莫温冼区欧阳"
)
GIVEN: Final = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉兰凤珍金桂福贵发财亚妹带娣"
MINORITY_NAMES: Final = (
    "阿依古丽·买买提",
    "热依拉·艾力",
    "穆罕默德·阿卜杜拉",
    "扎西·次仁",
    "巴特尔·额尔德尼",
)
# County codes only: city-level rows (xx00) are not places where people live,
# except Dongguan and Zhongshan, which have no counties.
COUNTIES: Final = tuple(
    code for code in GUANGDONG_COUNTIES if not code.endswith("00") or code in {"441900", "442000"}
)
REASON_WEIGHTS: Final = {
    ReportReason.death: 70,
    ReportReason.imprisonment: 6,
    ReportReason.missing: 5,
    ReportReason.loss_of_nationality: 2,
    ReportReason.duplicate_receipt: 12,
    ReportReason.other: 5,
}


class Population:
    """A seeded source of pensioners, reporters and report payloads."""

    def __init__(self, seed: int = 2026, *, today: date | None = None) -> None:
        self.rng = random.Random(seed)
        self.today = today or datetime.now(UTC).date()

    def name(self) -> str:
        """A Chinese name; about one in thirty is a minority name with ``·``."""
        if self.rng.random() < 1 / 30:
            return self.rng.choice(MINORITY_NAMES)
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def region(self) -> dict[str, str]:
        """A county and a 12-digit village code inside it."""
        county = self.rng.choice(COUNTIES)
        town = self.rng.randint(1, 30)
        village = self.rng.randint(1, 40)
        return {"county": county, "village": f"{county}{town:03d}{200 + village:03d}"}

    def resident_id(self, county: str, born: date) -> str:
        """A valid 18-character number for someone born in ``county`` on ``born``."""
        first17 = f"{county}{born:%Y%m%d}{self.rng.randint(0, 999):03d}"
        return first17 + check_character(first17)

    def person(self) -> dict[str, Any]:
        """A pensioner aged 60 to 95."""
        region = self.region()
        born = self.today - timedelta(days=self.rng.randint(60 * 366, 95 * 365))
        return {
            "id_number": self.resident_id(region["county"], born),
            "name": self.name(),
            "region": region,
        }

    def reporter(self, region: dict[str, str]) -> dict[str, str]:
        """The village coordinator who collected the report (谁收集、谁登记)."""
        return {
            "id": f"coord-{region['village']}",
            "role": "coordinator",
            "name": self.name(),
        }

    def eligibility_report(self) -> dict[str, Any]:
        """An eligibility-report payload, as a reporting system would send it."""
        person = self.person()
        reason = self.rng.choices(list(REASON_WEIGHTS), weights=list(REASON_WEIGHTS.values()))[0]
        payload: dict[str, Any] = {
            "type": "eligibility_report/v1",
            "reason": reason.value,
            "person": person,
            "event_date": (self.today - timedelta(days=self.rng.randint(1, 60))).isoformat(),
            "reporter": self.reporter(person["region"]),
            "region": person["region"],
        }
        if reason is ReportReason.other or self.rng.random() < 0.2:
            payload["remarks"] = self.rng.choice(
                ("家属到村委会告知", "网格员走访发现", "邻居反映长期未见本人", "外出务工，联系不上")
            )
        return payload

    def death_report(self, person: dict[str, Any], died: date, certificate: str) -> dict[str, Any]:
        """A reporting system's report that ``person`` died on ``died``, citing the stored
        cremation certificate ``certificate`` (a PDF's digest)."""
        return self.eligibility_report() | {
            "reason": "death",
            "person": person,
            "event_date": died.isoformat(),
            "region": person["region"],
            "evidence": [
                {
                    "sha256": certificate,
                    "kind": "cremation_certificate",
                    "media_type": "application/pdf",
                }
            ],
        }

    def zero_report(self, period: str) -> dict[str, Any]:
        """A village's zero report for ``period``."""
        region = self.region()
        return {
            "type": "zero_report/v1",
            "reporter": self.reporter(region),
            "region": region,
            "period": period,
            "count": 0,
        }

    def message_id(self) -> str:
        """A message id unique per sender (reproducible under the seed)."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4).hex
