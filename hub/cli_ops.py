"""Operator commands: ``audit verify`` and ``evidence rotate-key``."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from hub.audit import AuditReport, verify_ledger
from hub.evidence import EvidenceKeyring, evidence_key_folder
from hub.settings import Settings
from hub.store import SqliteLedger
from security import HubKeyring, TrustStore, VerifyingKey


def add_ops_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the operator sub-commands."""
    audit = sub.add_parser("audit", help="the tamper-evident audit log").add_subparsers(
        required=True
    )
    verify = audit.add_parser(
        "verify", help="re-check the audit chain, checkpoints and every stored JWS"
    )
    verify.add_argument("--data", type=Path, required=True, help="the hub's data folder")
    verify.set_defaults(command=audit_verify)
    evidence = sub.add_parser("evidence", help="evidence at rest").add_subparsers(required=True)
    rotate = evidence.add_parser("rotate-key", help="make a new active evidence key")
    rotate.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    rotate.set_defaults(command=evidence_rotate_key)


def audit_verify(args: argparse.Namespace) -> int:
    """Verify offline; print a summary and the problems; exit 1 if anything is broken."""
    settings = Settings(data_dir=args.data)
    report = asyncio.run(_verify(settings))
    print(
        f"audit entries {report.entries}, checkpoints {report.checkpoints},"
        f" ledger records {report.records}: {'OK' if report.ok else 'BROKEN'}"
    )
    for problem in report.problems:
        print(f"  {problem}")
    return 0 if report.ok else 1


async def _verify(settings: Settings) -> AuditReport:
    if not settings.keys_dir.is_dir():
        raise FileNotFoundError(f"no hub keys in {settings.keys_dir}")
    keyring = HubKeyring.load_or_create(settings.keys_dir)
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in keyring.jwks()["keys"]}
    trust = TrustStore.load(settings.trust_store_path)
    ledger = await SqliteLedger.open_read_only(settings.ledger_path)
    try:
        return await verify_ledger(ledger, trust=trust, hub_keys=hub_keys)
    finally:
        await ledger.aclose()


def evidence_rotate_key(args: argparse.Namespace) -> int:
    """Create a new active evidence key; old ones stay for reading."""
    settings = Settings(**({"data_dir": args.data} if args.data else {}))
    keyring = EvidenceKeyring.load(evidence_key_folder(settings))
    print(f"new active evidence key {keyring.rotate()}; restart running hubs to seal with it")
    return 0
