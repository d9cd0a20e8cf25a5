"""The tamper-evident audit log: each entry's hash covers the previous entry's hash.

Changing, inserting or deleting any entry changes every hash after it, so
``certhub audit verify`` finds the first broken link; signed checkpoints pin
the chain's head to the hub's key so it cannot be silently rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Final

GENESIS: Final = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One link of the chain as stored."""

    seq: int
    at: str
    action: str
    subject: str
    actor: str
    digest: str
    prev_hash: str
    hash: str


Fields = tuple[int, str, str, str, str, str]
"""An entry's content: seq, at, action, subject, actor, digest."""


_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once


def link_hash(prev_hash: str, fields: Fields) -> str:
    """The hash of an entry given the previous hash (canonical JSON, SHA-256).

    The JSON is the array ``[prev_hash, seq, at, action, subject, actor, digest]``
    as :data:`_CANONICAL` writes it. Every accepted message links one entry, so a
    link whose strings need no escape (no quote, backslash or unprintable
    character: a string's JSON text is then the string between quotes) and whose
    ``seq`` is a plain int is written out directly, the same text for about a third
    of the encoder's cost; any other goes through the encoder.
    """
    seq, at, action, subject, actor, digest = fields
    text = f"{prev_hash}{at}{action}{subject}{actor}{digest}"
    if (
        type(seq) is int
        and str is type(prev_hash) is type(at) is type(action) is type(subject)
        and str is type(actor) is type(digest)  # a subclass may write itself otherwise
        and '"' not in text
        and "\\" not in text
        and text.isprintable()
    ):
        material = f'["{prev_hash}",{seq},"{at}","{action}","{subject}","{actor}","{digest}"]'
    else:
        material = _CANONICAL.encode([prev_hash, *fields])
    return hashlib.sha256(material.encode()).hexdigest()


class AuditChain:
    """The head of the chain, advanced by the single ledger writer."""

    def __init__(self, seq: int = 0, head: str = GENESIS) -> None:
        self.seq = seq
        self.head = head

    def next(self, at: str, action: str, subject: str, actor: str, digest: str) -> AuditEntry:
        """The next entry (the chain advances; undo with :meth:`restore`)."""
        seq = self.seq + 1
        entry_hash = link_hash(self.head, (seq, at, action, subject, actor, digest))
        entry = AuditEntry(seq, at, action, subject, actor, digest, self.head, entry_hash)
        self.seq, self.head = seq, entry_hash
        return entry

    def mark(self) -> tuple[int, str]:
        """The current head, to restore after a rolled-back transaction."""
        return self.seq, self.head

    def restore(self, mark: tuple[int, str]) -> None:
        """Go back to a head returned by :meth:`mark`."""
        self.seq, self.head = mark


def first_broken(entries: list[AuditEntry], prev_hash: str = GENESIS) -> AuditEntry | None:
    """The first entry whose link does not verify, or None when the chain is whole."""
    expected_seq = entries[0].seq if entries else 1
    for entry in entries:
        fields = (entry.seq, entry.at, entry.action, entry.subject, entry.actor, entry.digest)
        recomputed = link_hash(prev_hash, fields)
        if entry.seq != expected_seq or entry.prev_hash != prev_hash or entry.hash != recomputed:
            return entry
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    return None
