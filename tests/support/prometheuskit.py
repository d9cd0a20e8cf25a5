"""A real Prometheus server for tests, and the dashboard's queries as Grafana would send them."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from ports import free_port
from proctree import stop_process

DASHBOARDS = Path(__file__).resolve().parents[2] / "monitoring" / "dashboards"


class Prometheus:
    """A ``prometheus`` process on 127.0.0.1 with its files in ``workdir``, scraping
    ``targets`` (``host:port``) every second as job ``certhub``."""

    def __init__(self, workdir: Path, targets: list[str]) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            pytest.fail("prometheus missing: run tests/ensure_services.sh (Debian prometheus)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [{"job_name": "certhub", "static_configs": [{"targets": targets}]}],
        }
        (workdir / "prometheus.yml").write_text(json.dumps(config))  # JSON is valid YAML
        self.log = (workdir / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [
                binary,
                f"--config.file={workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    async def ready(self, session: aiohttp.ClientSession, seconds: float = 60.0) -> None:
        """Wait until the server answers ``/-/ready`` with 200: before that its API answers
        503 (plain text, not JSON) while it starts, or nothing while it is not listening."""
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"prometheus exited: see {self.log.name}")
            try:
                async with session.get(f"{self.url}/-/ready") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                pytest.fail(f"prometheus not ready within {seconds:g} s")
            await asyncio.sleep(0.2)  # polling its start, not waiting a known duration

    async def query(self, session: aiohttp.ClientSession, promql: str) -> dict[str, Any]:
        """The JSON answer of ``/api/v1/query`` (errors included, not raised)."""
        async with session.get(f"{self.url}/api/v1/query", params={"query": promql}) as response:
            answer: dict[str, Any] = await response.json(content_type=None)
            return answer

    async def result(self, session: aiohttp.ClientSession, promql: str) -> list[Any]:
        """The series an instant query returns (the query must be valid)."""
        answer = await self.query(session, promql)
        assert answer["status"] == "success", (promql, answer)
        result: list[Any] = answer["data"]["result"]
        return result

    async def value(self, session: aiohttp.ClientSession, promql: str) -> float | None:
        """The single value of an instant query, or None when it has no result yet."""
        result = (await self.query(session, promql))["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop in time)."""
        stop_process(self.process)
        self.log.close()


def panel_queries(dashboard: Path, variables: dict[str, str]) -> list[tuple[str, str]]:
    """``(panel title, PromQL)`` of every panel target of ``dashboard``, its ``variables``
    replaced the way Grafana would."""
    model = json.loads(dashboard.read_text(encoding="utf-8"))
    found = []
    for panel in model["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in variables.items():
                expr = expr.replace(name, value)
            found.append((panel["title"], expr))
    return found
