"""``certhub`` command line: serve, keys, trust, schemas, tokens, demo.

Every failure ends with one line ``certhub: error: …`` on stderr and exit
status 2; nothing is written when a command is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from hub.cli_dlq import add_dlq_commands
from hub.cli_ops import add_ops_commands
from hub.evidence import EvidenceError
from hub.reporting_units import ReportingUnitsError
from hub.settings import Settings
from hub.store import StoreUnavailable
from monitoring.server import MetricsPortInUse
from schemas import export_json_schemas
from security import (
    SecurityError,
    TrustStoreError,
    create_sender_key,
    issue_read_token,
    read_private_key,
    trust_add,
)
from security.errors import KeyFileError

Command = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A refusal to report as ``certhub: error: …``."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``certhub`` script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Command = args.command
    try:
        return command(args)
    except (
        CliError,
        SecurityError,
        TrustStoreError,
        KeyFileError,
        ValidationError,
        StoreUnavailable,  # at start-up: another hub holds the data folder
        MetricsPortInUse,
        EvidenceError,  # e.g. an unsafe or missing evidence key folder
        ReportingUnitsError,
        FileNotFoundError,
    ) as exc:
        print(f"certhub: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(prog="certhub", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the hub")
    serve.add_argument("--host", help="listen address (CERTHUB_HOST)")
    serve.add_argument("--port", type=int, help="listen port (CERTHUB_PORT)")
    serve.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    serve.add_argument(
        "--role", choices=["all", "ingress", "worker"], help="what this process runs (CERTHUB_ROLE)"
    )
    serve.set_defaults(command=_serve)

    keys = sub.add_parser("keys", help="manage sender keys").add_subparsers(required=True)
    new = keys.add_parser("new", help="create a signing key for a sender")
    new.add_argument("--sender", required=True)
    new.add_argument("--out", type=Path, required=True, help="folder for the key files")
    new.add_argument("--alg", choices=["EdDSA", "ES256"], default="EdDSA")
    new.set_defaults(command=_keys_new)

    trust = sub.add_parser("trust", help="manage the trust store").add_subparsers(required=True)
    add = trust.add_parser("add", help="trust a sender's public JWK")
    add.add_argument("jwk", type=Path, metavar="PUBLIC_JWK")
    add.add_argument("--sender", required=True)
    add.add_argument("--may-send", default="", help="comma-separated message types")
    add.add_argument("--may-read", action="store_true", help="may pull personal data")
    add.add_argument("--role", help="the sender's role (for decisions)")
    add.add_argument("--store", type=Path, help="trust store file (default DATA/trust.jwks.json)")
    add.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    add.set_defaults(command=_trust_add)
    show = trust.add_parser("list", help="list trusted keys")
    show.add_argument("--store", type=Path)
    show.add_argument("--data", type=Path)
    show.set_defaults(command=_trust_list)

    schemas = sub.add_parser("schemas", help="canonical schemas").add_subparsers(required=True)
    export = schemas.add_parser("export", help="write every JSON Schema into DIR")
    export.add_argument("directory", type=Path, metavar="DIR")
    export.set_defaults(command=_schemas_export)

    token = sub.add_parser("token", help="read tokens").add_subparsers(required=True)
    issue = token.add_parser("issue", help="issue a short-lived read token")
    issue.add_argument("--key", type=Path, required=True, help="the reader's private key file")
    issue.add_argument("--sender", required=True)
    issue.add_argument("--minutes", type=int, default=5)
    issue.set_defaults(command=_token_issue)

    add_ops_commands(sub)
    add_dlq_commands(sub)

    demo = sub.add_parser("demo", help="run an end-to-end exchange against mock departments")
    demo.add_argument("--data", type=Path, help="data folder (default: a new temporary one)")
    demo.add_argument("--reports", type=int, default=300, help="how many reports to push")
    demo.set_defaults(command=_demo)
    return parser


def _settings(args: argparse.Namespace, **extra: object) -> Settings:
    overrides = {"data_dir": getattr(args, "data", None), **extra}
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from hub.app import create_app
    from hub.gc_tuning import tune_gc_after_startup
    from monitoring.logging import configure_logging

    settings = _settings(args, host=args.host, port=args.port, role=args.role)
    configure_logging(settings.log_level)
    app = create_app(settings)
    app.on_startup.append(tune_gc_after_startup)  # runs after every resource is loaded
    # No aiohttp access log: the routes log each request themselves, as masked JSON
    # with its outcome (configure_logging silences aiohttp.access anyway).
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)
    return 0


def _keys_new(args: argparse.Namespace) -> int:
    private, public = create_sender_key(args.sender, args.out, args.alg)
    print(f"private key: {private} (mode 0600, keep it secret)")
    print(f"public JWK:  {public} (give it to the hub operator: certhub trust add)")
    return 0


def _trust_path(args: argparse.Namespace) -> Path:
    return args.store or _settings(args).trust_store_path


def _trust_add(args: argparse.Namespace) -> int:
    may_send = [name.strip() for name in args.may_send.split(",") if name.strip()]
    _check_types(may_send)
    if not may_send and not args.may_read:
        raise CliError("give --may-send TYPES and/or --may-read; a key with no rights is useless")
    entry = trust_add(
        _trust_path(args),
        args.jwk,
        sender=args.sender,
        may_send=may_send,
        may_read=args.may_read,
        role=args.role,
    )
    print(f"trusted {entry.key.kid} for sender {entry.sender}")
    return 0


def _check_types(names: Sequence[str]) -> None:
    from schemas import MESSAGE_TYPES

    unknown = [name for name in names if name not in MESSAGE_TYPES]
    if unknown:
        known = ", ".join(MESSAGE_TYPES)
        raise CliError(f"unknown message type(s) {', '.join(unknown)}; known: {known}")


def _trust_list(args: argparse.Namespace) -> int:
    from security import TrustStore

    for entry in TrustStore.load(_trust_path(args)):
        rights = ",".join(sorted(entry.may_send)) or "-"
        read = "yes" if entry.may_read else "no"
        print(f"{entry.key.kid}  {entry.sender}  send={rights}  read={read}  role={entry.role}")
    return 0


def _schemas_export(args: argparse.Namespace) -> int:
    for path in export_json_schemas(args.directory):
        print(path)
    return 0


def _token_issue(args: argparse.Namespace) -> int:
    if not 1 <= args.minutes <= 60:
        raise CliError("--minutes must be from 1 to 60")
    key = read_private_key(args.key)
    print(issue_read_token(key, sender=args.sender, lifetime=timedelta(minutes=args.minutes)))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from hub.demo import run_demo

    if not 1 <= args.reports <= 100_000:
        raise CliError("--reports must be from 1 to 100000")
    summary = asyncio.run(run_demo(args.data, reports=args.reports))
    print(json.dumps(summary.as_dict(), ensure_ascii=False))
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
