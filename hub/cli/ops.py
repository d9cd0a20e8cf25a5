"""Operator commands: ``audit verify``, ``evidence rotate-key`` and ``db upgrade``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from pydantic import SecretStr

from certhub.hub.audit import AuditReport, Progress, verify_ledger
from certhub.hub.cli.common import CliError
from certhub.hub.cli.deployment_keys import (
    deployment_verification_keys,
    rotate_evidence_key,
    settings_for,
)
from certhub.hub.comparison.progress import ProgressBar
from certhub.hub.core.settings import Settings
from certhub.hub.evidence import EvidenceKeyring, evidence_key_folder
from certhub.hub.store import StoreUnavailable, open_ledger
from certhub.hub.store.postgres.schema import upgrade as upgrade_schema
from certhub.security import HubKeyring, TrustStore, VerifyingKey


def add_ops_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the operator sub-commands."""
    audit = sub.add_parser("audit", help="the tamper-evident audit log").add_subparsers(
        required=True
    )
    verify = audit.add_parser(
        "verify", help="re-check the audit chain, checkpoints and every stored JWS"
    )
    verify.add_argument(
        "--data", type=Path, help="the hub's data folder (keys, trust store; CERTHUB_DATA_DIR)"
    )
    verify.add_argument(
        "--database-url",
        help="verify the PostgreSQL ledger with the deployment's keys, no data folder needed"
        " (CERTHUB_DATABASE_URL; default: DATA's SQLite ledger)",
    )
    verify.add_argument(
        "--trust-store", type=Path, help="the senders' JWK Set (CERTHUB_TRUST_STORE)"
    )
    verify.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes checking signatures (default: one per usable CPU)",
    )
    verify.add_argument(
        "--progress", action="store_true", help="progress bar on stderr, also off a terminal"
    )
    verify.set_defaults(command=audit_verify)
    mocks = sub.add_parser("mocks", help="mock departments").add_subparsers(required=True)
    up = mocks.add_parser("up", help="run every mock department on 127.0.0.1 until interrupted")
    up.add_argument("--config", type=Path, help="JSON file of mock settings (ports, faults)")
    up.add_argument("--seed", type=int, help="seed of the mock data")
    up.set_defaults(command=mocks_up)
    evidence = sub.add_parser("evidence", help="evidence at rest").add_subparsers(required=True)
    rotate = evidence.add_parser("rotate-key", help="make a new active evidence key")
    rotate.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    rotate.set_defaults(command=evidence_rotate_key)
    db = sub.add_parser("db", help="the PostgreSQL ledger database").add_subparsers(required=True)
    upgrade = db.add_parser("upgrade", help="migrate the ledger schema to the newest version")
    upgrade.add_argument("--database-url", help="postgresql://… (CERTHUB_DATABASE_URL)")
    upgrade.set_defaults(command=db_upgrade)


def audit_verify(args: argparse.Namespace) -> int:
    """Verify offline; print a summary and the problems; exit 1 if anything is broken."""
    settings = settings_for(args)
    if args.trust_store is not None:
        settings = settings.model_copy(update={"trust_store": args.trust_store})
    url = settings.database_url.get_secret_value() if settings.database_url else None
    workers = args.workers if args.workers > 0 else len(os.sched_getaffinity(0))
    bar = _records_bar() if args.progress or sys.stderr.isatty() else None
    report = asyncio.run(_verify(settings, url, workers=workers, progress=bar))
    print(
        f"audit entries {report.entries}, checkpoints {report.checkpoints},"
        f" ledger records {report.records}: {'OK' if report.ok else 'BROKEN'}"
    )
    for problem in report.problems:
        print(f"  {problem}")
    return 0 if report.ok else 1


def _records_bar() -> Progress:
    """Advance a progress bar of ledger records on stderr; ends its line when all are done."""
    bars: list[ProgressBar] = []
    shown = [0]  # records the bar has counted

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(ProgressBar(sys.stderr, total, "ledger records"))
        bars[0].advance(done - shown[0])
        if done >= total > shown[0]:
            bars[0].done()
        shown[0] = done

    return progress


async def _verify(
    settings: Settings, database_url: str | None, *, workers: int, progress: Progress | None
) -> AuditReport:
    hub_keys, trust = _folder_verification_keys(settings)  # a folder's keys, if it has any
    # PostgreSQL: the deployment's keys too (those of folders that signed before are among them)
    shared = await deployment_verification_keys(settings, database_url) if database_url else None
    if shared is not None:
        hub_keys, trust = {**hub_keys, **shared[0]}, shared[1]
    if trust is None:
        raise FileNotFoundError(f"no hub keys in {settings.keys_dir} nor a deployment key")
    ledger = await open_ledger(
        settings.model_copy(
            update={"database_url": SecretStr(database_url) if database_url else None}
        ),
        read_only=True,
    )
    try:
        return await verify_ledger(
            ledger, trust=trust, hub_keys=hub_keys, workers=workers, progress=progress
        )
    finally:
        await ledger.aclose()


def _folder_verification_keys(
    settings: Settings,
) -> tuple[dict[str, VerifyingKey], TrustStore | None]:
    if not settings.keys_dir.is_dir():
        return {}, None
    keyring = HubKeyring.load_or_create(settings.keys_dir)
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in keyring.jwks()["keys"]}
    return hub_keys, TrustStore.load(settings.trust_store_path)


def db_upgrade(args: argparse.Namespace) -> int:
    """Run the PostgreSQL ledger's pending migrations and print the schema version."""
    configured = Settings().database_url
    url = args.database_url or (configured.get_secret_value() if configured else None)
    if not url:
        raise StoreUnavailable("no database: pass --database-url or set CERTHUB_DATABASE_URL")
    print(f"ledger schema version {asyncio.run(upgrade_schema(url))}")
    return 0


def mocks_up(args: argparse.Namespace) -> int:
    """Serve the mocks (``python -m certhub.mocks`` with the same options), config checked first."""
    from certhub.mocks.__main__ import main as serve_mocks
    from certhub.mocks.runner import MocksConfig

    if args.config is not None:
        # Read and validate here so a bad file is one error line, not a traceback.
        try:
            raw = json.loads(args.config.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CliError(f"{args.config} is not valid JSON: {exc}") from None
        MocksConfig.model_validate(raw)
    options = [*(["--config", str(args.config)] if args.config else [])]
    options += ["--seed", str(args.seed)] if args.seed is not None else []
    serve_mocks(options)
    return 0


def evidence_rotate_key(args: argparse.Namespace) -> int:
    """Create a new active evidence key; old ones stay for reading."""
    settings = Settings(**({"data_dir": args.data} if args.data else {}))
    if settings.database_url is not None:  # the deployment's keys; every process reads them
        kid = rotate_evidence_key(settings, settings.database_url.get_secret_value())
        print(f"new evidence key {kid}: every hub process seals with it within a minute")
        return 0
    keyring = EvidenceKeyring.load(evidence_key_folder(settings))
    print(f"new active evidence key {keyring.rotate()}; restart running hubs to seal with it")
    return 0
