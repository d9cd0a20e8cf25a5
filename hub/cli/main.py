"""certhub, the exchange hub of Guangdong's pension-eligibility certification: run and operate it.

Every failure ends with one line ``certhub: error: …`` on stderr and exit
status 2; nothing is written when a command is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import NoReturn, cast

from pydantic import ValidationError

from certhub.adapters import AdapterError
from certhub.hub.cli.bank import add_bank_commands
from certhub.hub.cli.common import CliError, one_line
from certhub.hub.cli.compare import add_compare_commands
from certhub.hub.cli.completion import add_completion_command
from certhub.hub.cli.deployment_keys import add_hub_key_commands
from certhub.hub.cli.dlq import add_dlq_commands
from certhub.hub.cli.enrol import add_enrol_commands
from certhub.hub.cli.ops import add_ops_commands
from certhub.hub.cli.roster import add_roster_commands
from certhub.hub.cli.service_points import add_service_point_commands
from certhub.hub.cli.trust import add_trust_commands, parse_area_option
from certhub.hub.compliance.reporting_units import ReportingUnitsError
from certhub.hub.core.build import build_commit, package_version
from certhub.hub.core.settings import Settings
from certhub.hub.delivery.broker import BrokerError
from certhub.hub.evidence import EvidenceError
from certhub.hub.store import StoreUnavailable
from certhub.schemas import export_json_schemas
from certhub.security import SecurityError, create_sender_key, issue_read_token, read_private_key

__all__ = ["CliError", "build_parser", "main"]

Command = Callable[[argparse.Namespace], int]

# What an operator's mistake or a missing service raises; anything else is a bug
# and keeps its traceback.
REFUSALS: tuple[type[Exception], ...] = (
    CliError,
    SecurityError,  # trust store, key files, tokens
    ValidationError,  # settings and config files, in one line
    StoreUnavailable,  # another hub holds the data folder; PostgreSQL down
    EvidenceError,  # e.g. an unsafe or missing evidence key folder
    ReportingUnitsError,
    AdapterError,  # unknown adapter, invalid adapter settings or key files
    BrokerError,  # RabbitMQ down
    OSError,  # ports in use, unreadable or unwritable files
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``certhub`` script: exit 2 with one line on any refusal."""
    parser = build_parser()
    try:
        args = parser.parse_args(_key_ids_as_values(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # a usage error (one line already printed) or --help
        return exc.code if isinstance(exc.code, int) else 2
    command: Command = args.command
    try:
        return command(args)
    except REFUSALS as exc:
        print(f"certhub: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


_KEY_ID = re.compile(r"-[A-Za-z0-9_-]{42}")
"""An RFC 7638 thumbprint (43 base64url characters) that happens to start with ``-``."""


def _key_ids_as_values(argv: Sequence[str]) -> list[str]:
    """``argv`` with a key id that starts with ``-`` moved behind ``--``.

    One key id in 64 starts with ``-``; argparse would take ``trust revoke -Cm…`` for an
    unknown option and refuse the revocation of a lost phone's key.
    """
    kids = [a for a in argv if _KEY_ID.fullmatch(a)]
    if not kids or "--" in argv:
        return list(argv)
    return [a for a in argv if a not in kids] + ["--", *kids]


class _Parser(argparse.ArgumentParser):
    """argparse with README's one error line instead of a usage block (sub-parsers inherit it)."""

    def error(self, message: str) -> NoReturn:
        """Print ``certhub: error: …`` and exit 2."""
        self.exit(2, f"certhub: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = _Parser(prog="certhub", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--version", action=_VersionAction, help="print the version and source commit, then exit"
    )
    # Sub-parsers are _Parser too (argparse uses the parent's class); typed as their base.
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(required=True, metavar="COMMAND"),
    )

    serve = sub.add_parser("serve", help="run the hub")
    serve.add_argument("--host", help="listen address (CERTHUB_HOST)")
    serve.add_argument("--port", type=int, help="listen port (CERTHUB_PORT)")
    serve.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    serve.add_argument(
        "--role", choices=["all", "ingress", "worker"], help="what this process runs (CERTHUB_ROLE)"
    )
    serve.add_argument(
        "--processes",
        type=int,
        help="HTTP processes sharing the port; the others are ingress processes"
        " (CERTHUB_PROCESSES)",
    )
    serve.set_defaults(command=_serve)

    keys = sub.add_parser("keys", help="sender and hub keys").add_subparsers(required=True)
    new = keys.add_parser("new", help="create a signing key for a sender")
    new.add_argument("--sender", required=True, help="the sender id the key will sign as")
    new.add_argument("--out", type=Path, required=True, help="folder for the key files")
    new.add_argument(
        "--alg", choices=["EdDSA", "ES256"], default="EdDSA", help="signature algorithm"
    )
    new.set_defaults(command=_keys_new)
    add_hub_key_commands(keys)

    add_trust_commands(sub)

    schemas = sub.add_parser("schemas", help="canonical schemas").add_subparsers(required=True)
    export = schemas.add_parser("export", help="write every JSON Schema into DIR")
    export.add_argument("directory", type=Path, metavar="DIR", help="folder to write")
    export.set_defaults(command=_schemas_export)

    token = sub.add_parser("token", help="read tokens").add_subparsers(required=True)
    issue = token.add_parser("issue", help="issue a short-lived read token")
    issue.add_argument("--key", type=Path, required=True, help="the reader's private key file")
    issue.add_argument("--sender", required=True, help="the reader's sender id")
    issue.add_argument("--minutes", type=int, default=5, help="lifetime (default 5)")
    issue.add_argument(
        "--area", type=parse_area_option, help="read only this region, inside the key's area"
    )
    issue.set_defaults(command=_token_issue)
    add_enrol_commands(sub)

    add_ops_commands(sub)
    add_dlq_commands(sub)
    add_bank_commands(sub)
    add_compare_commands(sub)
    add_roster_commands(sub)
    add_service_point_commands(sub)

    demo = sub.add_parser("demo", help="run an end-to-end exchange against mock departments")
    demo.add_argument("--data", type=Path, help="data folder (default: a new temporary one)")
    demo.add_argument("--reports", type=int, default=300, help="how many reports to push")
    demo.add_argument(
        "--progress", action="store_true", help="progress bars on stderr, also off a terminal"
    )
    demo.set_defaults(command=_demo)
    add_completion_command(sub, parser)
    return parser


class _VersionAction(argparse.Action):
    """``--version``: the package version and the commit ``certhub_build_info`` shows."""

    def __init__(self, option_strings: list[str], dest: str, help: str) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        """Print ``certhub 0.1.0 (commit …)`` and exit 0 (even with invalid settings)."""
        try:
            configured = Settings().build_commit
        except ValidationError:
            configured = None
        print(f"certhub {package_version()} (commit {build_commit(configured)})")
        parser.exit(0)


def _settings(args: argparse.Namespace, **extra: object) -> Settings:
    overrides = {"data_dir": getattr(args, "data", None), **extra}
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]


def _serve(args: argparse.Namespace) -> int:
    from certhub.hub.cli.serve import serve

    return serve(
        _settings(args, host=args.host, port=args.port, role=args.role, processes=args.processes)
    )


def _keys_new(args: argparse.Namespace) -> int:
    try:
        private, public = create_sender_key(args.sender, args.out, args.alg)
    except ValueError as exc:  # an invalid sender id, e.g. a path
        raise CliError(str(exc)) from None
    print(f"private key: {private} (mode 0600, keep it secret)")
    print(f"public JWK:  {public} (give it to the hub operator: certhub trust add)")
    return 0


def _schemas_export(args: argparse.Namespace) -> int:
    for path in export_json_schemas(args.directory):
        print(path)
    return 0


def _token_issue(args: argparse.Namespace) -> int:
    # The hub refuses tokens living longer than its limit: refuse them here, not there.
    limit = Settings().read_token_max_lifetime_seconds
    if not 1 <= args.minutes * 60 <= limit:
        raise CliError(
            f"--minutes must be from 1 to {limit // 60}: the hub refuses read tokens living"
            f" longer than {limit // 60} minutes (CERTHUB_READ_TOKEN_MAX_LIFETIME_SECONDS={limit})"
        )
    key = read_private_key(args.key)
    area = None if args.area is None else args.area.code
    lifetime = timedelta(minutes=args.minutes)
    print(issue_read_token(key, sender=args.sender, lifetime=lifetime, area=area))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from certhub.hub.cli.demo import run_demo

    if not 1 <= args.reports <= 100_000:
        raise CliError("--reports must be from 1 to 100000")
    show = args.progress or sys.stderr.isatty()
    summary = asyncio.run(run_demo(args.data, reports=args.reports, progress=show))
    print(json.dumps(summary.as_dict(), ensure_ascii=False))
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
