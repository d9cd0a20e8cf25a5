"""The outbox's state changes as audited statement lists (see :mod:`certhub.hub.store.outbox`).

Each function returns the :class:`~certhub.hub.store.writes.Run` list a backend
runs in one transaction with ``outbox_apply``. Guards in the ``WHERE``
clauses make every change idempotent and safe between competing workers: a
delivery already recorded is not recorded again, a dead letter is replayed
once. Callers never see the statements: they call the named transitions of
:class:`OutboxTransitions` (``retry_delivery``, ``dead_letter``, …), which
both backends share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from certhub.hub.store.writes import LedgerWrites, Run

HUB: str = "hub"
UNDELIVERED = "state IN ('pending','published')"


def published(
    delivery_ids: Iterable[str],
    redeliver_at: float,
    *,
    claimed_until: Mapping[str, float] | None = None,
) -> list[Run]:
    """The broker confirmed these; publish again after ``redeliver_at`` if still undelivered.

    ``claimed_until`` (the lease each row got from its claim) narrows the change to rows
    still under that very claim: a consumer may have handled the message already and
    scheduled a retry (``pending`` again, a new ``next_attempt_at``) before this mark
    runs, and that schedule must stand rather than wait for ``redeliver_at``.
    """
    steps = []
    for delivery_id in delivery_ids:
        sql = "UPDATE outbox SET state='published', next_attempt_at=? WHERE delivery_id=?"
        params: tuple[object, ...] = (redeliver_at, delivery_id)
        if claimed_until is not None and delivery_id in claimed_until:
            sql += " AND next_attempt_at=?"
            params += (claimed_until[delivery_id],)
        steps.append(
            Run(
                sql + " AND state='pending'",
                params,
                audit=("outbox_published", delivery_id, HUB),
            )
        )
    return steps


WITHDRAWN = "withdrawn"
"""The destination a notice withdrawn at send is recorded under: delivered, nothing sent
(:class:`~certhub.hub.delivery.notices.NoticesChecked`), so what comes later can tell a
family's notice withdrawn from one sent."""


def delivered_action(destination: str) -> str:
    """The audit action of a recorded delivery: an SMS keeps the vocabulary it had before
    the general outbox (``notice_sent``); a notice withdrawn is ``notice_withdrawn``."""
    return {"sms": "notice_sent", WITHDRAWN: "notice_withdrawn"}.get(destination, "delivered")


def delivered(delivery_id: str, destination: str, at: float, at_iso: str) -> list[Run]:
    """The adapter call succeeded: record the id (once), close the row and its notice."""
    return [
        Run(
            "INSERT INTO deliveries (delivery_id, destination, delivered_at) VALUES (?,?,?)"
            " ON CONFLICT (delivery_id) DO NOTHING",
            (delivery_id, destination, at),
            # an SMS keeps the audit vocabulary it had before the general outbox
            audit=(delivered_action(destination), delivery_id, HUB),
            required=True,
        ),
        Run("UPDATE outbox SET state='delivered' WHERE delivery_id=?", (delivery_id,)),
        Run(
            "UPDATE notices SET sent_at=? WHERE notice_id=? AND sent_at IS NULL",
            (at_iso, delivery_id),
        ),
    ]


def retried(delivery_id: str, attempts: int, next_attempt_at: float, error: str) -> list[Run]:
    """A transient failure: wait until ``next_attempt_at`` (the relay publishes it again)."""
    return [
        Run(
            "UPDATE outbox SET state='pending', attempts=?, next_attempt_at=?, last_error=?"
            f" WHERE delivery_id=? AND {UNDELIVERED}",
            (attempts, next_attempt_at, error, delivery_id),
            audit=("delivery_retried", delivery_id, HUB),
        )
    ]


def dead(delivery_id: str, attempts: int, error: str) -> list[Run]:
    """A permanent failure or the last attempt: park it for an operator."""
    return [
        Run(
            "UPDATE outbox SET state='dead', attempts=?, last_error=?"
            f" WHERE delivery_id=? AND {UNDELIVERED}",
            (attempts, error, delivery_id),
            audit=("dead_lettered", delivery_id, HUB),
        )
    ]


def replayed(delivery_ids: Iterable[str], actor: str, now: float) -> list[Run]:
    """An operator sends dead letters through the normal path again, with fresh attempts."""
    return [
        Run(
            "UPDATE outbox SET state='pending', attempts=0, next_attempt_at=?, last_error=NULL"
            " WHERE delivery_id=? AND state='dead'",
            (now, delivery_id),
            audit=("dlq_replayed", delivery_id, actor),
        )
        for delivery_id in delivery_ids
    ]


def released(leases: Mapping[str, float], now: float) -> list[Run]:
    """Unaudited: end the lease of rows the broker did not take (no state changes).

    ``leases`` (delivery id → the lease its claim gave) narrows each change to a row
    still under that very claim: past its lease another relay may hold the row, and
    its lease must stand (else a third relay publishes the row while it does).
    """
    return [
        Run(
            "UPDATE outbox SET next_attempt_at=? WHERE delivery_id=? AND next_attempt_at=?"
            " AND next_attempt_at>?",
            (now, delivery_id, lease, now),
        )
        for delivery_id, lease in leases.items()
    ]


def purged(delivery_ids: Iterable[str], actor: str) -> list[Run]:
    """An operator drops dead letters for good (the audit chain keeps that it happened)."""
    return [
        Run(
            "DELETE FROM outbox WHERE delivery_id=? AND state='dead'",
            (delivery_id,),
            audit=("dlq_purged", delivery_id, actor),
        )
        for delivery_id in delivery_ids
    ]


class OutboxTransitions(LedgerWrites):
    """The outbox's named state changes, the same on every backend (``outbox_apply`` runs them)."""

    async def release_leases(self, leases: Mapping[str, float], now: float) -> None:
        """The broker did not take these (delivery id → the lease claimed): claimable from
        ``now``, unless another claim holds them meanwhile."""
        await self.outbox_apply(released(leases, now))

    async def retry_delivery(
        self, delivery_id: str, attempts: int, next_attempt_at: float, error: str
    ) -> int:
        """A transient failure: publish again after ``next_attempt_at``; 1 if the row changed."""
        return await self.outbox_apply(retried(delivery_id, attempts, next_attempt_at, error))

    async def dead_letter(self, delivery_id: str, attempts: int, error: str) -> int:
        """A permanent failure or the last attempt: park it for an operator; 1 if it changed."""
        return await self.outbox_apply(dead(delivery_id, attempts, error))

    async def replay_dead_letters(self, delivery_ids: Iterable[str], actor: str, now: float) -> int:
        """Send dead letters through the normal path again; how many were dead."""
        return await self.outbox_apply(replayed(delivery_ids, actor, now))

    async def purge_dead_letters(self, delivery_ids: Iterable[str], actor: str) -> int:
        """Drop dead letters for good (the audit chain keeps that it happened); how many."""
        return await self.outbox_apply(purged(delivery_ids, actor))
