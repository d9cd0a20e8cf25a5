"""A restoration naming the account to pay is checked with the bank (账户一致性核验) before
anything is recorded and again at every decision: never back pay to a closed account, or to
an account that is not the pensioner's. Against the mock bank over HTTP; SQLite and
PostgreSQL.

The common case (restorationkit): the province suspended a person on the 10th of M(-4);
town staff's restoration back-pays M(-3)..M(-1) = 714.00 to account 6222021234567890123.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bankaccountkit import api_key_file, bank
from procedurekit import Office
from restorationkit import filed_restoration, suspended_with_restoration
from reversalkit import refused

from certhub.mocks.bank import BankAccountMock
from certhub.mocks.faults import FaultConfig, FaultKind

__all__ = ["bank"]  # the fixture, from the bank-account kit

ACCOUNT = "6222021234567890123"  # restorationkit's restoration pays here


@pytest.fixture
def office_settings(bank: tuple[BankAccountMock, str], tmp_path: Path) -> dict[str, Any]:
    """The hub's ``bank_accounts`` adapter pointed at the mock bank (one retry, no wait)."""
    policy = {"max_attempts": 2, "backoff_initial": 0, "attempt_timeout": 2, "deadline": 5}
    section = {"base_url": bank[1], "api_key_path": str(api_key_file(tmp_path)), "policy": policy}
    return {"adapters": {"bank_accounts": section}}


def _holds(bank: tuple[BankAccountMock, str], person: dict[str, Any], *, open_: bool) -> None:
    """The bank holds ``ACCOUNT`` for ``person``, open or closed."""
    bank[0].accounts[ACCOUNT] = (person["name"], person["id_number"], open_)


async def _paying_into(
    office: Office, bank: tuple[BankAccountMock, str], *, open_: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """restorationkit's person and restoration (not filed), the bank holding ``ACCOUNT`` for
    the person, open or closed."""
    person, payload = await suspended_with_restoration(office)
    _holds(bank, person, open_=open_)
    return person, payload


async def test_a_consistent_account_is_checked_at_the_request_and_each_decision(
    office_db: Office, bank: tuple[BankAccountMock, str]
) -> None:
    office = office_db
    _, payload = await _paying_into(office, bank, open_=True)
    item = await filed_restoration(office, payload)
    assert (await office.decide("restorations", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("restorations", item, "county-1", "approve"))[0] == 202
    assert bank[0].injector.requests == 3  # the request, the acceptance, the approval


async def test_a_closed_account_refuses_the_request(
    office_db: Office, bank: tuple[BankAccountMock, str]
) -> None:
    office = office_db
    person, payload = await _paying_into(office, bank, open_=False)
    filed = office.post("/v1/restorations", "town-1", payload)
    body = await refused(office, filed, 422, "bank-account-closed")
    assert ACCOUNT not in str(body)
    assert person["id_number"] not in str(body)
    assert "0123" in body["detail"]  # the account's last four digits only


async def test_an_account_closed_after_acceptance_refuses_the_approval(
    office_db: Office, bank: tuple[BankAccountMock, str]
) -> None:
    office = office_db
    person, payload = await _paying_into(office, bank, open_=True)
    item = await office.accepted("restorations", "town-1", payload)
    _holds(bank, person, open_=False)  # the pensioner closed it meanwhile
    approval = office.decide("restorations", item, "county-1", "approve")
    await refused(office, approval, 422, "bank-account-closed")
    _, page = await office.get("/v1/restorations")
    assert [i["status"] for i in page["items"]] == ["accepted"]
    assert (await office.decide("restorations", item, "county-1", "reject"))[0] == 202


async def test_an_account_of_someone_else_is_inconsistent(
    office: Office, bank: tuple[BankAccountMock, str]
) -> None:
    person, payload = await suspended_with_restoration(office)
    bank[0].accounts[ACCOUNT] = ("欧阳·另一人", person["id_number"], True)
    request = office.post("/v1/restorations", "town-1", payload)
    await refused(office, request, 422, "bank-account-inconsistent")


async def test_the_bank_down_holds_the_approval_until_it_answers(
    office: Office, bank: tuple[BankAccountMock, str]
) -> None:
    _, payload = await _paying_into(office, bank, open_=True)
    item = await office.accepted("restorations", "town-1", payload)
    bank[0].injector.configure(FaultConfig(script=(FaultKind.error, FaultKind.error)))
    approval = office.decide("restorations", item, "county-1", "approve")
    await refused(office, approval, 503, "bank-account-check-unavailable")
    assert (await office.decide("restorations", item, "county-1", "approve"))[0] == 202


async def test_a_restoration_to_the_account_on_file_asks_no_bank(
    office: Office, bank: tuple[BankAccountMock, str]
) -> None:
    # the hub knows the account on file only masked: the province pays there already
    _, payload = await suspended_with_restoration(office)
    del payload["bank_account"]
    item = await filed_restoration(office, payload)
    assert (await office.decide("restorations", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("restorations", item, "county-1", "approve"))[0] == 202
    assert bank[0].injector.requests == 0
