"""A bank terminal certification reaches the hub twice: one certification, one record.

The bank's terminal sends it live over AMQP (adapter ``bank_terminals``, message id
``bank<code>.<serial>``) and lists it again in the next day's reconciliation file
(``certhub bank import``, sender ``adapter:bank_reconciliation``, message id
``recon<code>.<serial>``). The bank's serial (流水号) is unique per bank and the same
in both (``adapters/bank/RECONCILIATION.md``), so (bank code, serial) names the
certification: whichever way comes second finds the first one's record under the
other sender and records nothing new. Recording it twice counted a failed face
attempt twice (manual review after two real failures instead of three) and a
certification twice in the statistics.

The two records differ in what only one way knows — the live message cites the
on-site photo's digest, the remarks say which way it came — so "the same" is
compared on what the certification is: the person's ID number, the bank, the
terminal, the method, the outcome and the time to the second (the file has no
fractions). Anything else under the same (bank, serial) is a conflict, refused as
``replay`` as other content under a used id is: the first record stands.

The look-up alone is a check before the write: the terminal's consumer (a hub process)
and the import (another process on the same PostgreSQL ledger) can both look, find
nothing, and both record. So the message also carries its twin's (sender, message id)
to the write (:func:`twin_guarded`, :class:`~certhub.hub.store.effects.Unrecorded`),
checked again in its transaction, which the ledger's writers take one at a time: the
second to commit is refused (``conflict``), and the ingestor, planning it again, finds
the first's record at the look-up and answers with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel

from certhub.adapters.bank.terminal_inspect import terminal_message_id
from certhub.hub.ingress.pipeline import Plan
from certhub.hub.store import LedgerRecord, LedgerStore
from certhub.hub.store.effects import Effects, Unrecorded
from certhub.schemas import CertificationEvent, Message, Refusal
from certhub.security import VerifiedMessage

__all__ = [
    "RECONCILIATION_ADAPTER",
    "TERMINAL_ADAPTER",
    "reconciliation_message_id",
    "recorded_twin",
    "twin_guarded",
]

TERMINAL_ADAPTER: Final = "bank_terminals"  # the AMQP adapter's registered name
RECONCILIATION_ADAPTER: Final = "bank_reconciliation"  # ``certhub bank import`` signs as it
# as inbound.adapter_sender names them (not imported: the ingestor imports this module)
_TERMINAL_SENDER: Final = f"adapter:{TERMINAL_ADAPTER}"
_RECONCILIATION_SENDER: Final = f"adapter:{RECONCILIATION_ADAPTER}"
_TERMINAL_IN_REMARKS: Final = re.compile(r"终端 (\S+) 流水 ")  # both ways' remarks say it


def reconciliation_message_id(code: str, serial: str) -> str:
    """The message id of the file's line for bank ``code``'s certification ``serial``."""
    return f"recon{code}.{serial}"


def _twin_of(sender: str, message: Message, message_id: str) -> tuple[str, str] | None:
    """(sender, message id) the other way records the same certification under, if any."""
    if not isinstance(message, CertificationEvent):
        return None
    if sender == _TERMINAL_SENDER and message_id.startswith("bank"):
        code, dot, serial = message_id.removeprefix("bank").partition(".")
        return (_RECONCILIATION_SENDER, reconciliation_message_id(code, serial)) if dot else None
    if sender == _RECONCILIATION_SENDER and message_id.startswith("recon"):
        code, dot, serial = message_id.removeprefix("recon").partition(".")
        return (_TERMINAL_SENDER, terminal_message_id(code, serial)) if dot else None
    return None


def _essentials(event: dict[str, Any]) -> tuple[object, ...]:
    """What makes two records of one (bank, serial) the same certification."""
    terminal = _TERMINAL_IN_REMARKS.search(str(event.get("remarks") or ""))
    return (
        event["person"]["id_number"],
        event["channel"].get("code"),
        terminal.group(1) if terminal else None,
        event["method"],
        event["outcome"],
        datetime.fromisoformat(event["occurred_at"]).replace(microsecond=0),
    )


async def recorded_twin(
    store: LedgerStore, sender: str, message: Message, message_id: str
) -> LedgerRecord | None:
    """The record of the same bank certification the other way made first, if any.

    Raises:
        Refusal: ``replay`` — the other way recorded other content under this
            (bank, serial); the first record stands.
    """
    twin = _twin_of(sender, message, message_id)
    if twin is None:
        return None
    record = await store.find(*twin)
    if record is None:
        return None
    if _essentials(json.loads(record.payload)) != _essentials(message.model_dump(mode="json")):
        raise Refusal(
            "replay",
            f"bank serial of {message_id!r} was already recorded as {twin[1]!r} with another"
            " certification (person, terminal, method, outcome or time); the first stands",
        )
    return record


def twin_guarded(plan: Plan, sender: str, message: Message, message_id: str) -> Plan:
    """``plan``, its effects refused in the write (``conflict``) if the other way recorded the
    same bank certification meanwhile; ``plan`` itself for any other message."""
    twin = _twin_of(sender, message, message_id)
    if twin is None:
        return plan
    absent = Unrecorded(*twin)

    async def guarded(verified: VerifiedMessage, payload: BaseModel) -> Effects:
        effects = await plan(verified, payload)
        return replace(effects, absent=(*effects.absent, absent))

    return guarded
