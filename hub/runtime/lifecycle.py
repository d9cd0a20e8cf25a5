"""A hub process's start and stop: the two lines an operator looks for first, and tracing.

``certhub started`` names the version and commit, the role, the addresses the
process listens on, its pid, the ledger and the broker (URLs without their
passwords); ``certhub stopped`` names why (the signal) and after how long.
Both are INFO on the logger ``certhub.lifecycle``, kept at INFO whatever
``CERTHUB_LOG_LEVEL`` says.
"""

from __future__ import annotations

import logging
import os
import socket
import time

from aiohttp import web

from certhub.hub.core.build import build_commit, package_version
from certhub.hub.core.keys import SETTINGS
from certhub.hub.core.secrets import masked_url
from certhub.hub.core.settings import Settings
from certhub.monitoring.tracing import configure_tracing

__all__ = ["LIFECYCLE_LOGGER", "log_started", "log_stopped", "start_tracing"]

LIFECYCLE_LOGGER = "certhub.lifecycle"
log = logging.getLogger(LIFECYCLE_LOGGER)


def log_started(app: web.Application, runner: web.AppRunner) -> float:
    """Log the start-up line once the sockets listen; the monotonic time it was written."""
    settings = app[SETTINGS]
    addresses = ", ".join(_address(address) for address in runner.addresses)
    version = package_version()
    log.info(
        "certhub %s started: role %s on %s (pid %d)",
        version,
        settings.role,
        addresses,
        os.getpid(),
        extra={
            "event": "started",
            "version": version,
            "commit": build_commit(settings.build_commit),
            "role": settings.role,
            "address": addresses,
            "metrics_port": settings.metrics_port,
            "pid": os.getpid(),
            "ledger": _ledger(settings),
            "broker": _broker(settings),
        },
    )
    return time.monotonic()


def log_stopped(started: float, reason: str) -> None:
    """Log the shutdown line: why, and after how long."""
    uptime = time.monotonic() - started
    log.info(
        "certhub stopped (%s) after %.0f s (pid %d)",
        reason,
        uptime,
        os.getpid(),
        extra={"event": "stopped", "reason": reason, "uptime_seconds": round(uptime, 1)},
    )


def start_tracing(settings: Settings) -> None:
    """Export spans over OTLP when ``CERTHUB_OTLP_ENDPOINT`` is set (off by default)."""
    if settings.otlp_endpoint is None:
        return
    configure_tracing(
        service="certhub",
        attributes={
            "service.version": package_version(),
            "service.instance.id": f"{socket.gethostname()}:{os.getpid()}",
            "certhub.role": settings.role,
            "certhub.hub_id": settings.hub_id,
        },
        endpoint=settings.otlp_endpoint,
    )


def _address(address: object) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"http://[{host}]:{port}" if ":" in str(host) else f"http://{host}:{port}"
    return str(address)


def _ledger(settings: Settings) -> str:
    url = masked_url(settings.database_url)
    return url if url is not None else f"sqlite:{settings.ledger_path}"


def _broker(settings: Settings) -> str:
    if settings.broker == "rabbitmq":
        return masked_url(settings.amqp_url) or "rabbitmq"
    return "memory"
