"""The banks' account check (账户一致性核验) where it says something: a restoration's back pay.

Rule 7 asks a restoration to check "bank-account consistency". The department playing the
``account_verifier`` role (``bank_accounts``) answers consistent, inconsistent or account
closed for an account number, holder name and ID number. :func:`check_account` asks it
about the account a restoration names in full and refuses anything but ``consistent``: the
planners call it at the request and at every decision
(:func:`~certhub.hub.procedure.intake.recheck_restoration`), so an account closed between
the request and the county's approval refuses the approval — no back pay is ever approved
for a closed account, nor for one that is not the pensioner's, nor while the bank cannot say.
"""

from __future__ import annotations

import hashlib

from certhub.adapters import (
    AccountCheck,
    AccountVerdict,
    AccountVerifier,
    AdapterError,
    PermanentError,
)
from certhub.schemas import Refusal, Restoration

__all__ = ["check_account"]


async def check_account(verifier: AccountVerifier, restoration: Restoration, at: str) -> None:
    """Refuse ``restoration`` unless the bank says its account is the pensioner's and open.

    ``at`` names the step (the request, or a decision's item and action): each step's
    check has a request id of its own. A restoration to the account on file (no
    ``bank_account``: the hub knows that one only masked) is not checked here.

    Raises:
        Refusal: ``bank-account-closed``, ``bank-account-inconsistent``,
            ``bank-account-check-unavailable`` (retry), ``bank-account-check-failed``.
    """
    account = restoration.bank_account
    if account is None:
        return
    person = restoration.person
    key = f"{person.id_number}|{account}|{at}".encode()
    check = AccountCheck(
        account_number=account,
        name=person.name,
        id_number=person.id_number,
        request_id="acct-" + hashlib.sha256(key).hexdigest()[:32],
    )
    shown = f"account ending {account[-4:]}"
    try:
        verdict = (await verifier.check_account(check)).verdict
    except PermanentError as exc:
        raise Refusal(
            "bank-account-check-failed", f"the bank refused to check the {shown}: {exc}"
        ) from exc
    except AdapterError as exc:
        raise Refusal(
            "bank-account-check-unavailable",
            f"the bank could not check the {shown}: {exc}; nothing approved without it, retry",
        ) from exc
    if verdict is AccountVerdict.account_closed:
        raise Refusal(
            "bank-account-closed",
            f"the bank says the {shown} is closed: no back pay to it; file the restoration"
            " with the pensioner's open account and its evidence",
        )
    if verdict is AccountVerdict.inconsistent:
        raise Refusal(
            "bank-account-inconsistent",
            f"the bank says the {shown} is not held by this pensioner (name and ID number)",
        )
