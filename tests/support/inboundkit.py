"""Test kit of the inbound suites: the mock departments and adapter settings naming them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from certhub.mocks.channels import ChannelCallbacks
from certhub.mocks.city_platforms import YunfuPlatform, ZhaoqingPlatform


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
