"""A platform's key file is made with ``certhub trust`` and reloaded like the hub's own (14.15)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inboundkit import Departments
from latekit import label

from certhub.hub.cli.main import main
from certhub.hub.core.keys import TRUST
from certhub.security import read_private_key

TOWN = "441202101"
UPLOADS = "/v1/inbound/zhaoqing/uploads"


@pytest.mark.parametrize("typ", ["zhaoqing_monthly_csv/v1", "yunfu_report/v1"])
def test_trust_add_knows_the_adapters_native_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], typ: str
) -> None:
    main(["keys", "new", "--sender", "platform", "--out", str(tmp_path)])
    store = tmp_path / "platform.jwks.json"
    jwk = str(tmp_path / "platform.jwk.json")
    assert (
        main(["trust", "add", jwk, "--sender", "p", "--may-send", typ, "--store", str(store)]) == 0
    )
    assert "trusted" in capsys.readouterr().out


async def test_the_zhaoqing_keys_file_made_by_the_cli_is_reloaded_by_a_running_hub(
    inbound_hub_factory: Callable[..., Any], departments: Departments, tmp_path: Path
) -> None:
    period = label(0)  # this month in China, read as the test runs
    folder = tmp_path / "zq"
    assert main(["keys", "new", "--sender", "zhaoqing-platform", "--out", str(folder)]) == 0
    keys = folder / "zhaoqing.jwks.json"
    argv = ["trust", "add", str(folder / "zhaoqing-platform.jwk.json")]
    argv += ["--sender", "zhaoqing-platform", "--may-send", "zhaoqing_monthly_csv/v1"]
    assert main([*argv, "--store", str(keys)]) == 0
    zq = departments.zhaoqing
    zq.key = read_private_key(folder / "zhaoqing-platform.key.pem")
    hub = await inbound_hub_factory({"zhaoqing": {"platform_keys_path": str(keys)}})

    async def upload(count: int) -> int:
        data = zq.monthly_csv(zq.rows(TOWN, period, count))
        headers = {"Content-Type": "text/csv", "X-Zhaoqing-Signature": zq.signature(data)}
        params = {"town": TOWN, "period": period}
        response = await hub.client.post(UPLOADS, data=data, headers=headers, params=params)
        return response.status

    assert await upload(2) == 200
    assert main(["trust", "revoke", zq.key.kid, "--store", str(keys)]) == 0
    assert hub.client.app[TRUST].reload_if_changed()  # what the watcher does every few seconds
    assert await upload(3) == 401
    assert await hub.stored() == 2
