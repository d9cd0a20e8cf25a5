"""mocks/README.md: its `--config` example runs, its fault example does what it says."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from docexamples import doc_examples

from certhub.mocks.__main__ import _config
from certhub.mocks.runner import run_mocks

EXAMPLES = doc_examples("mocks/README.md")


async def test_the_config_example_starts_the_mocks_and_the_fault_example_fires(
    tmp_path: Path,
) -> None:
    raw = json.loads(EXAMPLES["mocks-config"])
    for name in ("eid", "ministry", "sms"):
        raw[name]["port"] = 0  # the documented ports may be taken on a test machine
    raw["key_dir"] = str(tmp_path)
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    config = _config(["--config", str(path)])  # the real command line's reader
    assert config.ministry.faults.rates == {"error": 0.1}
    assert config.sms.faults.script == ("throttle", "none")
    async with run_mocks(config) as running, httpx.AsyncClient(trust_env=False) as client:
        sms = running.urls["sms"]
        put = await client.put(f"{sms}/_admin/faults", content=EXAMPLES["mocks-faults"])
        assert put.status_code == 200, put.text
        assert (await client.get(f"{sms}/_admin/faults")).json()["script"] == [
            "error",
            "error",
            "none",
        ]
        statuses = [(await client.post(f"{sms}/sms/v1/messages", json={})).status_code
                    for _ in range(3)]  # fmt: skip
        assert statuses[:2] == [503, 503]
        assert statuses[2] != 503  # the script's "none": an ordinary answer (here 401)
        stats = (await client.get(f"{sms}/_admin/stats")).json()
        assert stats == {"requests": 3, "faults": {"error": 2, "none": 1}}
        bad = await client.put(f"{sms}/_admin/faults", content=b'{"rates": {"error": 2}}')
        assert bad.status_code == 400
        assert "errors" in bad.json()
