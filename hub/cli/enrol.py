"""``certhub enrol issue``: a one-time code that enrols one coordinator's phone for a village.

The county runs it on the hub's host (it writes the codes file next to the
trust store, like ``certhub trust add``); the running hub redeems the code
when the phone posts its key. Staff elsewhere use ``POST /v1/enrolment-codes``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import ValidationError

from certhub.hub.cli.common import CliError
from certhub.hub.core.settings import Settings
from certhub.hub.enrolment import ENROLLED_ROLES, EnrolmentCodeRequest, enrolment_for
from certhub.hub.enrolment.messages import DEFAULT_HOURS, MAX_HOURS
from certhub.schemas import Refusal

__all__ = ["add_enrol_commands"]


def add_enrol_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``certhub enrol …``."""
    enrol = sub.add_parser("enrol", help="enrol coordinators' phones").add_subparsers(required=True)
    issue = enrol.add_parser("issue", help="print a one-time enrolment code for a village")
    issue.add_argument("--village", required=True, help="the 12-digit village code")
    issue.add_argument(
        "--role", choices=sorted(ENROLLED_ROLES), default="coordinator", help="the key's role"
    )
    issue.add_argument("--sender", help="the sender id the key gets (default: made up)")
    issue.add_argument(
        "--hours",
        type=int,
        default=DEFAULT_HOURS,
        help=f"how long the code stays valid (default {DEFAULT_HOURS}, at most {MAX_HOURS})",
    )
    issue.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    issue.set_defaults(command=_enrol_issue)


def _enrol_issue(args: argparse.Namespace) -> int:
    settings = Settings(**({"data_dir": args.data} if args.data else {}))
    try:
        request = EnrolmentCodeRequest(
            type="enrolment_code_request/v1",
            village=args.village,
            role=args.role,
            sender=args.sender,
            hours=args.hours,
        )
    except ValidationError as exc:
        wrong = "; ".join(f"--{e['loc'][0]}: {e['msg']}" for e in exc.errors(include_url=False))
        raise CliError(wrong) from None
    try:
        issued = enrolment_for(settings).issue(request, staff=None)
    except Refusal as exc:
        raise CliError(exc.detail) from None
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot write the enrolment codes: {exc}") from None
    print(f"code {issued.code}")
    print(f"village {issued.village}  role {issued.role}  sender {issued.sender}")
    print(f"valid until {issued.expires_at.isoformat()} (once)")
    return 0
