"""The zeep edge of the e-ID adapter: hardened client and zeep/lxml error translation.

zeep parses with ``forbid_dtd``, ``forbid_entities`` and ``forbid_external``
so a DTD, an entity declaration ("billion laughs") or an external reference
in an answer is refused, never expanded. Every zeep, lxml and httpx error is
turned into a certhub adapter error here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from lxml import etree
from zeep import AsyncClient, Settings
from zeep import exceptions as zeep_errors
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport

from ..contracts import CONTRACTS_DIR
from ..errors import (
    DepartmentUnavailable,
    RequestRejected,
    ResponseInvalid,
    UnsafePayload,
)
from ..http import check_status, translate_httpx_errors

__all__ = ["BINDING", "WSDL_PATH", "open_service", "translate_soap_errors"]

WSDL_PATH = CONTRACTS_DIR / "eid.wsdl"
BINDING = "{urn:gdga:eid:licence:v1}EidLicenceBinding"
_XML_TYPES = ("text/xml", "application/soap+xml", "application/xml")
_DECLARATIONS = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


class _GuardedTransport(AsyncTransport):
    """zeep's async transport, with httpx errors and non-SOAP HTTP errors translated."""

    async def post(self, address: str, message: bytes, headers: dict[str, str]) -> Any:
        with translate_httpx_errors():
            response: httpx.Response = await self.client.post(
                address, content=message, headers=headers
            )
        content_type = response.headers.get("content-type", "")
        if response.status_code != 200 and not content_type.startswith(_XML_TYPES):
            check_status(response)  # 503 + Retry-After, 4xx … without a SOAP envelope
        if _DECLARATIONS.search(response.content):
            # SOAP 1.1 §3: a message MUST NOT contain a DTD. Refused before lxml sees it,
            # so no expansion limit is ever relied on; zeep's forbid_* settings stay as
            # the second line of defence.
            raise UnsafePayload("SOAP reply carries a DTD or entity declaration")
        return response


def open_service(
    address: str, client: httpx.AsyncClient, wsdl_client: httpx.Client
) -> tuple[AsyncClient, Any]:
    """A zeep client over the WSDL kept in the repo, bound to ``address``."""
    settings = Settings(
        strict=True,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    headers = dict(client.headers)
    transport = _GuardedTransport(client=client, wsdl_client=wsdl_client)  # type: ignore[no-untyped-call]
    client.headers.update(headers)  # zeep replaces the client's headers; keep credentials
    zeep_client = AsyncClient(  # type: ignore[no-untyped-call]  # zeep is partly annotated
        wsdl=str(WSDL_PATH), transport=transport, settings=settings
    )
    # AsyncClient.create_service would return a sync proxy; bind the async one ourselves.
    binding = zeep_client.wsdl.bindings[BINDING]
    proxy = AsyncServiceProxy(zeep_client, binding, address=address)  # type: ignore[no-untyped-call]
    return zeep_client, proxy


@contextmanager
def translate_soap_errors() -> Iterator[None]:
    """Turn zeep and lxml errors raised inside the block into certhub adapter errors."""
    try:
        yield
    except zeep_errors.Fault as exc:
        code = str(exc.code or "")
        if code.endswith("Client"):
            raise RequestRejected(f"SOAP Client fault: {exc.message}") from exc
        raise DepartmentUnavailable(f"SOAP {code or 'Server'} fault: {exc.message}") from exc
    except (
        zeep_errors.DTDForbidden,
        zeep_errors.EntitiesForbidden,
        zeep_errors.ExternalReferenceForbidden,
    ) as exc:
        raise UnsafePayload(f"refused XML: {type(exc).__name__}") from exc
    except zeep_errors.TransportError as exc:
        if exc.status_code >= 500 and exc.content is None:
            raise DepartmentUnavailable(f"HTTP {exc.status_code} without content") from exc
        raise ResponseInvalid(f"unusable SOAP reply (HTTP {exc.status_code})") from exc
    except zeep_errors.ValidationError as exc:
        raise RequestRejected("request does not fit the WSDL") from exc
    except (zeep_errors.Error, etree.LxmlError, ValueError) as exc:
        raise ResponseInvalid(f"SOAP reply breaks the contract: {type(exc).__name__}") from exc
