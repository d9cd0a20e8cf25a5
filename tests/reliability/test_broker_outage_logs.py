"""A RabbitMQ outage in the log: when it began and when it ended, not every reconnect attempt."""

from __future__ import annotations

import asyncio
import logging

import pytest
from deliverykit import prefix

from certhub.hub.delivery.broker import BrokerUnavailable
from certhub.hub.delivery.rabbit import RabbitBroker

from .kit import TcpProxy, until

__all__ = ["prefix"]  # each test's own topology, from the delivery kit


def _text(record: logging.LogRecord) -> str:
    """The record's message; aio-pika's callback records may no longer format afterwards."""
    try:
        return record.getMessage()
    except AttributeError:
        return str(record.msg)


async def test_an_outage_logs_its_start_and_end_not_each_attempt(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The robust connection retries every second; before, aio-pika and aiormq wrote a
    WARNING and an ERROR line per attempt (22 of each in a minute of outage, measured on
    certhub serve), on every process, for as long as the broker was away (README, Logs)."""
    proxy = TcpProxy()
    await proxy.start()
    broker = RabbitBroker(proxy.amqp_url, prefix=prefix, prefetch=1)
    await broker.start(["sms"], None)
    caplog.set_level(logging.INFO)
    try:
        proxy.cut()

        async def refused() -> bool:
            return proxy.refused >= 5

        async def connected() -> bool:
            try:
                await broker.ping()
            except BrokerUnavailable:
                return False
            return True

        await until(refused, 30, "5 reconnect attempts", pause=0.1)
        proxy.restore()
        await until(connected, 30, "reconnected", pause=0.1)
        await asyncio.sleep(0)  # the reconnect callbacks run after the connected event
    finally:
        await broker.aclose()
        await proxy.aclose()
    said = [
        (r.levelname, r.name, _text(r))
        for r in caplog.records
        if r.name.startswith(("aio_pika", "aiormq", "certhub.hub.delivery"))
    ]
    hub = [text for _, name, text in said if name == "certhub.hub.delivery.rabbit"]
    assert len(hub) == 2, said
    assert hub[0].startswith("RabbitMQ connection: round failed, trying again next round: ")
    assert hub[1].startswith("RabbitMQ connection: working again after ")
    attempts = [
        text
        for _, _, text in said
        if text.startswith(("Connection attempt to", "error when creating transport"))
        or "closed. Reconnecting after" in text
    ]
    assert attempts == []
    assert len(said) <= 6, said  # and the loss itself: its reader, a channel's callback
