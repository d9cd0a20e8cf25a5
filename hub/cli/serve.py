"""``certhub serve``: check everything an operator can get wrong, then start the hub.

A refused start writes nothing: the hub's start-up creates its keys, trust
store, ledger and evidence folders, so every check that can fail on an
operator's mistake — settings, adapter names and fields, the listen ports,
RabbitMQ, the trust store, reporting-units, pull-cursor and evidence key files — runs
here first and ends in one ``certhub: error: …`` line.
"""

from __future__ import annotations

import asyncio
import errno
import importlib.util
import logging
import socket

from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from certhub.hub.cli.common import CliError, one_line
from certhub.hub.cli.deployment_checks import (
    check_deployment,
    key_folder_variable,
    must_be_makeable,
)
from certhub.hub.core.secrets import masked_url
from certhub.hub.core.settings import Settings
from certhub.hub.evidence import EvidenceError, EvidenceKeyring, evidence_key_folder
from certhub.monitoring.tracing import shutdown_tracing
from certhub.security import TrustStore

__all__ = ["CURSOR_KEY_BYTES", "preflight", "serve"]

CURSOR_KEY_BYTES = 32
"""hub.api.cursor.KEY_BYTES, which the cli may not import (the api is the top layer); a test
holds the two equal."""


def serve(settings: Settings) -> int:
    """Run the hub until interrupted, after :func:`preflight`."""
    preflight(settings)
    from certhub.hub.runtime.app import create_app
    from certhub.hub.runtime.gc_tuning import tune_gc_after_startup
    from certhub.hub.runtime.lifecycle import start_tracing
    from certhub.hub.runtime.serving import run_hub
    from certhub.monitoring.logging import configure_logging

    configure_logging(settings.log_level)
    start_tracing(settings)
    app = create_app(settings)
    app.on_startup.append(tune_gc_after_startup)  # runs after every resource is loaded
    # Behind the connection cap and idle timeouts of certhub.hub.runtime.serving (not web.run_app).
    try:
        run_hub(app, settings)
    finally:
        shutdown_tracing()  # the last spans leave before the process does
    return 0


def preflight(settings: Settings) -> None:
    """Every start-up check that can fail on a mistake, before anything is created.

    Raises:
        CliError: the first problem found, in one line.
    """
    _check_port(settings.host, settings.port, "CERTHUB_PORT")
    _check_tracing(settings)
    if settings.metrics_port is not None:
        _check_metrics_ports(settings)
        _check_port(settings.host, settings.metrics_port, "CERTHUB_METRICS_PORT")
    _check_files(settings)
    check_deployment(settings)  # ingress needs PostgreSQL; the deployment key opens its keys
    if settings.database_url is None:  # PostgreSQL: cursor and evidence keys are the deployment's
        _check_cursor_key(settings)
        _check_evidence_keys(settings)
    asyncio.run(_check_adapters(settings))
    if settings.broker == "rabbitmq" and settings.role != "ingress":
        asyncio.run(_check_rabbitmq(settings.amqp_url))


def _check_tracing(settings: Settings) -> None:
    """Traces asked for need the optional extra installed."""
    if settings.otlp_endpoint is not None and importlib.util.find_spec("opentelemetry") is None:
        raise CliError(
            "CERTHUB_OTLP_ENDPOINT is set but OpenTelemetry is not installed:"
            " pip install 'certhub[tracing]'"
        )


def _check_port(host: str, port: int, name: str) -> None:
    """Bind the port as aiohttp will (address reuse on), then let it go."""
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CliError(f"cannot listen on {host!r}: {exc.strerror}") from None
    for family, kind, proto, _name, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                why = "is in use" if exc.errno == errno.EADDRINUSE else f": {exc.strerror}"
                raise CliError(f"port {port} on {host} {why} ({name})") from None


def _check_metrics_ports(settings: Settings) -> None:
    """/metrics of HTTP process i listens on METRICS_PORT + i: none of them on PORT itself."""
    first, count = settings.metrics_port or 0, settings.processes
    if settings.port == 0 or not first <= settings.port < first + count:
        return
    ports, verb = (f"{first}", "is") if count == 1 else (f"{first}-{first + count - 1}", "includes")
    raise CliError(
        f"CERTHUB_METRICS_PORT {ports} {verb} the hub's own port (CERTHUB_PORT): give /metrics"
        " another port, or unset it to serve /metrics on the hub's"
    )


def _check_evidence_keys(settings: Settings) -> None:
    """A provisioned secrets folder must hold the evidence keys: start-up makes none there."""
    if settings.secrets_dir is None:
        return  # made in DATA_DIR/secrets/evidence at the first start
    try:
        EvidenceKeyring.load(evidence_key_folder(settings))
    except EvidenceError as exc:
        why = "CERTHUB_SECRETS_DIR: provision its evidence keys"
        raise CliError(f"{one_line(exc)} ({why})") from None


def _check_files(settings: Settings) -> None:
    """The trust store and reporting units, if present, must load as the hub will load them."""
    from certhub.hub.compliance.reporting_units import ReportingUnitsError, load_reporting_units
    from certhub.security import TrustStoreError

    if settings.trust_store_path.exists():
        try:
            TrustStore.load(settings.trust_store_path)
        except TrustStoreError as exc:
            raise CliError(one_line(exc)) from None
    try:
        load_reporting_units(settings)
    except (ReportingUnitsError, OSError, UnicodeDecodeError) as exc:
        raise CliError(f"reporting units: {one_line(exc)}") from None


def _check_cursor_key(settings: Settings) -> None:
    """The pull-cursor key must load, or its folder must take a new one; nothing is made here.

    A secrets folder provisioned read-only without ``cursor.key`` would
    otherwise fail at start-up with a traceback, after other files were made.
    """
    path = settings.cursor_key_path
    variable = key_folder_variable(settings)
    try:
        if path.exists():
            size = len(path.read_bytes())
            if size < CURSOR_KEY_BYTES:
                raise CliError(
                    f"cursor key {path} holds {size} bytes;"
                    f" it needs {CURSOR_KEY_BYTES} ({variable})"
                )
            return
        must_be_makeable(path, "cursor key", variable)
    except OSError as exc:
        raise CliError(f"cursor key {path}: {exc.strerror or one_line(exc)} ({variable})") from None


async def _check_adapters(settings: Settings) -> None:
    """Build every configured adapter (names, fields, key files) and close it again.

    Adapters open no connection until first used, so building them is a
    complete, side-effect-free check of their settings.
    """
    from pydantic import ValidationError

    from certhub.adapters import AdapterOptions, create_adapters, load_adapter
    from certhub.monitoring.adapter_metrics import AdapterMetrics

    for name, raw in settings.adapters.items():
        cls = load_adapter(name)  # "did you mean …" for a wrong name
        try:
            cls.config_model.model_validate(dict(raw))
        except ValidationError as exc:
            problems = "; ".join(
                f"{setting_name_of(name, err['loc'])}: {err['msg']}"
                for err in exc.errors(include_input=False, include_url=False)
            )
            raise CliError(f"adapter {name!r}: {problems}") from None
    built = create_adapters(settings.adapters, AdapterOptions(AdapterMetrics(CollectorRegistry())))
    for adapter in built.values():
        await adapter.aclose()


def setting_name_of(adapter: str, loc: tuple[int | str, ...]) -> str:
    """``CERTHUB_ADAPTERS__SMS__BASE_URL`` for field ``base_url`` of adapter ``sms``."""
    return "CERTHUB_ADAPTERS__" + "__".join(str(part).upper() for part in (adapter, *loc))


async def _check_rabbitmq(url: SecretStr) -> None:
    """Connect once (a few seconds at most) so a broker that is down refuses the start."""
    import aio_pika

    quiet = [logging.getLogger(name) for name in ("aiormq", "aio_pika")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:  # their own "cannot connect" lines would make the refusal two lines
        logger.setLevel(logging.CRITICAL + 1)
    try:
        connection = await aio_pika.connect(url.get_secret_value(), timeout=5)
    except Exception as exc:
        raise CliError(f"RabbitMQ at {masked_url(url)} unreachable: {one_line(exc)}") from None
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
    await connection.close()
