"""The local systems' Chinese vocabulary and how it maps to the canonical schema."""

from __future__ import annotations

from typing import Final

from certhub.schemas import EvidenceKind, ReportReason

__all__ = ["EVIDENCE_KINDS", "REASONS", "REPORT_COLUMNS", "ZERO_REPORT"]

REASONS: Final = {
    "死亡": ReportReason.death,
    "失踪": ReportReason.missing,
    "服刑": ReportReason.imprisonment,
    "丧失国籍": ReportReason.loss_of_nationality,
    "重复领取": ReportReason.duplicate_receipt,
    "其他": ReportReason.other,
}
"""事由 (reason) → canonical reason."""

ZERO_REPORT: Final = "零报告"

EVIDENCE_KINDS: Final = {
    "死亡证明": EvidenceKind.death_certificate,
    "火化证明": EvidenceKind.cremation_certificate,
    "判决书": EvidenceKind.court_judgment,
    "户籍注销证明": EvidenceKind.household_cancellation,
    "其他": EvidenceKind.other,
}
"""佐证材料 类型 → canonical evidence kind."""

REPORT_COLUMNS: Final = {
    "person.id_number": "身份证号",
    "person.name": "姓名",
    "person.region": "村居代码",
    "region": "村居代码",
    "reason": "事由",
    "event_date": "发生日期",
    "remarks": "备注",
}
"""Canonical report field → the column both platforms name it with (for error messages)."""
