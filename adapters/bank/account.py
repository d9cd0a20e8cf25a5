"""Bank account-consistency check (账户一致性核验): the outbound REST call restoration uses.

Implements :class:`~certhub.adapters.protocols.AccountVerifier`: account number +
holder name + ID number → consistent / inconsistent / account closed. Bodies
are checked against ``account.openapi.json``, which the mock bank validates
against too. The check is read-only, so the policy may retry it freely.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Final

from ..base import Adapter, AdapterOptions
from ..config import AdapterConfig
from ..errors import ResponseInvalid
from ..http import check_status, make_client, translate_httpx_errors
from ..openapi import load_contract
from ..types import AccountCheck, AccountVerdict, AccountVerification

__all__ = ["ACCOUNT_OPENAPI_PATH", "BankAccountAdapter"]

ACCOUNT_OPENAPI_PATH: Final = Path(__file__).with_name("account.openapi.json")
CHECK_PATH: Final = "/api/v1/account-checks"
_VERDICTS: Final = {
    "01": AccountVerdict.consistent,
    "02": AccountVerdict.inconsistent,
    "03": AccountVerdict.account_closed,
}


class BankAccountAdapter(Adapter[AdapterConfig]):
    """Asks a bank whether an account is the pensioner's and still open."""

    name: ClassVar[str] = "bank_accounts"
    operations: ClassVar[frozenset[str]] = frozenset({"check_account"})

    def __init__(self, config: AdapterConfig, options: AdapterOptions) -> None:
        super().__init__(config, options)
        self._contract = load_contract(ACCOUNT_OPENAPI_PATH)
        self._http = make_client(config, options.transport)

    async def check_account(self, check: AccountCheck) -> AccountVerification:
        """The bank's verdict on ``check``."""
        body = {
            "qqbh": check.request_id,
            "zh": check.account_number,
            "hm": check.name,
            "zjhm": check.id_number,
        }
        self._contract.check_request("AccountCheck", body)

        async def attempt() -> AccountVerification:
            with translate_httpx_errors():
                response = await self._http.post(CHECK_PATH, json=body)
            check_status(response)
            answer = self._answer(response.content)
            if answer["qqbh"] != check.request_id:
                raise ResponseInvalid("answer is for another request")
            return AccountVerification(
                request_id=check.request_id,
                verdict=_VERDICTS[answer["jg"]],
                bank_code=answer["yhdm"],
                checked_at=datetime.fromisoformat(answer["hysj"]),
            )

        return await self.call("check_account", attempt)

    def _answer(self, content: bytes) -> Any:
        answer = self._contract.parse_answer("AccountVerdict", content)
        try:
            datetime.fromisoformat(answer["hysj"])
        except ValueError:
            raise ResponseInvalid("AccountVerdict: hysj is not a date-time") from None
        return answer

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()
