"""Mock provincial self-service channels: webhook callbacks in their own shapes, HMAC-signed.

广东人社 app, 粤省事, 粤智助 kiosks and social-security self-service terminals
each build callbacks in their own JSON (see ``adapters/channels/shapes.py``
for the table) and sign them with their per-channel secret:
``X-Channel-Signature: sha256=HMAC(secret, timestamp "\\n" nonce "\\n" body)``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime, timedelta
from typing import Any, Final

from certhub.schemas.clock import CHINA_STANDARD_TIME as CST

from .population import Population

__all__ = ["CHANNELS", "ChannelCallbacks"]

CHANNELS: Final = ("gdrs_app", "yueshengshi", "yuezhizhu", "ss_terminal")


class ChannelCallbacks:
    """Builds and signs one channel's callbacks."""

    def __init__(self, channel: str, *, population: Population | None = None) -> None:
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        self.channel = channel
        self.secret = secrets.token_urlsafe(32).encode()
        self.population = population or Population()
        self._serial = 0

    def callback(self, *, certified: bool = True) -> dict[str, Any]:
        """One native callback of this channel."""
        person = self.population.person()
        self._serial += 1
        when = datetime.now(CST).replace(microsecond=0) - timedelta(minutes=3)
        ident, name, county = person["id_number"], person["name"], person["region"]["county"]
        serial = f"{self.channel[:3].upper()}{when:%Y%m%d}{self._serial:07d}"
        if self.channel == "gdrs_app":
            return {"eventId": serial, "certType": "FACE",
                    "user": {"idCard": ident, "realName": name, "areaCode": county},
                    "result": "PASS" if certified else "FAIL",
                    "certTime": int(when.timestamp() * 1000),
                    "photoDigest": hashlib.sha256(ident.encode()).hexdigest()}  # fmt: skip
        if self.channel == "yueshengshi":
            return {"bizSeq": serial, "authMode": "face",
                    "subject": {"certNo": ident, "name": name, "regionCode": county},
                    "passed": certified, "finishedAt": when.isoformat()}  # fmt: skip
        if self.channel == "yuezhizhu":
            return {"txnId": serial, "kioskNo": f"YZZ-{self._serial % 25000:05d}",
                    "method": "人脸" if self._serial % 2 else "指纹",
                    "person": {"sfzh": ident, "xm": name, "xzqh": county},
                    "status": "成功" if certified else "失败",
                    "time": when.strftime("%Y-%m-%d %H:%M:%S")}  # fmt: skip
        return {"serialNo": serial, "terminalId": f"SST{self._serial % 3044:04d}",
                "bioType": 1 + self._serial % 2, "idNo": ident, "name": name, "county": county,
                "resultCode": "0000" if certified else "1001",
                "timestamp": when.strftime("%Y%m%d%H%M%S")}  # fmt: skip

    def signed(
        self, native: dict[str, Any], *, timestamp: int | None = None, nonce: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of the callback as the channel sends it."""
        body = json.dumps(native, ensure_ascii=False).encode()
        stamp = int(time.time()) if timestamp is None else timestamp
        nonce = nonce or secrets.token_urlsafe(18)
        mac = hmac.new(self.secret, f"{stamp}\n{nonce}\n".encode() + body, hashlib.sha256)
        return body, {
            "Content-Type": "application/json",
            "X-Channel-Timestamp": str(stamp),
            "X-Channel-Nonce": nonce,
            "X-Channel-Signature": "sha256=" + mac.hexdigest(),
        }
