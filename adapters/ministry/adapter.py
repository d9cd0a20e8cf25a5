"""The ministry certification system / national social-insurance platform adapter (REST).

Implements :class:`~certhub.adapters.protocols.CertificationSource` (pull biometric
certification results since a cursor, as canonical ``CertificationEvent``s)
and :class:`~certhub.adapters.protocols.CertificationUplink` (push one Guangdong
result upward, idempotent by delivery id). Every body is checked against
``adapters/contracts/ministry.openapi.json``; pulled pages must carry the
ministry's signature.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from certhub.schemas import CertificationEvent

from ..base import Adapter, AdapterOptions
from ..config import AdapterConfig
from ..contracts import CONTRACTS_DIR
from ..errors import AdapterSetupError
from ..http import check_status, make_client, translate_httpx_errors
from ..openapi import load_contract
from ..types import CertificationPage, RejectedRecord, UplinkReceipt
from . import translate
from .signature import SIGNATURE_HEADER, AnswerVerifier

__all__ = ["MinistryAdapter", "MinistryConfig"]

OPENAPI_PATH = CONTRACTS_DIR / "ministry.openapi.json"
PULL_PATH = "/api/v1/certification-results"
PUSH_PATH = "/api/v1/provincial-results"


class MinistryConfig(AdapterConfig):
    """Settings of the ministry adapter; ``department_key_path`` is required."""

    department_key_path: Path


class MinistryAdapter(Adapter[MinistryConfig]):
    """Pulls national certification results and pushes Guangdong's upward."""

    name: ClassVar[str] = "ministry"
    operations: ClassVar[frozenset[str]] = frozenset({"pull_certifications", "push_certification"})

    def __init__(self, config: MinistryConfig, options: AdapterOptions) -> None:
        super().__init__(config, options)
        if config.department_key_path is None:
            raise AdapterSetupError("ministry adapter needs department_key_path")
        self._verifier = AnswerVerifier.from_file(config.department_key_path)
        self._contract = load_contract(OPENAPI_PATH)
        self._http = make_client(config, options.transport)

    async def pull_certifications(self, cursor: str | None, *, limit: int) -> CertificationPage:
        """The next page of certification results after ``cursor``."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor

        async def attempt() -> CertificationPage:
            with translate_httpx_errors():
                response = await self._http.get(PULL_PATH, params=params)
            check_status(response)
            self._verifier.check(response.content, response.headers.get(SIGNATURE_HEADER))
            page = self._contract.parse_answer("ResultPage", response.content)
            return _page(page)

        return await self.call("pull_certifications", attempt)

    async def push_certification(
        self, event: CertificationEvent, *, delivery_id: str
    ) -> UplinkReceipt:
        """Push one certification; the same ``delivery_id`` is accepted once."""
        body = translate.provincial_result(event)
        self._contract.check_request("ProvincialResult", body)

        async def attempt() -> UplinkReceipt:
            with translate_httpx_errors():
                response = await self._http.post(
                    PUSH_PATH, json=body, headers={"Idempotency-Key": delivery_id}
                )
            check_status(response)
            acceptance = self._contract.parse_answer("Acceptance", response.content)
            return UplinkReceipt(
                delivery_id=delivery_id,
                ministry_id=acceptance["slbh"],
                accepted_at=datetime.fromisoformat(acceptance["slsj"]),
                duplicate=acceptance["duplicate"],
            )

        return await self.call("push_certification", attempt)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()


def _page(page: dict[str, Any]) -> CertificationPage:
    events: list[CertificationEvent] = []
    record_ids: list[str] = []
    rejected: list[RejectedRecord] = []
    for record in page["records"]:
        result = translate.event_from_record(record)
        if isinstance(result, RejectedRecord):
            rejected.append(result)
        else:
            events.append(result)
            record_ids.append(record["rzid"])
    return CertificationPage(
        events=tuple(events),
        record_ids=tuple(record_ids),
        rejected=tuple(rejected),
        next_cursor=page["next_cursor"],
        has_more=page["has_more"],
    )
