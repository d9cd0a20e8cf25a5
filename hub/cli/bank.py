"""``certhub bank import FILE``: a bank's daily reconciliation file into the ledger.

Each detail line is a certification the bank's terminal performed, so it
becomes the canonical ``certification_event/v1`` it describes (channel
``bank_terminal``, the bank's code, its serial and terminal in the remarks)
and enters the ledger exactly as every inbound record does
(:class:`~certhub.hub.ingress.inbound.InboundIngestor`): signed by the hub as sender
``adapter:bank_reconciliation``, verified, validated, planned, recorded,
receipted. The message id is ``recon<bank>.<serial>``, so importing the same
file again records nothing new; a line changed under a serial recorded before is refused
(``replay``: the first record stands, a correction needs a serial of its own). A line
whose certification the terminal's live message recorded (the bank's serial,
``bank<bank>.<serial>`` of ``adapter:bank_terminals``) is the same certification:
nothing new, counted "already recorded by the terminal"; other content under that
serial is refused the same way (``hub/ingress/bank_twins.py``).

The whole file is verified first (structure, count, checksum): a refused
file records nothing (exit 2). Then each line is recorded or reported with
its line number and reason; a summary ends the run; exit status 1 when any
line was refused. On SQLite the hub must be stopped (one process owns the
ledger); on PostgreSQL the import runs beside the hub.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TextIO

from pydantic import ValidationError

from certhub.adapters.bank import BANK_CODES, ReconciliationFile, ReconciliationRecord
from certhub.adapters.bank.reconciliation import ReconciliationRefused
from certhub.adapters.types import ItemError
from certhub.hub.cli.common import CliError, offline_settings, one_line, started_hub
from certhub.hub.core.settings import Settings
from certhub.hub.ingress.bank_twins import RECONCILIATION_ADAPTER, reconciliation_message_id
from certhub.hub.ingress.inbound import InboundIngestor, InboundSender, IntakeTally
from certhub.schemas import Refusal, mask_ids_in_text

__all__ = ["SENDER_NAME", "add_bank_commands"]

SENDER_NAME = RECONCILIATION_ADAPTER  # signs as adapter:bank_reconciliation
_CHUNK = 128  # lines recorded concurrently: the ledger commits them in groups


def add_bank_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``certhub bank import``."""
    bank = sub.add_parser("bank", help="bank files").add_subparsers(required=True)
    command = bank.add_parser("import", help="record a bank reconciliation file in the ledger")
    command.add_argument("file", type=Path, metavar="FILE", help="the bank's reconciliation file")
    command.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    command.add_argument("--database-url", help="postgresql://… (CERTHUB_DATABASE_URL)")
    command.add_argument(
        "--progress", action="store_true", help="show progress on stderr even when not a terminal"
    )
    command.set_defaults(command=bank_import)


def bank_import(args: argparse.Namespace) -> int:
    """Verify, then record line by line; 0 all recorded, 1 some lines refused, 2 file refused."""
    parsed = ReconciliationFile(args.file, known_banks=BANK_CODES)
    try:
        summary = parsed.verify()  # nothing is recorded from a file that does not hold
    except ReconciliationRefused as exc:
        raise CliError(one_line(exc)) from None
    settings = offline_settings(args)
    show = args.progress or sys.stderr.isatty()
    progress = _Progress(sys.stderr, summary.count) if show else None
    tally, by_terminal = asyncio.run(_import(settings, parsed, summary.bank_code, progress))
    print(
        f"{args.file.name}: bank {summary.bank_code}, {summary.file_date}, batch {summary.batch}:"
        f" {tally.handled} lines, {tally.recorded} recorded,"
        f" {tally.already - by_terminal} already recorded,"
        f" {by_terminal} already recorded by the terminal, {tally.refused} refused"
    )
    return 1 if tally.refused else 0


async def _import(
    settings: Settings, parsed: ReconciliationFile, bank_code: str, progress: _Progress | None
) -> tuple[IntakeTally, int]:
    """Start the hub's resources (not its HTTP server) and record every line through them;
    the tally and how many of its already recorded lines the terminal recorded."""
    from certhub.hub.departments.context import certification_intake

    try:
        async with started_hub(settings) as app:
            # Enrolled once the ledger is ours: a hub holding it refuses us before we write.
            sender, ingestor = await certification_intake(app, SENDER_NAME)
            importer = _Importer(ingestor, sender)
            chunk: list[ReconciliationRecord | ItemError] = []
            for item in parsed:  # streaming: one chunk of lines in memory at a time
                chunk.append(item)
                if len(chunk) == _CHUNK:
                    await importer.record(bank_code, chunk, progress)
                    chunk = []
            await importer.record(bank_code, chunk, progress)
            return importer.tally, importer.by_terminal
    except ReconciliationRefused as exc:  # the file changed while it was read
        raise CliError(one_line(exc)) from None
    finally:
        if progress is not None:
            progress.done()


@dataclass
class _Importer:
    """Records lines as ``sender`` through the inbound path and keeps the tally."""

    ingestor: InboundIngestor
    sender: InboundSender
    tally: IntakeTally = field(default_factory=IntakeTally)
    by_terminal: int = 0  # of tally.already: the terminal's live message recorded them

    async def record(
        self,
        bank_code: str,
        chunk: Sequence[ReconciliationRecord | ItemError],
        progress: _Progress | None,
    ) -> None:
        """Record one chunk concurrently; report its refusals in line order."""
        outcomes = await asyncio.gather(*(self._one(bank_code, item) for item in chunk))
        for outcome in outcomes:
            if outcome == "recorded":
                self.tally.recorded += 1
            elif outcome in {"already", "terminal"}:
                self.tally.already += 1
                self.by_terminal += outcome == "terminal"
            else:
                self.tally.refuse(*outcome)
                print(self.tally.refusals[-1])
        if progress is not None:
            progress.advance(len(chunk))

    async def _one(
        self, bank_code: str, item: ReconciliationRecord | ItemError
    ) -> Literal["recorded", "already", "terminal"] | tuple[str, str]:
        """Recorded now, recorded before, recorded by the terminal, or refused: (the line, why)."""
        if isinstance(item, ItemError):
            column = f"{item.column}: " if item.column else ""
            return f"line {item.position}", f"{column}{item.reason}"
        message_id = reconciliation_message_id(bank_code, item.serial)
        try:
            event = item.event(bank_code)
            # Ingested even when recorded before: the ingestor refuses a line changed under a
            # used serial (replay), which a look-up alone would count as already recorded;
            # and only it knows which of a line's copies in one chunk recorded it.
            record, created = await self.ingestor.ingest_outcome(self.sender, event, message_id)
            if record.sender != self.sender.sender:  # the terminal's live message, first
                return "terminal"
            if not created:
                return "already"
        except ValidationError as exc:
            fields = sorted({".".join(map(str, err["loc"])) for err in exc.errors()})
            return f"line {item.line}", f"not a valid certification event at {', '.join(fields)}"
        except Refusal as exc:  # as for any inbound record
            detail = f"{exc.slug}: {exc.detail}"
            return f"line {item.line}", mask_ids_in_text(f"refused by the hub: {detail}")
        return "recorded"


class _Progress:
    """A one-line progress bar on a terminal (rewritten in place, at most every 1%)."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self._stream = stream
        self._total = max(total, 1)
        self._done = 0
        self._shown = -1

    def advance(self, lines: int) -> None:
        """``lines`` more lines handled."""
        self._done += lines
        percent = min(100, self._done * 100 // self._total)
        if percent != self._shown:
            self._shown = percent
            bar = "#" * (percent // 4)
            self._stream.write(f"\r[{bar:<25}] {percent:3d}% {self._done}/{self._total} lines")
            self._stream.flush()

    def done(self) -> None:
        """End the bar's line."""
        if self._shown >= 0:
            self._stream.write("\n")
            self._stream.flush()
