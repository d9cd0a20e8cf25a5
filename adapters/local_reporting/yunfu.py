"""Yunfu-style city platform (城乡养老公共服务平台): pushed JSON with Chinese field names.

The platform sends one report per request as a compact JWS
(``application/jose``, type ``yunfu_report/v1``) signed with its own key —
it is the registered collector (谁收集、谁登记) — over its native JSON::

    报告类型  信息报告 | 零报告
    身份证号, 姓名, 事由 (死亡 失踪 服刑 丧失国籍 重复领取 其他), 发生日期 (YYYY-MM-DD)
    村居代码  12-digit village code (its first six digits are the county)
    佐证材料  [{摘要: SHA-256, 类型: 死亡证明 …, 格式: application/pdf …}]
    登记人    {编号, 姓名} — the coordinator who collected it
    报告期    YYYY-MM (zero reports)
    备注      free text

The platform's ``jti`` becomes the ledger message id, so a re-push of the
same message is a duplicate, never a second report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from pydantic import ValidationError

from certhub.schemas import EligibilityReport, Message, Role, ZeroReport

from ..errors import RequestRejected
from ..native import native_json
from ..types import InboundBatch, InboundItem, ItemError
from .signed import (
    SignedPlatformAdapter,
    check_size,
    field_errors,
    verify_signed,
)
from .vocabulary import EVIDENCE_KINDS, REASONS, REPORT_COLUMNS

__all__ = ["MESSAGE_TYPE", "YunfuPlatformAdapter", "report_from_native"]

MESSAGE_TYPE: Final = "yunfu_report/v1"
JOSE: Final = "application/jose"
ID_LENGTH: Final = 128  # a ledger message id's longest (schemas' Identifier)
COLUMNS: Final = {
    **REPORT_COLUMNS,
    "evidence": "佐证材料",
    "reporter": "登记人",
    "period": "报告期",
}


class YunfuPlatformAdapter(SignedPlatformAdapter):
    """Verifies and translates the Yunfu platform's pushed reports (one per request)."""

    name: ClassVar[str] = "yunfu"
    accepts = "messages"
    native_types: ClassVar[frozenset[str]] = frozenset({MESSAGE_TYPE})  # for trust add --may-send

    def _translate(
        self, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> InboundBatch:
        media = headers.get("Content-Type", "").split(";")[0].strip()
        if media != JOSE:
            raise RequestRejected(f"send {JOSE}, not {media!r}", status=415)
        check_size(body, self.config.max_body_bytes)
        verified = verify_signed(self._verifier, body, MESSAGE_TYPE)
        try:
            native = native_json(verified.payload)
        except ValueError:
            raise RequestRejected("payload is not JSON (or nested too deep)", status=400) from None
        result = report_from_native(native)
        if isinstance(result, tuple):
            return InboundBatch(errors=result, total=1)
        message_id = f"yunfu.{verified.jti}"
        if len(message_id) > ID_LENGTH:  # cut, two ids differing at their end were one
            message_id = "yunfu." + hashlib.sha256(verified.jti.encode()).hexdigest()[:40]
        item = InboundItem(position=0, message_id=message_id, message=result)
        return InboundBatch(items=(item,), total=1)


def report_from_native(native: Any) -> Message | tuple[ItemError, ...]:
    """The canonical report for the platform's JSON, or per-field errors."""
    if not isinstance(native, dict):
        return (ItemError(position=0, reason="payload is not a JSON object"),)
    kind = native.get("报告类型")
    try:
        if kind == "零报告":
            return ZeroReport.model_validate(_zero(native))
        if kind == "信息报告":
            return EligibilityReport.model_validate(_report(native))
    except ValidationError as exc:
        return field_errors(exc, 0, COLUMNS)
    except (KeyError, TypeError, AttributeError) as exc:
        column = exc.args[0] if isinstance(exc, KeyError) else None
        return (ItemError(position=0, column=column, reason="missing or malformed"),)
    return (ItemError(position=0, column="报告类型", reason="must be 信息报告 or 零报告"),)


def _region(native: dict[str, Any]) -> dict[str, Any]:
    village = str(native["村居代码"])
    return {"county": village[:6], "village": village}


def _reporter(native: dict[str, Any]) -> dict[str, Any]:
    registrant = native["登记人"]
    number = registrant["编号"]
    if not isinstance(number, str) or not number.strip():  # str(None) is no coordinator
        raise KeyError("登记人")
    return {"id": f"yunfu:{number}", "role": Role.coordinator,
            "name": registrant.get("姓名")}  # fmt: skip


def _report(native: dict[str, Any]) -> dict[str, Any]:
    region = _region(native)
    reason = native["事由"]
    return {
        "reason": REASONS.get(reason, reason),
        "person": {"id_number": native["身份证号"], "name": native["姓名"], "region": region},
        "event_date": native["发生日期"],
        "reporter": _reporter(native),
        "region": region,
        "evidence": [_evidence(item) for item in native.get("佐证材料") or []],
        "remarks": native.get("备注"),
    }


def _evidence(item: dict[str, Any]) -> dict[str, Any]:
    kind = item["类型"]
    return {
        "sha256": item["摘要"],
        "kind": EVIDENCE_KINDS.get(kind, kind),
        "media_type": item["格式"],
    }


def _zero(native: dict[str, Any]) -> dict[str, Any]:
    return {
        "reporter": _reporter(native),
        "region": _region(native),
        "period": native["报告期"],
        "remarks": native.get("备注"),
    }
