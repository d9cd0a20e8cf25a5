"""Zhaoqing-style monthly upload: a town's CSV, signed by the city platform, row by row.

The platform uploads ``text/csv`` with the query parameters ``town`` (9-digit
town code) and ``period`` (YYYY-MM), and a detached compact JWS over the exact
file bytes (RFC 7515 appendix F: the payload segment left empty) in the
``X-Zhaoqing-Signature`` header, type ``zhaoqing_monthly_csv/v1``. The rows
themselves are checked against the declared town and month, so the unsigned
query cannot move a row elsewhere.

Every row is validated before anything is handed on (:mod:`.zhaoqing_csv`);
each good row becomes one canonical message with a message id derived from
its content, so uploading the same file again stores nothing new.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar, Final

from certhub.security import b64url_encode

from ..errors import RequestRejected, SignatureRejected
from ..types import InboundBatch
from .signed import SignedPlatformAdapter, check_size, verify_signed
from .zhaoqing_csv import parse_monthly_csv

__all__ = ["MESSAGE_TYPE", "SIGNATURE_HEADER", "ZhaoqingUploadAdapter", "detached"]

MESSAGE_TYPE: Final = "zhaoqing_monthly_csv/v1"
SIGNATURE_HEADER: Final = "X-Zhaoqing-Signature"
_TOWN: Final = re.compile(r"^44[0-9]{7}$")
_PERIOD: Final = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_DETACHED: Final = re.compile(r"^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$")


def detached(token: bytes) -> str:
    """The detached form (payload segment emptied) of a compact JWS."""
    head, _payload, signature = token.split(b".")
    return f"{head.decode()}..{signature.decode()}"


class ZhaoqingUploadAdapter(SignedPlatformAdapter):
    """Verifies a town's monthly CSV and translates it row by row."""

    name: ClassVar[str] = "zhaoqing"
    accepts = "uploads"
    # What the platform's keys may be trusted for (certhub trust add --may-send).
    native_types: ClassVar[frozenset[str]] = frozenset({MESSAGE_TYPE})

    def _translate(
        self, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> InboundBatch:
        """All rows of the file, each an item or a row error."""
        media = headers.get("Content-Type", "").split(";")[0].strip()
        if media != "text/csv":
            raise RequestRejected(f"send text/csv, not {media!r}", status=415)
        check_size(body, self.config.max_body_bytes)
        town, period = params.get("town", ""), params.get("period", "")
        if not _TOWN.match(town) or not _PERIOD.match(period):
            needed = "town (44 + 7 digits) and period (YYYY-MM) are needed"
            raise RequestRejected(needed, status=400)
        self._verify(body, headers.get(SIGNATURE_HEADER, ""))
        return parse_monthly_csv(body, town=town, period=period)

    def _verify(self, body: bytes, signature: str) -> None:
        if not _DETACHED.match(signature):
            raise SignatureRejected(f"{SIGNATURE_HEADER} must be a detached compact JWS")
        head, _, tail = signature.partition("..")
        payload = b64url_encode(body)
        verify_signed(self._verifier, f"{head}.{payload}.{tail}".encode(), MESSAGE_TYPE)
