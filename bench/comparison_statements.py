"""Where a comparison run's CPU goes: each DuckDB statement's CPU seconds, by step.

    .venv/bin/python bench/comparison_statements.py --data DIR [--roster typed|csv]
        [--rounds 2] [--top 12]

``DIR`` is a set ``bench/comparison.py --data DIR`` generated (``--roster typed``
there also writes the typed snapshot, ``DIR/typed-roster``). Each round runs
:func:`certhub.hub.comparison.engine.run_comparison` once, in this process, with
every statement on its connection timed by the process's CPU seconds (user +
system, all DuckDB threads: ``getrusage``) — so the figures add up to the run's
own CPU, less Python's share between statements. Printed: CPU per step (the
engine's ``on_step`` names), and the costliest statements of the last round.
To compare two trees, run this file from each (e.g. a ``git worktree``), alternating.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb
from ledger_sample import PERIOD

from certhub.hub.comparison import engine


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _TimedConnection:
    """A DuckDB connection whose every ``execute`` is timed (CPU seconds) into ``spent``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, spent: list[tuple[float, str]]) -> None:
        self._con, self._spent = con, spent

    def execute(self, query: str, *args: Any) -> duckdb.DuckDBPyConnection:
        """Run ``query`` as the engine asked, noting its CPU and its first words."""
        began = _cpu()
        try:
            return self._con.execute(query, *args)
        finally:
            self._spent.append((_cpu() - began, " ".join(query.split())[:110]))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


class _TimedDuckDB:
    """Stands in for the ``duckdb`` module inside the engine: its connections are timed.

    The engine opens its own connection (``duckdb.connect``) and offers no hook:
    this benchmark swaps the module the engine sees, nothing else.
    """

    def __init__(self, spent: list[tuple[float, str]]) -> None:
        self._spent = spent
        self.DuckDBPyConnection = duckdb.DuckDBPyConnection

    def connect(self, **kwargs: Any) -> _TimedConnection:
        """A timed connection to a new in-memory database (the engine's arguments)."""
        return _TimedConnection(duckdb.connect(**kwargs), self._spent)


def profile(data: Path, roster: str) -> tuple[dict[str, float], list[tuple[float, str]], float]:
    """One run over ``data``: CPU per step, every statement's CPU, the run's whole CPU."""
    spent: list[tuple[float, str]] = []
    steps: dict[str, float] = {}
    counted = 0

    def on_step(name: str, _done: int, _of: int) -> None:  # the statements since the last step
        nonlocal counted
        steps[name] = round(sum(cpu for cpu, _ in spent[counted:]), 2)
        counted = len(spent)

    inputs = tempfile.TemporaryDirectory(prefix="bench-statements-")
    with inputs as tmp:
        view = Path(tmp) / "in"
        view.mkdir()
        for path in data.glob("*.csv"):  # the feeds, and the roster CSV unless typed
            if roster == "csv" or path.name != "roster.csv":
                (view / path.name).symlink_to(path)
        typed = data / "typed-roster" if roster == "typed" else None
        real, engine.duckdb = engine.duckdb, _TimedDuckDB(spent)  # type: ignore[assignment]
        began = _cpu()
        try:
            engine.run_comparison(view, Path(tmp) / "runs", PERIOD, on_step=on_step,
                                  typed_roster=typed)  # fmt: skip
        finally:
            engine.duckdb = real
        return steps, spent, _cpu() - began


def main() -> None:
    """Profile ``--rounds`` runs; print CPU per step and the costliest statements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--roster", choices=("typed", "csv"), default="typed")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    rounds = []
    for _ in range(args.rounds):
        steps, spent, whole = profile(args.data, args.roster)
        rounds.append({"run_cpu_seconds": round(whole, 2),
                       "statements_cpu_seconds": round(sum(c for c, _ in spent), 2),
                       "steps_cpu_seconds": steps})  # fmt: skip
    costliest = [f"{cpu:6.2f}  {text}" for cpu, text in sorted(spent, reverse=True)[: args.top]]
    print(json.dumps({"rounds": rounds, "costliest_last_round": costliest}, indent=2,
                     ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
