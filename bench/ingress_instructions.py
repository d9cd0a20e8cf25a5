"""Instructions per request, counted by callgrind: the hub against the bare handler.

    .venv/bin/python bench/ingress_instructions.py [--requests 512] [--in-flight 16] [--bare]
    PYTHONPATH=/tmp/before .venv/bin/python bench/ingress_instructions.py   # another tree

On a machine shared with other work, wall-clock rates and even CPU time per
request move with the load (a starved hub makes smaller batches, so each
request pays more of every group commit and helper frame). Instruction counts
do not. The server (``certhub serve``, or ``bench/bare_server.py`` with
``--bare``) runs under ``valgrind --tool=callgrind``; its signature helper, a
child process, runs natively and is not counted. After 256 warm-up reports
the counters are zeroed (``callgrind_control -z``), ``--requests`` distinct
pre-signed reports are pushed with ``--in-flight`` requests in flight, and the
counters are dumped: the printed figure is instructions per request of the
server's process (all its threads). Under valgrind OpenSSL takes a generic
code path, so the bare handler's Ed25519 verify counts far more than its
native share: compare like with like (two trees, or the hub's main process
against the bare handler less a verify).

Valgrind starts the hub in minutes, not seconds; a run of 512 requests takes
5-15 minutes on a loaded 2-vCPU machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))  # ingress_servers: the tests' process tree

from ingress_servers import free_port, hub_environment, sender_trusted_by, sign_tokens
from load import HEADERS, wait_ready

WARM_UP = 256


def server_command(port: int, jwk: Path, *, bare: bool) -> list[str]:
    """The server's command line (without valgrind)."""
    if bare:
        script = ROOT / "bench" / "bare_server.py"
        return [sys.executable, str(script), "--port", str(port), "--jwk", str(jwk)]
    return [sys.executable, "-m", "certhub.hub.cli.main", "serve", "--port", str(port)]


async def push(url: str, tokens: list[bytes], in_flight: int) -> None:
    """Push every token, ``in_flight`` at a time; each must be answered 202."""
    queue = iter(tokens)
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            for token in queue:
                async with session.post(url, data=token, headers=HEADERS) as response:
                    await response.read()
                    if response.status != 202:
                        raise RuntimeError(f"answered {response.status}, not 202")

        await asyncio.gather(*(worker() for _ in range(in_flight)))


def total_instructions(dump: Path) -> int:
    """The event total of a callgrind dump (its ``summary:`` or ``totals:`` line)."""
    for line in dump.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {dump}")


def control(flag: str, pid: int) -> None:
    """Run ``callgrind_control flag pid`` (``-z`` zeroes the counters, ``-d`` dumps them)."""
    tool = shutil.which("callgrind_control")
    if tool is None:
        raise SystemExit("callgrind_control is not installed (Debian package valgrind)")
    subprocess.run([tool, flag, str(pid)], check=True, capture_output=True)


async def drive(base: str, tokens: list[bytes], in_flight: int, pid: int, *, bare: bool) -> None:
    """Wait for the server, warm it up, then push the counted reports between zero and dump."""
    await wait_ready(base + ("/" if bare else "/healthz"), time.monotonic() + 3600)
    await push(base + "/v1/reports", tokens[:WARM_UP], in_flight)
    await asyncio.to_thread(control, "-z", pid)
    await push(base + "/v1/reports", tokens[WARM_UP:], in_flight)
    await asyncio.to_thread(control, "-d", pid)


def measure(args: argparse.Namespace, work: Path) -> float:
    """Instructions per request of the server's process over ``args.requests`` reports."""
    key_path, jwk_path = sender_trusted_by(work)
    tokens = sign_tokens(key_path, WARM_UP + args.requests)
    port = free_port()
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind is not installed (Debian package valgrind)")
    callgrind = [valgrind, "--tool=callgrind", f"--callgrind-out-file={work}/callgrind.out.%p"]
    with open(work / "server.log", "wb") as log:
        server = subprocess.Popen(
            [*callgrind, "--trace-children=no", *server_command(port, jwk_path, bare=args.bare)],
            # ``python -m`` would put the working directory on sys.path before PYTHONPATH:
            # without PYTHONSAFEPATH another tree's run counted this checkout's code.
            env=hub_environment(work) | {"PYTHONSAFEPATH": "1"},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        asyncio.run(drive(base, tokens, args.in_flight, server.pid, bare=args.bare))
    finally:
        server.terminate()
        server.wait(timeout=600)
    dumps = sorted(work.glob(f"callgrind.out.{server.pid}.*"), key=os.path.getmtime)
    return total_instructions(dumps[-1]) / args.requests


def main() -> None:
    """Parse arguments, count, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=512, help="counted reports (512)")
    parser.add_argument("--in-flight", type=int, default=16, help="requests in flight (16)")
    parser.add_argument("--bare", action="store_true", help="count the bare handler instead")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="certhub-instructions-"))
    try:
        per_request = measure(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    import certhub  # noqa: PLC0415 - only to name the tree that was measured

    server = "bare handler" if args.bare else f"hub ({Path(certhub.__file__).parent})"
    print(f"{server}: {per_request:,.0f} instructions per request")


if __name__ == "__main__":
    main()
