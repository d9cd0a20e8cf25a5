"""Test kit of the inbound suites: the mock departments and adapter settings naming them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from certhub.adapters.bank.terminal_inspect import event_from_native
from certhub.mocks.channels import ChannelCallbacks
from certhub.mocks.city_platforms import YunfuPlatform, ZhaoqingPlatform
from certhub.schemas import CertificationEvent


@dataclass
class Departments:
    """The mock departments the hub is configured with."""

    yunfu: YunfuPlatform
    zhaoqing: ZhaoqingPlatform
    channels: dict[str, ChannelCallbacks]


def inbound_settings(tmp_path: Path, departments: Departments) -> dict[str, dict[str, Any]]:
    """Adapter settings naming the mocks' keys and secrets."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    yunfu_keys, zq_keys = tmp_path / "yunfu.jwks.json", tmp_path / "zq.jwks.json"
    departments.yunfu.trust_store().save(yunfu_keys)
    departments.zhaoqing.trust_store().save(zq_keys)
    section: dict[str, dict[str, Any]] = {
        "yunfu": {"platform_keys_path": str(yunfu_keys)},
        "zhaoqing": {"platform_keys_path": str(zq_keys)},
    }
    for name, channel in departments.channels.items():
        secret = tmp_path / f"{name}.secret"
        secret.write_bytes(channel.secret)
        section[name] = {"secret_path": str(secret)}
    return section


def terminal_event(
    person: dict[str, Any], serial: str, terminal: str, when: datetime, **native: str
) -> CertificationEvent:
    """Bank 102's live fingerprint certification ``serial`` of ``person`` at ``terminal``,
    passed at ``when``, as the terminal's native message gives it (``native``: more of its
    fields, e.g. ``zpzy``)."""
    event = event_from_native(
        {
            "yhdm": "102",
            "zdbh": terminal,
            "lsh": serial,
            "sfzh": person["id_number"],
            "xm": person["name"],
            "xzqh": person["region"]["county"],
            "rzfs": "2",
            "rzjg": "1",
            "rzsj": when.isoformat(),
            **native,
        }
    )
    assert isinstance(event, CertificationEvent), event
    return event
