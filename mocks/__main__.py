"""``python -m certhub.mocks [--config mocks.json] [--seed N]``: run every mock department.

Prints each mock's URL, its admin endpoint (``PUT /_admin/faults`` changes
faults at run time) and the adapter settings that point certhub at the mocks,
then serves until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
from pathlib import Path

from .runner import MocksConfig, run_mocks


def _config(argv: list[str] | None) -> MocksConfig:
    parser = argparse.ArgumentParser(prog="python -m certhub.mocks", description=__doc__)
    parser.add_argument("--config", type=Path, help="JSON file of MocksConfig (ports, faults)")
    parser.add_argument("--seed", type=int, help="seed of the mock data (overrides the file)")
    args = parser.parse_args(argv)
    raw = json.loads(args.config.read_text(encoding="utf-8")) if args.config else {}
    if args.seed is not None:
        raw["seed"] = args.seed
    return MocksConfig.model_validate(raw)


async def _serve(config: MocksConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with run_mocks(config) as running:
        for name, url in running.urls.items():
            print(f"{name:9} {url}    admin: {url}/_admin/faults")
        print("adapter settings:")
        print(json.dumps(running.adapter_settings, indent=2, ensure_ascii=False))
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until SIGINT/SIGTERM."""
    asyncio.run(_serve(_config(argv)))


if __name__ == "__main__":
    main()
