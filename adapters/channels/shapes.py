"""The four self-service channels and their own callback JSON shapes. Pure translation.

=================  =======================  ==========================================
adapter            channel                  native shape (abridged)
=================  =======================  ==========================================
``gdrs_app``       广东人社 app              eventId, certType FACE|FINGERPRINT, user{idCard,
                                            realName, areaCode}, result PASS|FAIL,
                                            certTime (epoch ms, an integer), photoDigest
``yueshengshi``    粤省事                    bizSeq, authMode face, subject{certNo, name,
                                            regionCode}, passed (bool), finishedAt (ISO 8601)
``yuezhizhu``      粤智助 kiosks             txnId, kioskNo, method 人脸|指纹, person{sfzh, xm,
                                            xzqh}, status 成功|失败, time "YYYY-MM-DD hh:mm:ss" CST
``ss_terminal``    社保自助终端              serialNo, terminalId, bioType 1|2, idNo, name,
                                            county, resultCode "0000" = certified,
                                            timestamp yyyyMMddHHmmss CST
=================  =======================  ==========================================

``certTime`` is Unix time in **milliseconds**. A value below 10^11 (before
1973-03-03 as milliseconds, after the year 5138 as seconds) is a time sent in
seconds: it is refused naming ``certTime``, never stored as a certification
in January 1970. Every channel's time must also pass the canonical schema's
plausibility rules (not before 2009-01-01, not before the person's birth, not
more than 5 minutes ahead of the hub's clock).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Final

from pydantic import ValidationError

from certhub.schemas import (
    CertificationEvent,
    CertificationMethod,
    CertificationOutcome,
    ChannelKind,
)
from certhub.schemas.clock import CHINA_STANDARD_TIME as CST

from ..local_reporting.signed import field_errors
from ..native import held_photo, native_person
from ..types import ItemError
from .webhook import ChannelWebhookAdapter

__all__ = ["GdrsAppAdapter", "SsTerminalAdapter", "YueshengshiAdapter", "YuezhizhuAdapter"]

MILLIS_FLOOR: Final = 10**11
"""Smallest plausible ``certTime``: below it the value is in seconds, not milliseconds."""
FACE, FINGER = CertificationMethod.face, CertificationMethod.fingerprint
CERTIFIED, FAILED = CertificationOutcome.certified, CertificationOutcome.failed


def _event(
    kind: ChannelKind,
    *,
    person: tuple[Any, Any, Any],
    method: CertificationMethod,
    certified: bool,
    at: datetime,
    code: str | None = None,
    photo: str | None = None,
) -> CertificationEvent:
    return CertificationEvent.model_validate(
        {
            "person": native_person(*person),
            "method": method,
            "channel": {"kind": kind, "code": code},
            "outcome": CERTIFIED if certified else FAILED,
            "occurred_at": at,
            # the photo stays with the channel; its digest is cited as department-held evidence
            "evidence": held_photo(photo or None),
        }
    )


class _FieldRefused(ValueError):
    """A native field holds a value that cannot be what the channel meant."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _epoch_millis(native: dict[str, Any], name: str) -> datetime:
    """``native[name]`` as epoch milliseconds; seconds or a non-integer are refused."""
    value = native[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _FieldRefused(name, f"{name} must be an integer: Unix time in milliseconds")
    if value < MILLIS_FLOOR:
        raise _FieldRefused(name, f"{name} must be Unix time in milliseconds, not seconds")
    return datetime.fromtimestamp(value / 1000, UTC)


def _event_id(native: dict[str, Any], name: str) -> str:
    """The channel's event id, ``native[name]``: a string of printable characters.

    It is the message id, so ``null`` (``str()``: "None"), ``""``, a number or a list is
    refused, never made into one id that every other such callback would then replay.
    """
    value = native[name]
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        raise _FieldRefused(name, f"{name} must be the channel's event id: a string of text")
    return value


def _code(native: dict[str, Any], name: str, table: dict[Any, Any]) -> Any:
    """``table[native[name]]``; an unknown code is a KeyError naming the field."""
    try:
        return table[native[name]]
    except (KeyError, TypeError):
        raise KeyError(name) from None


_COLUMNS: Final = {"person.id_number": "id", "person.name": "name", "person.region": "region",
                   "occurred_at": "time", "evidence": "photo", "channel": "device"}  # fmt: skip


class _Translating(ChannelWebhookAdapter):
    id_field: ClassVar[str]

    def event_from_native(
        self, native: dict[str, Any]
    ) -> tuple[str, CertificationEvent] | ItemError:
        """Translate; any missing field, unknown code or invalid value is one error."""
        try:
            return _event_id(native, self.id_field), self.translate_native(native)
        except ValidationError as exc:
            return field_errors(exc, 0, _COLUMNS)[0]
        except KeyError as exc:
            return ItemError(position=0, column=str(exc.args[0]), reason="missing or unknown value")
        except _FieldRefused as exc:
            return ItemError(position=0, column=exc.column, reason=exc.reason)
        except (TypeError, ValueError, AttributeError, OverflowError, OSError):
            return ItemError(position=0, reason="malformed callback")

    def translate_native(self, native: dict[str, Any]) -> CertificationEvent:
        """The canonical event (raises KeyError / ValueError / ValidationError)."""
        raise NotImplementedError


class GdrsAppAdapter(_Translating):
    """广东人社 app."""

    name: ClassVar[str] = "gdrs_app"
    id_field: ClassVar[str] = "eventId"

    def translate_native(self, native: dict[str, Any]) -> CertificationEvent:
        """See the module table."""
        user = native["user"]
        return _event(
            ChannelKind.app_gdrs,
            person=(user["idCard"], user["realName"], user["areaCode"]),
            method=_code(native, "certType", {"FACE": FACE, "FINGERPRINT": FINGER}),
            certified=_code(native, "result", {"PASS": True, "FAIL": False}),
            at=_epoch_millis(native, "certTime"),
            photo=native.get("photoDigest"),
        )


class YueshengshiAdapter(_Translating):
    """粤省事."""

    name: ClassVar[str] = "yueshengshi"
    id_field: ClassVar[str] = "bizSeq"

    def translate_native(self, native: dict[str, Any]) -> CertificationEvent:
        """See the module table."""
        subject = native["subject"]
        passed = native["passed"]
        if not isinstance(passed, bool):
            raise KeyError("passed")
        return _event(
            ChannelKind.yueshengshi,
            person=(subject["certNo"], subject["name"], subject["regionCode"]),
            method=_code(native, "authMode", {"face": FACE}),
            certified=passed,
            at=datetime.fromisoformat(native["finishedAt"]),
        )


class YuezhizhuAdapter(_Translating):
    """粤智助 government-service kiosks."""

    name: ClassVar[str] = "yuezhizhu"
    id_field: ClassVar[str] = "txnId"

    def translate_native(self, native: dict[str, Any]) -> CertificationEvent:
        """See the module table."""
        person = native["person"]
        return _event(
            ChannelKind.yuezhizhu_kiosk,
            person=(person["sfzh"], person["xm"], person["xzqh"]),
            method=_code(native, "method", {"人脸": FACE, "指纹": FINGER}),
            certified=_code(native, "status", {"成功": True, "失败": False}),
            at=datetime.strptime(native["time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST),
            code=native["kioskNo"],
        )


class SsTerminalAdapter(_Translating):
    """Social-security self-service terminals (社保自助终端)."""

    name: ClassVar[str] = "ss_terminal"
    id_field: ClassVar[str] = "serialNo"

    def translate_native(self, native: dict[str, Any]) -> CertificationEvent:
        """See the module table."""
        return _event(
            ChannelKind.ss_terminal,
            person=(native["idNo"], native["name"], native["county"]),
            method=_code(native, "bioType", {1: FACE, 2: FINGER}),
            certified=native["resultCode"] == "0000",
            at=datetime.strptime(native["timestamp"], "%Y%m%d%H%M%S").replace(tzinfo=CST),
            code=native["terminalId"],
        )
