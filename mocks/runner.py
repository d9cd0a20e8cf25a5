"""Start every mock department from one configuration (ports, faults, seed).

Used by ``python -m certhub.mocks`` and by tests. Besides the URLs it yields the
adapter settings that point certhub at the mocks, ready for the hub's
``adapters`` settings section.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .eid import EidMock
from .eid_registry import EidRegistry
from .faults import FaultConfig
from .ministry import MinistryMock
from .server import MockDepartment, serve
from .sms import SmsMock

__all__ = ["MockSettings", "MocksConfig", "RunningMocks", "run_mocks"]


class MockSettings(BaseModel):
    """Port and faults of one mock."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port.")
    faults: FaultConfig = Field(default_factory=FaultConfig)


class MocksConfig(BaseModel):
    """All mocks: one seed for their data, one folder for the keys adapters need."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: Literal["127.0.0.1", "::1", "localhost"] = "127.0.0.1"
    seed: int = 2026
    key_dir: Path = Path("var/mocks")
    sms_api_key: str = "mock-sms-key"
    eid: MockSettings = Field(default_factory=lambda: MockSettings(port=8091))
    ministry: MockSettings = Field(default_factory=lambda: MockSettings(port=8092))
    sms: MockSettings = Field(default_factory=lambda: MockSettings(port=8093))


@dataclass
class RunningMocks:
    """The started mocks, their base URLs, and adapter settings pointing at them."""

    eid: EidMock
    ministry: MinistryMock
    sms: SmsMock
    urls: dict[str, str] = field(default_factory=dict)
    adapter_settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def mocks(self) -> dict[str, MockDepartment]:
        """Each mock by name."""
        return {"eid": self.eid, "ministry": self.ministry, "sms": self.sms}


@asynccontextmanager
async def run_mocks(config: MocksConfig | None = None) -> AsyncIterator[RunningMocks]:
    """Start every mock on ``config.host``; stop them all on exit."""
    config = config or MocksConfig()
    running = RunningMocks(
        eid=EidMock(EidRegistry(config.seed), faults=config.eid.faults),
        ministry=MinistryMock(config.seed, faults=config.ministry.faults),
        sms=SmsMock(api_key=config.sms_api_key, faults=config.sms.faults),
    )
    config.key_dir.mkdir(parents=True, exist_ok=True)
    jwk_path = config.key_dir / "ministry.jwk.json"
    jwk_path.write_text(json.dumps(running.ministry.public_jwk()), encoding="utf-8")
    key_path = config.key_dir / "sms.key"
    key_path.write_text(config.sms_api_key, encoding="utf-8")
    async with AsyncExitStack() as stack:
        for name, mock in running.mocks().items():
            port = getattr(config, name).port
            running.urls[name] = await stack.enter_async_context(serve(mock, config.host, port))
        running.adapter_settings = {
            "eid": {"base_url": running.urls["eid"] + "/eid/soap"},
            "ministry": {
                "base_url": running.urls["ministry"],
                "department_key_path": str(jwk_path),
            },
            "sms": {"base_url": running.urls["sms"], "api_key_path": str(key_path)},
        }
        yield running
