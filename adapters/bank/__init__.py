"""Bank networks (社银合作): terminal events over AMQP, reconciliation files, account checks.

* :class:`BankTerminalAdapter` (``bank_terminals``) consumes signed terminal
  certification events from RabbitMQ, dead-lettering what it cannot accept.
* :class:`ReconciliationFile` parses the daily GBK fixed-width reconciliation
  files streaming (layout: ``RECONCILIATION.md``).
* :class:`BankAccountAdapter` (``bank_accounts``) asks a bank whether an
  account is the pensioner's and still open.
"""

from .account import BankAccountAdapter
from .reconciliation import (
    ReconciliationFile,
    ReconciliationRecord,
    ReconciliationRefused,
    ReconciliationSummary,
)
from .terminal import BANK_CODES, BankTerminalAdapter, BankTerminalConfig
from .terminal_inspect import MESSAGE_TYPE, DeadLetter, event_from_native, inspect_message

__all__ = [
    "BANK_CODES",
    "MESSAGE_TYPE",
    "BankAccountAdapter",
    "BankTerminalAdapter",
    "BankTerminalConfig",
    "DeadLetter",
    "ReconciliationFile",
    "ReconciliationRecord",
    "ReconciliationRefused",
    "ReconciliationSummary",
    "event_from_native",
    "inspect_message",
]
