"""Mock public-security e-ID licence service: SOAP 1.1 over HTTP, WSDL served from the repo.

``GET /eid/soap?wsdl`` serves the adapter's own WSDL (address rewritten to
this server) and ``/eid/eid.xsd`` its schema. ``POST /eid/soap`` takes a SOAP
envelope; the Body's element is validated against the XSD (invalid → SOAP
Client fault), the answer is built and validated against the same XSD before
it is sent. Faults: SOAP Server/Client faults, 429, malformed XML, huge
bodies, billion-laughs DTDs and external entities, plus latency, hangs, resets.
"""

from __future__ import annotations

import base64
from datetime import date

from aiohttp import web
from lxml import etree

from .contracts import CONTRACTS_DIR, eid_schema
from .eid_registry import EidRegistry
from .faults import FaultConfig, FaultKind
from .server import MockDepartment
from .soap_xml import (
    billion_laughs,
    envelope,
    external_entity,
    fault,
    parse_request,
    response_element,
)

__all__ = ["EidMock"]

SOAP_PATH = "/eid/soap"
XML = "text/xml; charset=utf-8"


class EidMock(MockDepartment):
    """The e-ID SOAP service over an :class:`EidRegistry`."""

    name = "eid"

    def __init__(self, registry: EidRegistry | None = None, faults: FaultConfig | None = None):
        super().__init__(faults)
        self.registry = registry or EidRegistry()

    def add_routes(self, app: web.Application) -> None:
        """SOAP endpoint, WSDL and XSD."""
        app.router.add_post(SOAP_PATH, self._soap)
        app.router.add_get(SOAP_PATH, self._wsdl)
        app.router.add_get("/eid/eid.xsd", self._xsd)

    async def _wsdl(self, request: web.Request) -> web.Response:
        text = (CONTRACTS_DIR / "eid.wsdl").read_text(encoding="utf-8")
        own = f"{request.scheme}://{request.host}{SOAP_PATH}"
        text = text.replace("http://127.0.0.1:8090/eid/soap", own)
        return web.Response(text=text, content_type="text/xml", charset="utf-8")

    async def _xsd(self, _request: web.Request) -> web.Response:
        body = (CONTRACTS_DIR / "eid.xsd").read_bytes()
        return web.Response(body=body, content_type="text/xml", charset="utf-8")

    async def _soap(self, request: web.Request) -> web.StreamResponse:
        kind = await self.begin(request)
        if kind is FaultKind.error:
            return _xml(fault("soap:Server", "证照库暂时不可用 (licence store unavailable)"), 500)
        if kind is FaultKind.reject:
            return _xml(fault("soap:Client", "调用方无权访问 (caller not authorised)"), 500)
        if kind is FaultKind.throttle:
            retry = str(self.injector.config.retry_after or 1)
            return web.Response(
                status=429, text="too many requests", headers={"Retry-After": retry}
            )
        try:
            operation = parse_request(await request.read(), eid_schema())
        except ValueError as exc:
            return _xml(fault("soap:Client", str(exc)), 500)
        answer = self._answer(operation)
        eid_schema().assertValid(answer)  # the mock itself must keep the contract
        return await self._send(request, kind, answer)

    def _answer(self, operation: etree._Element) -> etree._Element:
        values = {etree.QName(child).localname: child.text or "" for child in operation}
        if etree.QName(operation).localname == "VerifyPerson":
            return self._verify(values)
        since = date.fromisoformat(values["Since"])
        items, token = self.registry.cancellations_since(
            since, values.get("PageToken"), int(values["PageSize"])
        )
        rows = [
            [
                ("IdNumber", item.id_number),
                ("Name", item.name),
                ("Reason", item.reason),
                ("CancelledOn", item.cancelled_on.isoformat()),
                ("RegionCode", item.county),
                ("Authority", item.authority),
            ]
            for item in items
        ]
        return response_element("QueryCancellationsResponse", rows, token)

    def _verify(self, values: dict[str, str]) -> etree._Element:
        photo = base64.b64decode(values["Photo"])
        result, similarity, person = self.registry.verify(values["IdNumber"], values["Name"], photo)
        fields: list[tuple[str, str]] = [("RequestId", values["RequestId"]), ("Result", result)]
        if person is not None:
            fields.append(("Similarity", f"{similarity:.4f}"))
            fields.append(("LicenceId", person.licence_id))
            if result == "DECEASED" and person.death_date is not None:
                fields.append(("DeathDate", person.death_date.isoformat()))
        fields.append(("CheckedAt", self.registry.checked_at()))
        return response_element("VerifyPersonResponse", [fields], None, flat=True)

    async def _send(
        self, request: web.Request, kind: FaultKind, answer: etree._Element
    ) -> web.StreamResponse:
        body = envelope(answer)
        if kind is FaultKind.malformed:
            return _xml(body[: len(body) // 2], 200)
        if kind is FaultKind.dtd:
            return _xml(billion_laughs(answer), 200)
        if kind is FaultKind.external_entity:
            return _xml(external_entity(answer), 200)
        if kind is FaultKind.huge:
            return await _stream_huge(request, body, self.injector.config.huge_bytes)
        return _xml(body, 200)


def _xml(body: bytes, status: int) -> web.Response:
    return web.Response(body=body, status=status, headers={"Content-Type": XML})


async def _stream_huge(request: web.Request, body: bytes, size: int) -> web.StreamResponse:
    """A valid envelope preceded by ``size`` bytes of XML comment, sent chunked."""
    response = web.StreamResponse(headers={"Content-Type": XML})
    response.enable_chunked_encoding()
    await response.prepare(request)
    chunk = b"<!--" + b"x" * 65536 + b"-->"
    try:
        for _ in range(size // len(chunk) + 1):
            await response.write(chunk)
        await response.write(body)
        await response.write_eof()
    except (ConnectionError, RuntimeError):
        pass  # the client stopped reading at its cap, as it should
    return response
