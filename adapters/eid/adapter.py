"""The public-security e-ID licence adapter (公安电子证照), SOAP 1.1 through zeep.

Implements :class:`~certhub.adapters.protocols.IdentityVerifier` for counter and
home-visit certification and :class:`~certhub.adapters.protocols.CancellationFeed`
for the monthly information comparison. The WSDL is the one kept in
``adapters/contracts``; only the endpoint comes from settings.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import httpx
from pydantic import Field

from ..base import Adapter, AdapterOptions
from ..config import AdapterConfig
from ..http import make_client
from ..types import CancellationPage, IdentityVerification, PersonCheck
from . import translate
from .soap import open_service, translate_soap_errors

__all__ = ["EidAdapter", "EidConfig"]


class EidConfig(AdapterConfig):
    """Settings of the e-ID adapter; ``base_url`` is the SOAP endpoint address."""

    page_size: int = Field(default=200, ge=1, le=500, description="Cancellations per page.")


class EidAdapter(Adapter[EidConfig]):
    """Verifies persons and lists household-registration cancellations over SOAP."""

    name: ClassVar[str] = "eid"
    operations: ClassVar[frozenset[str]] = frozenset({"verify_person", "cancellations_since"})

    def __init__(self, config: EidConfig, options: AdapterOptions) -> None:
        super().__init__(config, options)
        self.page_size = config.page_size
        self._http = make_client(config, options.transport)
        self._wsdl_http = httpx.Client(trust_env=False)  # unused: the WSDL is a local file
        self._zeep, self._service = open_service(str(config.base_url), self._http, self._wsdl_http)

    async def verify_person(self, check: PersonCheck) -> IdentityVerification:
        """Check ID number, name and on-site photo against the e-ID licence."""

        async def attempt() -> IdentityVerification:
            with translate_soap_errors():
                reply = await self._service.VerifyPerson(**translate.verify_request(check))
                return translate.verification(reply, check.request_id)

        return await self.call("verify_person", attempt)

    async def cancellations_since(
        self, since: date, *, page: str | None = None
    ) -> CancellationPage:
        """One page of household-registration cancellations on or after ``since``."""

        async def attempt() -> CancellationPage:
            with translate_soap_errors():
                reply = await self._service.QueryCancellations(
                    Since=since, PageToken=page, PageSize=self.page_size
                )
                return translate.cancellation_page(reply)

        return await self.call("cancellations_since", attempt)

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        self._wsdl_http.close()
        await self._http.aclose()
