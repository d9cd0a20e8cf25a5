"""Mocks refuse requests that break the contract, exactly as the real departments would."""

from __future__ import annotations

import httpx

from certhub.mocks.eid import EidMock
from certhub.mocks.ministry import MinistryMock
from certhub.mocks.server import serve
from certhub.mocks.sms import SmsMock
from certhub.mocks.soap_xml import SOAP_ENV


def soap(body: str) -> bytes:
    return (f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:tns="urn:gdga:eid:licence:v1">'
            f"<soap:Body>{body}</soap:Body></soap:Envelope>").encode()  # fmt: skip


async def test_eid_answers_a_request_breaking_the_xsd_with_a_client_fault() -> None:
    async with serve(EidMock()) as url, httpx.AsyncClient(trust_env=False) as client:
        bad = soap(
            "<tns:VerifyPerson><tns:RequestId>r1</tns:RequestId>"
            "<tns:IdNumber>440102195003121231</tns:IdNumber></tns:VerifyPerson>"
        )
        response = await client.post(url + "/eid/soap", content=bad)
        assert response.status_code == 500
        assert b"soap:Client" in response.content
        assert b"breaks eid.xsd" in response.content
        assert b"440102195003121231" not in response.content


async def test_eid_refuses_a_request_with_a_dtd() -> None:
    async with serve(EidMock()) as url, httpx.AsyncClient(trust_env=False) as client:
        doc = b'<!DOCTYPE x [<!ENTITY a "b">]>' + soap("<tns:QueryCancellations/>")
        response = await client.post(url + "/eid/soap", content=doc)
        assert b"DTD not allowed" in response.content


async def test_eid_serves_its_wsdl_with_its_own_address() -> None:
    async with serve(EidMock()) as url, httpx.AsyncClient(trust_env=False) as client:
        wsdl = await client.get(url + "/eid/soap", params={"wsdl": ""})
        assert f'location="{url}/eid/soap"' in wsdl.text
        assert (await client.get(url + "/eid/eid.xsd")).status_code == 200


async def test_ministry_refuses_an_out_of_contract_page_size() -> None:
    async with serve(MinistryMock(size=5)) as url, httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(url + "/api/v1/certification-results", params={"limit": 501})
        assert response.status_code == 400
        assert "limit" in response.json()["title"]


async def test_ministry_refuses_a_push_breaking_the_schema() -> None:
    async with serve(MinistryMock(size=5)) as url, httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(
            url + "/api/v1/provincial-results",
            json={"sfdm": "44"},
            headers={"Idempotency-Key": "k1"},
        )
        assert response.status_code == 422


async def test_sms_refuses_a_full_id_number_and_unknown_callers() -> None:
    mock = SmsMock(api_key="k")
    async with serve(mock) as url, httpx.AsyncClient(trust_env=False) as client:
        body = {"notification_id": "n1", "mobile": "13912345678", "sign_name": "广东人社",
                "content": "身份证号440102195003121231"}  # fmt: skip
        assert (await client.post(url + "/sms/v1/messages", json=body)).status_code == 401
        auth = {"Authorization": "Bearer k"}
        refused = await client.post(url + "/sms/v1/messages", json=body, headers=auth)
        assert refused.status_code == 422
        assert mock.sent == {}
