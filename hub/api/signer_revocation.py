"""What reviewers are told of work still under review whose signing key was revoked since.

A coordinator's phone is lost, and the county revokes its key: what the phone
sent before stands (a lost phone does not make its earlier reports false), but
the people still deciding on them should know, and judge. Nothing is stored
for it: the reads join each item under review (``received`` or ``accepted``)
and each task not yet resolved (``open`` or ``in_progress``) with the trust
store's entry of the key that signed it, or signed its source reports, at
read time, and add ``signing_key_revoked`` (an item) or ``revoked_sources``
(a task) when that key is revoked now. Nothing is rejected or closed by it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from certhub.hub.store import LedgerRecord, LedgerStore
from certhub.schemas.clock import rfc3339
from certhub.security import TrustedKey, TrustStore

__all__ = [
    "REVOKED_KEY_SCHEMA",
    "REVOKED_SOURCES_SCHEMA",
    "revoked_keys",
    "revoked_signers",
    "revoked_sources_of",
    "with_revoked_signer",
    "with_revoked_sources",
]

_UNDER_REVIEW: Final = frozenset({"received", "accepted"})
_UNRESOLVED: Final = frozenset({"open", "in_progress"})

REVOKED_KEY_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["kid", "sender", "revoked_at"],
    "properties": {
        "kid": {"type": "string"},
        "sender": {"type": "string"},
        "revoked_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When the key was revoked; null for a key revoked before the hub "
            "kept the time.",
        },
    },
}
"""The schema of one revoked signing key as the reads name it."""

REVOKED_SOURCES_SCHEMA: Final[dict[str, Any]] = {
    "type": "array",
    "minItems": 1,
    "description": "On a task still open or in progress: its source reports whose signing key "
    "was revoked since (a lost phone), each with its sequence, the key, its sender and when. "
    "The reports stand; a reviewer judges them.",
    "items": {
        **REVOKED_KEY_SCHEMA,
        "required": ["sequence", *REVOKED_KEY_SCHEMA["required"]],
        "properties": {
            "sequence": {"type": "integer", "minimum": 1},
            **REVOKED_KEY_SCHEMA["properties"],
        },
    },
}
"""The schema of a task's ``revoked_sources``."""


def revoked_keys(store: TrustStore) -> dict[str, TrustedKey]:
    """The revoked entries of ``store`` by kid (usually none: the reads then join nothing)."""
    return {entry.kid: entry for entry in store if entry.revoked}


def _named(entry: TrustedKey) -> dict[str, Any]:
    when = None if entry.revoked_at is None else rfc3339(entry.revoked_at)
    return {"kid": entry.kid, "sender": entry.sender, "revoked_at": when}


def with_revoked_signer(
    item: dict[str, Any], record: LedgerRecord, revoked: Mapping[str, TrustedKey]
) -> dict[str, Any]:
    """``item`` (``record`` as a read shows it) with ``signing_key_revoked`` when the record is
    under review and the key that signed it is revoked now; else ``item`` unchanged."""
    entry = revoked.get(record.kid) if record.status in _UNDER_REVIEW else None
    return item if entry is None else item | {"signing_key_revoked": _named(entry)}


async def with_revoked_sources(
    tasks: Iterable[dict[str, Any]], store: LedgerStore, revoked: Mapping[str, TrustedKey]
) -> list[dict[str, Any]]:
    """``tasks`` (as the reads show them), each still open or in progress with
    ``revoked_sources``: its source reports whose signing key is revoked now, each with the
    report's ``sequence`` (absent when there are none)."""
    shown = list(tasks)
    if not revoked:  # no revoked key: no source to read
        return shown
    flagged: list[dict[str, Any]] = []
    for task in shown:
        found = await _revoked_sources(store, task, revoked)
        flagged.append(task | {"revoked_sources": found} if found else task)
    return flagged


async def revoked_signers(
    store: LedgerStore, items: Iterable[int], revoked: Mapping[str, TrustedKey]
) -> dict[int, dict[str, Any]]:
    """Of ``items`` (reports under review, by ledger sequence), those whose signing key is
    revoked now: item → the key as ``signing_key_revoked`` names it."""
    found: dict[int, dict[str, Any]] = {}
    for item in items if revoked else ():
        entry = await _revoked_signer(store, str(item), revoked)
        if entry is not None:
            found[item] = _named(entry)
    return found


async def revoked_sources_of(
    store: LedgerStore, task_ids: Iterable[str], revoked: Mapping[str, TrustedKey]
) -> dict[str, list[dict[str, Any]]]:
    """Of ``task_ids``, the tasks still unresolved with source reports whose signing key is
    revoked now: task id → ``revoked_sources``."""
    found: dict[str, list[dict[str, Any]]] = {}
    for task_id in task_ids if revoked else ():
        row = await store.get_task(task_id)
        sources = (
            [] if row is None else await _revoked_sources(store, json.loads(row.snapshot), revoked)
        )
        if sources:
            found[task_id] = sources
    return found


async def _revoked_sources(
    store: LedgerStore, task: Mapping[str, Any], revoked: Mapping[str, TrustedKey]
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if task.get("status") in _UNRESOLVED:
        for source in task.get("sources", ()):
            entry = await _revoked_signer(store, str(source), revoked)
            if entry is not None:
                found.append({"sequence": int(source), **_named(entry)})
    return found


async def _revoked_signer(
    store: LedgerStore, source: str, revoked: Mapping[str, TrustedKey]
) -> TrustedKey | None:
    # A source is a report's ledger sequence (a comparison record's id is not a number).
    if not (source.isascii() and source.isdigit() and len(source) <= 18):
        return None
    record = await store.get_record(int(source))
    return None if record is None else revoked.get(record.kid)
