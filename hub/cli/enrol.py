"""``certhub enrol issue``: a one-time code that enrols one coordinator's phone for a village.

The county runs it on the hub's host (it writes the codes file next to the
trust store, like ``certhub trust add``); the running hub redeems the code
when the phone posts its key. Staff elsewhere use ``POST /v1/enrolment-codes``.
With PostgreSQL as the ledger (``--database-url`` or ``CERTHUB_DATABASE_URL``)
the code is the deployment's, in the database, and any hub process redeems it;
the command then needs the deployment key, as ``certhub keys rotate`` does.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from pydantic import ValidationError

from certhub.hub.cli.common import CliError
from certhub.hub.cli.deployment_keys import settings_for
from certhub.hub.core.settings import Settings
from certhub.hub.enrolment import ENROLLED_ROLES, EnrolmentCodeRequest, IssuedCode, enrolment_for
from certhub.hub.enrolment.database import DatabaseEnrolment
from certhub.hub.enrolment.messages import DEFAULT_HOURS, MAX_HOURS
from certhub.hub.store.postgres.keys import (
    DeploymentKeyStore,
    deployment_key_path,
    load_deployment_key,
)
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
    issue.add_argument("--database-url", help="the deployment's database (CERTHUB_DATABASE_URL)")
    issue.set_defaults(command=_enrol_issue)


def _enrol_issue(args: argparse.Namespace) -> int:
    settings = settings_for(args)
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
        if settings.database_url is None:
            issued = enrolment_for(settings).issue(request, staff=None)
        else:
            url = settings.database_url.get_secret_value()
            issued = asyncio.run(_issue_in_database(url, settings, request))
    except Refusal as exc:
        raise CliError(exc.detail) from None
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot write the enrolment codes: {exc}") from None
    print(f"code {issued.code}")
    print(f"village {issued.village}  role {issued.role}  sender {issued.sender}")
    print(f"valid until {issued.expires_at.isoformat()} (once)")
    return 0


async def _issue_in_database(
    url: str, settings: Settings, request: EnrolmentCodeRequest
) -> IssuedCode:
    """A code in the deployment's database, under the enrolment key the deployment key seals."""
    path = deployment_key_path(settings.secrets_dir, settings.data_dir)
    key = await asyncio.to_thread(load_deployment_key, path, create=False)
    keys = await DeploymentKeyStore.open(url, key)
    try:
        enrolment = await DatabaseEnrolment.open(keys)
        return await enrolment.issue_code(request, staff=None, request_id=None)
    finally:
        await keys.aclose()
