"""Fault injection is reproducible by seed and settable at run time."""

from __future__ import annotations

import httpx

from certhub.mocks.faults import FaultConfig, FaultInjector, FaultKind
from certhub.mocks.server import serve
from certhub.mocks.sms import SmsMock


def sequence(config: FaultConfig, n: int = 200) -> list[tuple[FaultKind, float]]:
    injector = FaultInjector(config)
    return [injector.draw() for _ in range(n)]


def test_the_same_seed_gives_the_same_faults() -> None:
    config = FaultConfig(seed=42, latency_ms=(1, 50), rates={"error": 0.2, "reset": 0.1})
    assert sequence(config) == sequence(config)
    assert sequence(config) != sequence(config.model_copy(update={"seed": 43}))


def test_rates_are_roughly_honoured() -> None:
    kinds = [kind for kind, _ in sequence(FaultConfig(seed=1, rates={"error": 0.3}), 2000)]
    assert 500 < kinds.count(FaultKind.error) < 700


def test_a_script_plays_first() -> None:
    config = FaultConfig(script=("error", "hang", "none"), rates={"reject": 1.0})
    kinds = [kind for kind, _ in sequence(config, 4)]
    assert kinds == [FaultKind.error, FaultKind.hang, FaultKind.none, FaultKind.reject]


async def test_admin_endpoint_sets_faults_at_run_time() -> None:
    mock = SmsMock()
    async with serve(mock) as url, httpx.AsyncClient(base_url=url, trust_env=False) as client:
        put = await client.put("/_admin/faults", json={"seed": 5, "rates": {"error": 1.0}})
        assert put.status_code == 200
        assert (await client.get("/_admin/faults")).json()["rates"] == {"error": 1.0}
        body = {"notification_id": "n1", "mobile": "13912345678", "sign_name": "广东人社",
                "content": "测试"}  # fmt: skip
        response = await client.post("/sms/v1/messages", json=body)
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        stats = (await client.get("/_admin/stats")).json()
        assert stats == {"requests": 1, "faults": {"error": 1}}
        bad = await client.put("/_admin/faults", json={"rates": {"error": 2}})
        assert bad.status_code == 400
