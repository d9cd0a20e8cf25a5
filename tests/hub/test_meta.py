"""Public endpoints: OpenAPI (checked against the running app), schemas, keys, errors."""

from __future__ import annotations

from typing import Any

from hubkit import Hub
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from certhub.hub.core.keys import KEYRING
from certhub.schemas import MESSAGE_TYPES


async def test_openapi_document_is_valid_and_matches_the_routes(hub: Hub) -> None:
    response = await hub.client.get("/openapi.json")
    document: dict[str, Any] = await response.json()
    validate(document)
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = {
        (route.method, route.resource.canonical)
        for route in hub.client.app.router.routes()
        if route.method != "HEAD" and route.resource is not None
    }
    assert documented == served


async def test_every_schema_type_is_published(hub: Hub) -> None:
    listing = await (await hub.client.get("/v1/schemas")).json()
    assert [entry["type"] for entry in listing["types"]] == list(MESSAGE_TYPES)
    for entry in listing["types"]:
        response = await hub.client.get(entry["href"])
        assert response.status == 200
        assert response.content_type == "application/schema+json"
        Draft202012Validator.check_schema(await response.json(content_type=None))


async def test_an_unknown_schema_type_is_a_problem(hub: Hub) -> None:
    response = await hub.client.get("/v1/schemas/eligibility_reprot/v1")
    body = await response.json(content_type=None)
    assert response.status == 404
    assert body["type"] == "urn:certhub:problem:unknown-schema-type"
    assert "eligibility_report/v1" in body["detail"]  # did you mean …


async def test_jwks_publishes_the_receipt_key_without_private_parts(hub: Hub) -> None:
    jwks = await (await hub.client.get("/.well-known/jwks.json")).json()
    assert jwks["keys"][0]["kid"] == hub.client.app[KEYRING].active.kid
    assert all("d" not in key for key in jwks["keys"])


async def test_unknown_paths_and_methods_are_problems(hub: Hub) -> None:
    missing = await hub.client.get("/v1/nothing-here")
    assert missing.status == 404
    assert (await missing.json(content_type=None))["type"] == "urn:certhub:problem:not-found"
    wrong = await hub.client.delete("/v1/reports")
    assert wrong.status == 405
    assert (await wrong.json(content_type=None))["type"] == "urn:certhub:problem:method-not-allowed"


async def test_metrics_count_outcomes_with_bounded_labels(hub: Hub) -> None:
    await hub.push(hub.sign(hub.report()))
    await hub.push(hub.sign(hub.report(), party="intruder"))
    text = await (await hub.client.get("/metrics")).text()
    assert (
        'certhub_messages_received_total{outcome="accepted",sender="city",'
        'type="eligibility_report/v1"} 1.0' in text
    )
    assert 'certhub_ingress_rejections_total{reason="unknown-key"} 1.0' in text


async def test_the_hub_reuses_its_signing_key_across_restarts(hub_factory: Any) -> None:
    first = await hub_factory()
    kid = first.client.app[KEYRING].active.kid
    await first.client.close()
    second = await hub_factory()
    assert second.client.app[KEYRING].active.kid == kid
