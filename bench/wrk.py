"""The ingress benchmark's C load generator: ``wrk`` with ``bench/ingress.lua``.

The Python generator (``bench/load.py``) needs ~120 µs of CPU per request on
the same two cores as the servers, so past ~6,000 req/s it, not the server,
is what saturates. ``wrk`` (one thread, an epoll loop in C, requests
formatted before its clock starts) costs a few µs per request. Its CPU
share is read from ``/proc/<pid>/stat`` while it runs and reported with
every phase, so the claim "the generator is not the bottleneck" is measured,
not assumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from load import Result

LUA = Path(__file__).resolve().with_name("ingress.lua")
MARK = "certhub-wrk "


def ensure_wrk() -> str:
    """The path of ``wrk``, installed with apt-get (Debian package ``wrk``) if missing.

    Raises:
        RuntimeError: wrk is missing and cannot be installed here (not root, no apt-get).
    """
    found = shutil.which("wrk")
    if found is not None:
        return found
    apt_get = shutil.which("apt-get")
    if os.geteuid() != 0 or apt_get is None:
        raise RuntimeError("wrk is not installed: run `sudo apt-get install wrk` (Debian/Ubuntu)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([apt_get, "update", "-qq"], check=True, env=env)
    subprocess.run([apt_get, "install", "-y", "-qq", "wrk"], check=True, env=env)
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("apt-get installed wrk but it is not on PATH")
    return found


def write_bodies(path: Path, tokens: list[bytes]) -> Path:
    """One compact JWS per line, as the Lua script reads them."""
    path.write_bytes(b"\n".join(tokens) + b"\n")
    return path


def _cpu_ticks(pid: int) -> int | None:
    """User + system clock ticks of ``pid``, or None once it has exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(fields[11]) + int(fields[12])


async def run_wrk(
    url: str,
    bodies: Path,
    *,
    connections: int,
    seconds: float,
    name: str,
    wrap: bool,
    threads: int = 1,
) -> Result:
    """One closed-loop phase: ``connections`` requests in flight for ``seconds``.

    Returns the phase's Result with ``generator_cpu_share``: the CPU wrk used
    (user + system, a fraction of one core) between two samples of its
    ``/proc`` stat taken while it ran (after it read the bodies, before it
    printed its summary).
    """
    process = await asyncio.create_subprocess_exec(
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{round(seconds)}s",  # wrk takes whole seconds
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
        "--",
        str(bodies),
        str(threads),
        "wrap" if wrap else "once",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    samples = await _sample_cpu(process, seconds)
    out, err = await process.communicate()
    if process.returncode != 0:
        why = (err or out).decode(errors="replace").strip()
        raise RuntimeError(f"wrk failed ({process.returncode}): {why}")
    summary = _summary(out.decode())
    if not wrap and summary["exhausted"]:
        raise RuntimeError(
            f"wrk sent {summary['exhausted']} reports twice (the file of {name} ran out):"
            " raise --max-rate"
        )
    result = _result(summary, name, connections)
    result.generator = "wrk"
    result.generator_cpu_share = _share(samples)
    return result


async def _sample_cpu(
    process: asyncio.subprocess.Process, seconds: float
) -> list[tuple[float, int]]:
    """(time, CPU ticks) of the running wrk, every 0.25 s, skipping its start-up second."""
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    while process.returncode is None and time.monotonic() - started < seconds + 30:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(process.wait()), 0.25)
        elapsed = time.monotonic() - started
        ticks = _cpu_ticks(process.pid) if process.returncode is None else None
        # The first second reads and formats the bodies; the last quarter prints the summary.
        if ticks is not None and 1.0 <= elapsed <= seconds:
            samples.append((time.monotonic(), ticks))
    return samples


def _share(samples: list[tuple[float, int]]) -> float:
    if len(samples) < 2:
        return float("nan")
    (t0, c0), (t1, c1) = samples[0], samples[-1]
    return (c1 - c0) / os.sysconf("SC_CLK_TCK") / (t1 - t0)


def _summary(output: str) -> dict[str, int]:
    for line in output.splitlines():
        if line.startswith(MARK):
            summary: dict[str, int] = json.loads(line[len(MARK) :])
            return summary
    raise RuntimeError(f"wrk printed no summary:\n{output}")


def _result(summary: dict[str, int], name: str, connections: int) -> Result:
    """wrk's counts as a Result: non-2xx answers and socket errors count as errors."""
    return Result(
        name,
        "peak",
        ok=summary["requests"] - summary["status_errors"],
        errors=summary["status_errors"] + summary["socket_errors"] + summary["timeouts"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        in_flight=connections,
    )
