"""Delivery: everything from an outbox row to a department's answer.

The relay publishes committed outbox rows to the broker; the dispatcher calls the
destination that plays the row's role (notifier, certification uplink) and, when the
call fails after the adapter's own quick retries, schedules the next attempt in the
outbox (one backoff function for both layers: :mod:`certhub.adapters.retry`) until the row is
dead-lettered. A failed SMS is retried here. The notice sender protocols are
:mod:`certhub.hub.delivery.notify`.
"""
