"""What ``certhub serve --processes N`` gives each ingress process, and how it keeps them."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from certhub.hub.core.settings import Settings
from certhub.hub.runtime import processes
from certhub.hub.runtime.processes import IngressProcesses, ingress_environment


def test_an_ingress_process_on_sqlite_writes_through_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTHUB_METRICS_PORT", "9100")
    settings = Settings(data_dir=tmp_path, port=0, processes=3, metrics_port=9100)
    env = ingress_environment(settings, 43123, tmp_path / "w.sock", 2)
    assert env["CERTHUB_PORT"] == "43123"  # the port the first process was given by the system
    assert env["CERTHUB_DATA_DIR"] == str(tmp_path.resolve())
    assert (env["CERTHUB_ROLE"], env["CERTHUB_PROCESSES"]) == ("ingress", "1")
    assert env["CERTHUB_LEDGER_WRITER"] == str(tmp_path / "w.sock")
    assert env["CERTHUB_MINISTRY_PULL_SECONDS"] == "0"  # the first process pulls
    assert env["CERTHUB_METRICS_PORT"] == "9102"  # its own, beside the first's 9100


def test_on_postgresql_every_process_commits_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CERTHUB_METRICS_PORT", raising=False)
    monkeypatch.setenv("CERTHUB_LEDGER_WRITER", "/stale.sock")
    settings = Settings(
        data_dir=tmp_path, processes=2, database_url="postgresql://u@127.0.0.1:5432/hub"
    )
    env = ingress_environment(settings, 8080, tmp_path / "w.sock", 1)
    assert env["CERTHUB_LEDGER_WRITER"] == "/stale.sock"  # inherited, not set: PG never reads it
    assert "CERTHUB_METRICS_PORT" not in env


async def test_stop_terminates_each_process_and_a_dead_one_is_started_again(
    tmp_path: Path,
) -> None:
    marks = tmp_path / "starts"
    # each start appends a line; the first exits at once (a crash), later ones wait for SIGTERM
    script = (
        "import pathlib, signal, sys, time\n"
        f"p = pathlib.Path({str(marks)!r})\n"
        "n = len(p.read_text().splitlines()) if p.exists() else 0\n"
        "p.open('a').write('start\\n')\n"
        "if n == 0: sys.exit(3)\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
        "time.sleep(60)\n"
    )
    group = IngressProcesses(lambda index: {}, command=[sys.executable, "-c", script])
    group.start(1)
    deadline = asyncio.get_running_loop().time() + 20
    while len(group.pids) != 1 or not marks.exists() or len(marks.read_text().splitlines()) < 2:
        assert asyncio.get_running_loop().time() < deadline, "not restarted"
        await asyncio.sleep(0.1)
    await group.stop()
    assert group.pids == []
    assert marks.read_text().splitlines() == ["start", "start"]


async def test_a_process_started_while_stopping_is_stopped_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # stop() comes while the (re)start of a process is under way: that process exists only
    # after stop() signalled the others, and must get its SIGTERM all the same rather than
    # be waited for until the grace runs out and then killed
    monkeypatch.setattr(processes, "STOP_GRACE_SECONDS", 8.0)
    marks = tmp_path / "signals"
    script = (
        "import pathlib, signal, sys, time\n"
        f"p = pathlib.Path({str(marks)!r})\n"
        "def term(*_):\n"
        "    p.write_text('SIGTERM')\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, term)\n"
        "p.write_text('ready')\n"
        "time.sleep(60)\n"
    )
    spawning, release = asyncio.Event(), asyncio.Event()
    real_spawn = asyncio.create_subprocess_exec

    async def slow_spawn(*args: Any, **kwargs: Any) -> asyncio.subprocess.Process:
        spawning.set()
        await release.wait()
        return await real_spawn(*args, **kwargs)

    monkeypatch.setattr(asyncio, "create_subprocess_exec", slow_spawn)
    group = IngressProcesses(lambda index: {}, command=[sys.executable, "-c", script])
    group.start(1)
    await asyncio.wait_for(spawning.wait(), 10)
    stopping = asyncio.create_task(group.stop())
    await asyncio.sleep(0.2)  # stop() has run up to waiting for the keeper
    release.set()
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(stopping, 20)
    took = asyncio.get_running_loop().time() - started
    assert group.pids == []
    # SIGTERM at once, not SIGKILL when the 8 s grace ran out (it may have died of the
    # SIGTERM before its handler was set: then it wrote nothing)
    assert took < 5.0, took
    assert not marks.exists() or marks.read_text() == "SIGTERM"
