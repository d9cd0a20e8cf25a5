"""The bank account-consistency check against the mock bank, faults included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bankaccountkit import api_key_file, bank

from certhub.adapters import AccountVerifier, create_adapter
from certhub.adapters.bank import BankAccountAdapter
from certhub.adapters.types import AccountCheck, AccountVerdict
from certhub.mocks.bank import BankAccountMock

from .faults_contract import Call, FaultContract
from .support import TEST_POLICY, FaultControl, options

__all__ = ["bank"]  # the fixture, from the bank-account kit


@pytest.fixture
async def adapter(
    bank: tuple[BankAccountMock, str], tmp_path: Path
) -> AsyncIterator[BankAccountAdapter]:
    settings = {
        "base_url": bank[1],
        "api_key_path": str(api_key_file(tmp_path)),
        "policy": TEST_POLICY,
        "max_response_bytes": 1024 * 1024,
    }
    made = create_adapter("bank_accounts", settings, options())
    assert isinstance(made, BankAccountAdapter)
    assert isinstance(made, AccountVerifier)
    yield made
    await made.aclose()


def _check(mock: BankAccountMock, index: int, **changes: str) -> AccountCheck:
    number, (name, ident, _open) = list(mock.accounts.items())[index]
    fields = {
        "account_number": number,
        "name": name,
        "id_number": ident,
        "request_id": f"chk-{index}",
    } | changes
    return AccountCheck.model_validate(fields)


class TestBankAccounts(FaultContract):
    """Verdicts, and every generic fault."""

    operation = "check_account"

    @pytest.fixture
    def faults(self, bank: tuple[BankAccountMock, str]) -> FaultControl:
        return FaultControl(bank[1])

    @pytest.fixture
    def call(self, adapter: BankAccountAdapter, bank: tuple[BankAccountMock, str]) -> Call:
        return lambda: adapter.check_account(_check(bank[0], 0))

    async def test_the_three_verdicts(
        self, adapter: BankAccountAdapter, bank: tuple[BankAccountMock, str]
    ) -> None:
        mock = bank[0]
        consistent = await adapter.check_account(_check(mock, 0))
        assert consistent.verdict is AccountVerdict.consistent
        assert consistent.bank_code == "102"
        other = list(mock.accounts.values())[1]
        wrong = await adapter.check_account(_check(mock, 0, name=other[0], id_number=other[1]))
        assert wrong.verdict is AccountVerdict.inconsistent
        closed = await adapter.check_account(_check(mock, 9))
        assert closed.verdict is AccountVerdict.account_closed

    def test_repr_masks_account_and_id(self, bank: tuple[BankAccountMock, str]) -> None:
        check = _check(bank[0], 0)
        assert check.account_number not in repr(check)
        assert check.id_number not in repr(check)
