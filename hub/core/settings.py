"""The hub's one configuration object, built once at start-up and passed down.

Every setting can come from the environment (``CERTHUB_`` prefix, ``__`` for
nested fields), from a ``.env`` file, or -- the settings holding passwords --
from files in the secrets directory (``SECRETS_DIR/database_url``,
``SECRETS_DIR/amqp_url``). Nothing else in certhub reads ``os.environ``.

Those passwords are ``SecretStr``: ``repr``, ``str`` and logs show ``**********``
(or :func:`~certhub.hub.core.secrets.masked_url`); only the code that opens the
connection calls ``get_secret_value()``. An unknown key in ``.env`` is refused,
naming the key. Reading them from files: :mod:`certhub.hub.core.secrets`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from certhub.hub.core.bound_settings import BoundSettings
from certhub.hub.core.secrets import SecretFileSource
from certhub.schemas import TaskKind

MiB = 1024 * 1024
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BoundSettings):
    """Runtime configuration of a certhub process (its bounds: :class:`BoundSettings`)."""

    model_config = SettingsConfigDict(
        env_prefix="CERTHUB_",
        env_nested_delimiter="__",
        env_file=".env",
        # A typo in .env (CERTHUB_DATABSE_URL) must refuse start-up, not be silently ignored.
        extra="forbid",
        frozen=True,
    )

    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for the SQLite ledger, the hub's signing keys and the trust store.",
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP API listens on.")
    port: int = Field(default=8080, ge=0, le=65535, description="Port of the HTTP API.")
    metrics_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="Also serve /metrics on this port (same host); unset = API port only.",
    )
    hub_id: str = Field(
        default="certhub",
        pattern=r"^[A-Za-z0-9_.:@-]{1,64}$",
        description="Issuer name in receipts and checkpoints.",
    )
    trust_store: Path | None = Field(
        default=None,
        description="JWK Set of trusted senders; defaults to DATA_DIR/trust.jwks.json.",
    )
    trust_reload_seconds: float = Field(
        default=2.0, gt=0, description="How often the trust store file is checked for changes."
    )
    max_body_bytes: int = Field(
        default=1 * MiB, ge=1024, description="Largest accepted signed message, in bytes."
    )
    evidence_max_bytes: int = Field(
        default=10 * MiB, ge=1024, description="Largest accepted piece of evidence, in bytes."
    )
    clock_skew_seconds: int = Field(
        default=300, ge=0, description="Allowed difference between a message's iat and now."
    )
    read_token_max_lifetime_seconds: int = Field(
        default=900, ge=60, description="Longest lifetime (exp - iat) a read token may have."
    )
    pull_default_limit: int = Field(default=100, ge=1, description="Page size of pulls.")
    pull_max_limit: int = Field(default=1000, ge=1, description="Largest page a pull may ask.")
    comparison_unmatched_retention_days: int = Field(
        default=90,
        ge=1,
        description="Days a comparison run keeps feed records that matched nobody (then purged).",
    )
    comparison_parallel_partitions: int = Field(
        default=2, ge=1, le=21, description="City partitions of a comparison one process runs."
    )
    comparison_partition_attempts: int = Field(
        default=3, ge=1, le=20, description="Attempts of one city partition before it is failed."
    )
    comparison_partition_lease_seconds: float = Field(
        default=120.0, gt=0, description="Seconds before a silent worker's partition is retaken."
    )
    register_grace_months: int = Field(
        default=0,
        ge=0,
        le=12,
        description="Whole months after the due month before an overdue pensioner is liable"
        " to suspension.",
    )
    register_reminders_per_cycle: int = Field(
        default=2,
        ge=0,
        le=12,
        description="Most certification reminders (SMS) one pensioner gets per cycle.",
    )
    ledger_batch_max: int = Field(
        default=512, ge=1, description="Most messages committed in one ledger transaction."
    )
    signature_helper: bool = Field(
        default=True,
        description=(
            "Check message signatures in a helper process on another core"
            " (falls back to the event loop if it dies)."
        ),
    )
    signature_helper_from: int = Field(
        default=1000,
        ge=0,
        le=1_000_000,
        description=(
            "Signatures checked or signed on the event loop before the helper process starts"
            " (0: at start-up); a process start costs as much CPU as about 6,000 checks."
        ),
    )
    sqlite_synchronous: str = Field(
        default="FULL",
        pattern="^(FULL|EXTRA)$",
        description="SQLite fsync level; only FULL or EXTRA keep a 202 durable.",
    )
    sqlite_wal_max_bytes: int = Field(
        default=64 * MiB,
        ge=1 * MiB,
        description="Bound of the SQLite write-ahead log: past it the writer empties the log"
        " between two group commits (also SQLite's journal_size_limit).",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL ledger, e.g. postgresql://postgres@127.0.0.1:5432/certhub;"
        " unset = the embedded SQLite ledger in DATA_DIR; or the file SECRETS_DIR/database_url.",
    )
    secrets_dir: Path | None = Field(
        default=None,
        description="Folder of secret files: evidence keys, cursor.key, and the settings"
        " database_url and amqp_url (one file each, read when not set otherwise).",
    )
    build_commit: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{7,40}$",
        description="Source commit shown in certhub_build_info, set by the deployment;"
        " unset = the git checkout's HEAD.",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        description="Export OpenTelemetry traces over OTLP/HTTP to this URL, e.g."
        " http://collector:4318/v1/traces (needs the certhub[tracing] extra); unset = no traces.",
    )
    log_level: str = Field(
        default="INFO", description="Root log level: DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
    adapters: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Department adapters by name (eid, ministry, sms, …) with their settings,"
        " e.g. CERTHUB_ADAPTERS__SMS__BASE_URL.",
    )
    adapter_roles: dict[str, str] = Field(
        default_factory=dict,
        description="Which configured adapter plays a role (identity, notifier, uplink,"
        " certification_source) when several could, e.g. CERTHUB_ADAPTER_ROLES__UPLINK=ministry.",
    )
    identity_check: Literal["required", "off"] = Field(
        default="required",
        description="Counter and home-visit certifications must pass the public-security e-ID"
        " check (rule 4); 'off' only where no e-ID service exists (tests, drills).",
    )
    ministry_pull_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How often the ministry's certification results are pulled; 0: only on demand.",
    )
    reporting_units: Path | None = Field(
        default=None,
        description="CSV (code,name) of the counties/villages that must report monthly;"
        " defaults to DATA_DIR/reporting_units.csv when that file exists.",
    )
    report_deadline_day: int = Field(
        default=5, ge=1, le=28, description="Day of the next month by which a month is reported."
    )
    task_deadline_days: dict[str, int] = Field(
        default_factory=dict,
        description="Days to dispose of a verification task, by kind (death, imprisonment,"
        " duplicate_receipt: 30; missing, loss_of_nationality: 60 unless set here).",
    )
    rating_base_url: str | None = Field(
        default=None,
        # the link is ~90 characters past it: longer, a result SMS passes the gateway's 500
        max_length=200,
        pattern=r"^https?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~/-]*)?$",
        description="Public base URL of the hub (at most 200 characters); when set,"
        " certification-result SMS carry a link to rate the service (BASE/rate/<link>).",
    )
    disclosure_threshold: int = Field(
        default=5,
        ge=3,
        le=100,
        description="The smallest count the public disclosure publishes; smaller cells, and"
        " those that would give them back by subtraction, are withheld.",
    )
    task_reminder_days: int = Field(
        default=5, ge=0, le=60, description="Days before a task's or report's deadline to remind."
    )
    report_review_days: int = Field(
        default=15,
        ge=1,
        le=365,
        description="Calendar days from its filing to decide a report of loss of eligibility"
        " (town and county together); while undecided it holds the person's restorations"
        " and 免办: the deciding level is reminded, the level above told once it is past.",
    )
    role: Literal["all", "ingress", "worker"] = Field(
        default="all",
        description="ingress: HTTP API only; worker: outbox relay and consumers only; all: both.",
    )
    processes: int = Field(
        default=1,
        ge=1,
        le=64,
        description="HTTP processes sharing PORT (SO_REUSEPORT). The first plays ROLE and, on"
        " SQLite, alone writes the ledger; the others are ingress processes (on SQLite they hand"
        " their writes to the first over LEDGER_WRITER and answer after its commit).",
    )
    ledger_writer: Path | None = Field(
        default=None,
        description="Unix socket of the process that writes the SQLite ledger; set, this"
        " process reads the ledger file and hands every write to that process (PROCESSES sets"
        " it for its ingress processes: DATA_DIR/ledger-writer.sock).",
    )
    broker: Literal["memory", "rabbitmq"] = Field(
        default="memory",
        description="Delivery broker: in-process (driven by the durable outbox) or RabbitMQ.",
    )
    amqp_url: SecretStr = Field(
        default=SecretStr("amqp://guest:guest@127.0.0.1:5672/"),
        description="RabbitMQ connection when BROKER=rabbitmq; or the file SECRETS_DIR/amqp_url.",
    )
    amqp_prefix: str = Field(
        default="certhub",
        pattern=r"^[A-Za-z0-9_.-]{1,40}$",
        description="Prefix of the RabbitMQ exchanges and queues (one per hub deployment).",
    )
    delivery_concurrency: int = Field(
        default=16, ge=1, le=1000, description="Deliveries in progress per worker (prefetch)."
    )
    delivery_max_attempts: int = Field(
        default=8, ge=1, description="Attempts of one delivery before it is dead-lettered."
    )
    delivery_backoff_initial: float = Field(
        default=2.0, gt=0, description="Seconds before the second attempt; doubles each time."
    )
    delivery_backoff_max: float = Field(
        default=600.0, gt=0, description="Longest wait between two attempts, in seconds."
    )
    delivery_lease_seconds: float = Field(
        default=30.0, gt=0, description="A claimed, unpublished outbox row is claimed again after."
    )
    delivery_redeliver_seconds: float = Field(
        default=900.0,
        gt=0,
        description="A published row still undelivered after this is published again.",
    )
    delivery_poll_seconds: float = Field(
        default=0.5, gt=0, description="How often the relay looks for due outbox rows."
    )
    max_outbox_backlog: int = Field(
        default=100_000,
        ge=1,
        description="Undelivered outbox rows beyond which ingress answers 429 (overloaded).",
    )
    max_in_flight: int = Field(
        default=2_000,
        ge=1,
        description="Messages being accepted at once beyond which ingress answers 429.",
    )
    http_idle_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A connection that completes no request head this long after it opened"
        " or after its last response is closed (idle keep-alive and slow headers alike);"
        " so is one whose answer the client takes no byte of for this long.",
    )
    http_body_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A request body not fully received this long after its head is refused"
        " (408 body-timeout) and its connection closed.",
    )
    http_max_connections: int = Field(
        default=512,
        ge=1,
        description="Open client connections beyond which a new one is answered 503 and closed.",
    )
    http_max_pending_bodies: int = Field(
        default=128,
        ge=1,
        description="Requests still receiving their (not yet authenticated) body beyond which"
        " another such request is answered 429 overloaded.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then ``.env``, then the secrets folder's files."""
        return init_settings, env_settings, dotenv_settings, SecretFileSource(settings_cls)

    @field_validator("data_dir", "trust_store", "secrets_dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        try:
            return value.expanduser() if value is not None else None
        except RuntimeError:  # pathlib's answer to "~name" of no user: a refusal, not a crash
            raise ValueError("starts with ~ and a name that is no user's") from None

    @field_validator("task_deadline_days")
    @classmethod
    def _known_task_kinds(cls, value: dict[str, int]) -> dict[str, int]:
        for kind, days in value.items():
            if kind not in TaskKind.__members__:
                raise ValueError(f"unknown task kind {kind!r}; one of {', '.join(TaskKind)}")
            if not 1 <= days <= 365:
                raise ValueError(f"{kind}: days must be 1 to 365")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        # Checked here, not by logging at start-up: a typo must refuse before anything is made.
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"use one of {', '.join(_LOG_LEVELS)}")
        return level

    @property
    def trust_store_path(self) -> Path:
        """Where the trust store lives."""
        return self.trust_store or self.data_dir / "trust.jwks.json"

    @property
    def reporting_units_path(self) -> Path:
        """Where the list of reporting units lives."""
        return self.reporting_units or self.data_dir / "reporting_units.csv"

    @property
    def ledger_path(self) -> Path:
        """The embedded SQLite ledger file."""
        return self.data_dir / "ledger.sqlite3"

    @property
    def ledger_writer_socket(self) -> Path:
        """Where the SQLite ledger's writer listens for its ingress processes' writes."""
        return self.ledger_writer or self.data_dir / "ledger-writer.sock"

    @property
    def cursor_key_path(self) -> Path:
        """The deployment's pull-cursor key: ``SECRETS_DIR/cursor.key`` or ``DATA_DIR/secrets/``."""
        return (self.secrets_dir or self.data_dir / "secrets") / "cursor.key"

    @property
    def keys_dir(self) -> Path:
        """Folder of the hub's own signing keys."""
        return self.data_dir / "keys"

    @property
    def clock_skew(self) -> timedelta:
        """Allowed clock skew as a timedelta."""
        return timedelta(seconds=self.clock_skew_seconds)
