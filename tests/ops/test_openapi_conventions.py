"""OpenAPI a client generator can use: stable operationIds, tags, examples, headers (16 §3).

New operations must satisfy these rules too (hub/api/openapi_conventions.py explains them).
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from certhub.hub.api.openapi import openapi_document
from certhub.hub.api.openapi_conventions import (
    METHODS,
    SCHEMA_EXAMPLES,
    apply_conventions,
    operation_id,
    tag_of,
)

__all__ = ["hub", "hub_factory", "party_keys"]

SHIPPED = Path(__file__).with_name("openapi_operation_ids.json")
# lowerCamelCase that starts with the HTTP method: what client generators turn into method names
OPERATION_ID = re.compile(r"^(get|put|post|delete|patch|head|options)[A-Z][A-Za-z0-9]*$")


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in METHODS
    }


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(openapi_document())


def test_info_version_is_the_package_version() -> None:
    assert openapi_document()["info"]["version"] == version("certhub")


def test_every_operation_has_a_unique_well_formed_operation_id() -> None:
    ids = {
        where: operation.get("operationId")
        for where, operation in _operations(openapi_document()).items()
    }
    assert {where: id_ for where, id_ in ids.items() if not OPERATION_ID.match(str(id_))} == {}
    duplicates = {id_ for id_ in ids.values() if list(ids.values()).count(id_) > 1}
    assert duplicates == set()


def test_no_shipped_operation_id_changes_or_disappears() -> None:
    shipped: dict[str, str] = json.loads(SHIPPED.read_text(encoding="utf-8"))
    current = {where: op["operationId"] for where, op in _operations(openapi_document()).items()}
    assert {where: current.get(where) for where in shipped} == shipped


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/v1/evidence/{digest}", "getEvidenceByDigest"),
        (
            "post",
            "/v1/verification-tasks/{task_id}/transitions",
            "postVerificationTasksByTaskIdTransitions",
        ),
        ("get", "/v1/schemas/{name}/{version}", "getSchemasByNameAndVersion"),
        ("post", "/v1/{collection}/{item_id}/decisions", "postByCollectionAndItemIdDecisions"),
        ("get", "/.well-known/jwks.json", "getWellKnownJwksJson"),
        ("get", "/v1/service-points.geojson", "getServicePointsGeojson"),
        ("get", "/app/", "getApp"),
        ("DELETE", "/v1/reports", "deleteReports"),
    ],
)
def test_the_operation_id_convention(method: str, path: str, expected: str) -> None:
    assert operation_id(method, path) == expected


@pytest.mark.parametrize(
    ("path", "tag"),
    [
        ("/v1/reports", "reports"),
        ("/v1/service-points.geojson", "service-points"),
        ("/v1/{collection}/{item_id}/decisions", "decisions"),
        ("/healthz", "meta"),
        ("/.well-known/jwks.json", "meta"),
        ("/asyncapi.json", "meta"),
        ("/map/{asset}", "map"),
    ],
)
def test_the_tag_convention(path: str, tag: str) -> None:
    assert tag_of(path) == tag


def test_an_operation_keeps_the_id_and_tags_it_sets_itself() -> None:
    document = {
        "paths": {
            "/v2/reports": {
                "get": {"operationId": "getReports", "tags": ["reports"], "responses": {}},
                "post": {"responses": {"202": {"description": "ok"}}},
            }
        },
        "components": {"schemas": {}},
    }
    apply_conventions(document)
    operations = document["paths"]["/v2/reports"]
    assert operations["get"]["operationId"] == "getReports"
    assert operations["post"]["operationId"] == "postV2Reports"
    assert operations["post"]["tags"] == ["v2"]
    assert operations["post"]["responses"]["202"]["headers"]["X-Request-ID"]["schema"]
    assert [tag["name"] for tag in document["tags"]] == ["reports", "v2"]


def test_every_operation_is_tagged_with_a_declared_tag() -> None:
    document = openapi_document()
    declared = {tag["name"]: tag["description"] for tag in document["tags"]}
    used = {tag for operation in _operations(document).values() for tag in operation["tags"]}
    assert used == set(declared)
    assert {"meta", "reports", "certifications", "evidence"} <= used
    assert all(declared.values())


def test_every_response_declares_the_correlation_header_and_429_its_retry_after() -> None:
    document = openapi_document()
    bare, no_retry, busy = [], [], 0
    for where, operation in _operations(document).items():
        for status, response in operation["responses"].items():
            if "X-Request-ID" not in response.get("headers", {}):
                bare.append(f"{where} {status}")
            if status == "429":
                busy += 1
                if not response["headers"].get("Retry-After", {}).get("required"):
                    no_retry.append(where)
    assert (bare, no_retry) == ([], [])
    assert busy >= 10  # every operation with a body may be refused for load
    allow = document["components"]["responses"]["MethodNotAllowed"]["headers"]["Allow"]
    assert allow["required"] is True


@pytest.mark.parametrize("name", sorted(SCHEMA_EXAMPLES))
def test_the_shared_examples_are_valid_against_their_schemas(name: str) -> None:
    document = openapi_document()
    examples = document["components"]["schemas"][name]["examples"]
    assert examples
    # Validated from the document's root so #/components/schemas/… references resolve.
    validator = Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    )
    for example in examples:
        assert list(validator.iter_errors(example)) == []


def test_a_broken_example_would_be_caught() -> None:
    document = openapi_document()
    validator = Draft202012Validator(
        {"$ref": "#/components/schemas/Receipt", "components": document["components"]}
    )
    broken = {**SCHEMA_EXAMPLES["Receipt"], "sha256": "not-hex"}
    assert list(validator.iter_errors(broken))


async def test_a_method_a_path_lacks_is_405_with_allow_naming_the_documented_ones(
    hub: Hub,
) -> None:
    document = openapi_document()
    for path, method in (("/v1/reports", "DELETE"), ("/healthz", "POST"), ("/v1/evidence", "PUT")):
        response = await hub.client.request(method, path)
        assert response.status == 405, path
        assert response.content_type == "application/problem+json"
        assert response.headers["X-Request-ID"]
        allowed = set(response.headers["Allow"].split(",")) - {"HEAD"}  # HEAD comes with GET
        assert allowed == {m.upper() for m in document["paths"][path]}, path


def test_two_operations_under_one_id_are_refused_with_the_fix() -> None:
    document = {
        "paths": {
            "/v1/public/disclosure": {"get": {"responses": {}}},
            "/public/disclosure": {"get": {"responses": {}}},  # the same conventional id
        },
        "components": {"schemas": {}},
    }
    with pytest.raises(ValueError, match=r"getPublicDisclosure.*operationId\" of its own"):
        apply_conventions(document)
    document["paths"]["/public/disclosure"]["get"]["operationId"] = "getPublicDisclosurePage"
    apply_conventions(document)
