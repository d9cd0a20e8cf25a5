"""``python -m certhub.mocks`` configuration and starting every mock from one config."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry

from certhub.adapters import AdapterOptions, Notification, create_adapters
from certhub.mocks.__main__ import _config
from certhub.mocks.runner import MocksConfig, MockSettings, run_mocks
from certhub.monitoring.adapter_metrics import AdapterMetrics


def test_config_file_and_seed_override(tmp_path: Path) -> None:
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps({"seed": 1, "sms": {"port": 0, "faults": {"rates": {"hang": 0.5}}}}))
    config = _config(["--config", str(path), "--seed", "9"])
    assert config.seed == 9
    assert config.sms.faults.rates == {"hang": 0.5}
    assert config.eid.port == 8091


async def test_every_mock_starts_and_adapters_reach_them(tmp_path: Path) -> None:
    free = MockSettings(port=0)
    config = MocksConfig(key_dir=tmp_path, eid=free, ministry=free, sms=free)
    async with run_mocks(config) as running:
        assert set(running.urls) == {"eid", "ministry", "sms"}
        assert all(url.startswith("http://127.0.0.1:") for url in running.urls.values())
        async with httpx.AsyncClient(trust_env=False) as client:
            for url in running.urls.values():
                assert (await client.get(url + "/_admin/stats")).status_code == 200
        options = AdapterOptions(AdapterMetrics(CollectorRegistry()), testing=True)
        adapters = create_adapters(running.adapter_settings, options)
        try:
            page = await adapters["ministry"].pull_certifications(None, limit=3)  # type: ignore[attr-defined]
            assert len(page.events) == 3
            note = Notification(notification_id="n1", mobile="13912345678", text="您好")
            await adapters["sms"].notify(note)  # type: ignore[attr-defined]
            assert len(running.sms.sent) == 1
        finally:
            for adapter in adapters.values():
                await adapter.aclose()
