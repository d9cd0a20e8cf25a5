"""Mock city platforms: Yunfu pushes signed native JSON, Zhaoqing uploads signed monthly CSVs.

Both sign with their own key (a certhub trust store holds the public half,
the hub's adapter is configured with it). Native payloads come from the
seeded :class:`~certhub.mocks.population.Population`, in the platforms' own Chinese
field names; :meth:`ZhaoqingPlatform.monthly_csv` writes UTF-8 with BOM or
GBK and can mix in the bad rows real files contain.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any, Final

from certhub.schemas import ReportReason
from certhub.security import SigningKey, TrustStore, b64url_encode, sign_compact

from .population import Population

__all__ = ["REASON_WORDS", "YunfuPlatform", "ZhaoqingPlatform"]

REASON_WORDS: Final = {
    ReportReason.death: "死亡",
    ReportReason.missing: "失踪",
    ReportReason.imprisonment: "服刑",
    ReportReason.loss_of_nationality: "丧失国籍",
    ReportReason.duplicate_receipt: "重复领取",
    ReportReason.other: "其他",
}
HEADER: Final = (
    "序号",
    "身份证号",
    "姓名",
    "事由",
    "发生日期",
    "村居代码",
    "登记人编号",
    "登记人姓名",
    "备注",
)


class _SigningPlatform:
    sender = "platform"
    message_type = ""

    def __init__(self, population: Population | None = None) -> None:
        self.key = SigningKey.generate()
        self.population = population or Population()

    def trust_store(self) -> TrustStore:
        """The platform's key as the hub's adapter trusts it."""
        return TrustStore.empty().add(
            self.key.public_jwk(), sender=self.sender, may_send=[self.message_type]
        )


class YunfuPlatform(_SigningPlatform):
    """云浮 城乡养老公共服务平台: one signed report per push."""

    sender = "yunfu-platform"
    message_type = "yunfu_report/v1"

    def report(self, **changes: Any) -> dict[str, Any]:
        """A native 信息报告."""
        canonical = self.population.eligibility_report()
        person, reporter = canonical["person"], canonical["reporter"]
        native = {
            "报告类型": "信息报告",
            "身份证号": person["id_number"],
            "姓名": person["name"],
            "事由": REASON_WORDS[ReportReason(canonical["reason"])],
            "发生日期": canonical["event_date"],
            "村居代码": person["region"]["village"],
            "佐证材料": [],
            "登记人": {"编号": reporter["id"].removeprefix("coord-"), "姓名": reporter["name"]},
            "备注": canonical.get("remarks") or "网格员上报",
        }
        return native | changes

    def zero_report(self, period: str, **changes: Any) -> dict[str, Any]:
        """A native 零报告 for one village."""
        region = self.population.region()
        native = {
            "报告类型": "零报告",
            "村居代码": region["village"],
            "报告期": period,
            "登记人": {"编号": region["village"], "姓名": self.population.name()},
        }
        return native | changes

    def sign(self, native: dict[str, Any], *, jti: str | None = None) -> bytes:
        """The compact JWS the platform pushes."""
        body = json.dumps(native, ensure_ascii=False).encode()
        return sign_compact(body, key=self.key, typ=self.message_type, sender=self.sender, jti=jti)


class ZhaoqingPlatform(_SigningPlatform):
    """肇庆: a town's monthly CSV, signed (detached JWS) by the city platform."""

    sender = "zhaoqing-platform"
    message_type = "zhaoqing_monthly_csv/v1"

    def rows(self, town: str, period: str, count: int) -> list[list[str]]:
        """``count`` report rows (deaths, imprisonment, duplicate receipt) in ``town``."""
        rows = []
        first = date.fromisoformat(f"{period}-01")
        for index in range(count):
            person = self.population.person()
            village = f"{town}{200 + index % 40:03d}"
            born = date.fromisoformat(
                f"{person['id_number'][6:10]}-{person['id_number'][10:12]}-{person['id_number'][12:14]}"
            )
            id_number = self.population.resident_id(town[:6], born)
            word = ("死亡", "服刑", "重复领取")[index % 3]
            rows.append([str(index + 1), id_number, person["name"], word,
                         (first + timedelta(days=index % 20)).isoformat(), village,
                         f"ZQ{village}", self.population.name(), ""])  # fmt: skip
        return rows

    def zero_row(self, town: str, number: int, village_suffix: str = "201") -> list[str]:
        """A 零报告 row for one village of ``town``."""
        village = f"{town}{village_suffix}"
        return [str(number), "", "", "零报告", "", village, f"ZQ{village}", "李协办", ""]

    @staticmethod
    def monthly_csv(
        rows: list[list[str]], *, encoding: str = "gbk", header: tuple[str, ...] = HEADER
    ) -> bytes:
        """The file as the town exports it: GBK, or UTF-8 with a BOM."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        text = out.getvalue()
        return b"\xef\xbb\xbf" + text.encode() if encoding == "utf-8-sig" else text.encode("gbk")

    def signature(self, data: bytes) -> str:
        """The detached compact JWS over ``data`` for ``X-Zhaoqing-Signature``."""
        token = sign_compact(data, key=self.key, typ=self.message_type, sender=self.sender)
        head, _payload, signature = token.split(b".")
        return f"{head.decode()}..{signature.decode()}"

    @staticmethod
    def payload_segment(data: bytes) -> str:
        """base64url of ``data`` (for checking a detached signature by hand)."""
        return b64url_encode(data)
