"""A restoration paying back pay to a *changed* account while no bank account check is
configured (rule 7: "bank-account consistency checked").

238.00 a month, months counted from this one (China time): suspended on the 10th of M(-4),
M(-3)..M(-1) = 714.00. The account on file ends 0123; staff name one ending 9999 and attach
any uploaded file as the change's evidence. With no ``account_verifier`` configured, the
request is accepted on that file alone: nothing says the new account is the pensioner's.
"""

from __future__ import annotations

from procedurekit import Office, evidence_payloads
from questionkit import decision_wanted
from restorationkit import PROBLEM, suspended_with_restoration


@decision_wanted(
    "with no bank account check configured, is a restoration to a "
    "changed account refused (bank-account-check-unavailable) or accepted on its evidence?"
)
async def test_a_changed_account_is_not_paid_unchecked(office: Office) -> None:
    _, payload = await suspended_with_restoration(office)
    digest = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    evidence = {"sha256": digest, "kind": "other", "media_type": "application/pdf"}
    payload |= {"bank_account": "6222029999999999999", "account_change_evidence": evidence}
    size = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", payload)
    assert (status, body.get("type")) == (503, PROBLEM + "bank-account-check-unavailable"), body
    assert await office.ledger_size() == size
