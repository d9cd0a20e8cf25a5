"""One problem catalogue: the routes, ``/openapi.json`` and README name the same slugs.

Also proves the suite-wide contract check (``tests/support/openapi_contract.py``) is not
vacuous: it reports the drifts issue 13 found.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from hubkit import Hub
from jsonschema import Draft202012Validator
from openapi_contract import ContractCheck, check_exchange

from certhub.hub.api.problems import render
from certhub.hub.problems import (
    ALL_PROBLEMS,
    EDGE_PROBLEMS,
    ENROLMENT_PROBLEMS,
    EVIDENCE_PROBLEMS,
    PROCEDURE_PROBLEMS,
    SECURITY_PROBLEMS,
    SERVICE_POINT_PROBLEMS,
    Problem,
)
from certhub.schemas import PROBLEM_TYPE_PREFIX
from certhub.security import MessageError, SigningKey, TokenError

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECURITY_SLUGS = {
    "unknown-key",
    "key-revoked",
    "key-expired",
    "signature-invalid",
    "algorithm-mismatch",
    "sender-mismatch",
    "type-not-expected",
    "type-not-allowed",
    "clock-skew",
    "invalid-token",
    "token-expired",
    "not-authorized",
}


def readme_slugs() -> dict[str, set[int]]:
    """Each slug in README's ``| slug | status | when |`` tables, with its documented statuses."""
    found: dict[str, set[int]] = {}
    in_table = False
    for line in README.splitlines():
        if line.startswith("| slug | status |"):
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
        if not in_table or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        slugs = re.findall(r"`([a-z0-9-]+)`", cells[0])
        statuses = [int(status) for status in re.findall(r"\d{3}", cells[1])]
        for index, slug in enumerate(slugs):
            # "404 / 404 / 405" pairs up; "409 / 422" for four slugs means one of them.
            mine = {statuses[index]} if len(statuses) == len(slugs) else set(statuses)
            found.setdefault(slug, set()).update(mine)
    return found


def test_readme_lists_exactly_the_catalogue_with_its_statuses() -> None:
    documented = readme_slugs()
    assert sorted(set(documented) - set(ALL_PROBLEMS)) == [], "README slugs not in the catalogue"
    assert sorted(set(ALL_PROBLEMS) - set(documented)) == [], "catalogue slugs not in README"
    wrong = {
        slug: (status, documented[slug])
        for slug, (status, _) in ALL_PROBLEMS.items()
        if status not in documented[slug]
    }
    assert wrong == {}


def test_each_slug_is_written_in_one_place_only() -> None:
    sections = [
        EDGE_PROBLEMS,
        EVIDENCE_PROBLEMS,
        PROCEDURE_PROBLEMS,
        SECURITY_PROBLEMS,
        ENROLMENT_PROBLEMS,
        SERVICE_POINT_PROBLEMS,
    ]
    assert sum(len(section) for section in sections) == len(ALL_PROBLEMS)


def _leaves(kind: type[Exception]) -> set[type[Exception]]:
    below = kind.__subclasses__()
    return set().union(*map(_leaves, below)) if below else {kind}


def test_each_message_and_token_refusal_of_security_is_in_the_catalogue() -> None:
    slugs = {leaf.slug for leaf in _leaves(MessageError) | _leaves(TokenError)}  # type: ignore[attr-defined]
    assert slugs == set(SECURITY_PROBLEMS)


REFUSING = {"Refusal", "Problem", "Conflict", "EvidenceRejected"}


def raised_slugs() -> dict[str, str]:
    """Each literal slug a refusal is built with anywhere in hub/, with where."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "hub").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            slug = node.args[0].value if isinstance(node.args[0], ast.Constant) else None
            if name in REFUSING and isinstance(slug, str):
                found.setdefault(slug, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_slug_raised_is_in_the_catalogue() -> None:
    # Refusals below the edge cannot check their slug when built: this does, for all of them.
    raised = raised_slugs()
    assert len(raised) > 50  # the scan sees the rules, the ledger, the vault and the edge
    assert {slug: where for slug, where in raised.items() if slug not in ALL_PROBLEMS} == {}


def test_the_catalogue_holds_the_security_refusals() -> None:
    assert set(ALL_PROBLEMS) >= SECURITY_SLUGS
    assert Problem("unknown-key", "x").status == 401


async def test_openapi_lists_every_problem_type(hub: Hub) -> None:
    document: dict[str, Any] = await (await hub.client.get("/openapi.json")).json()
    listed = document["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
    assert sorted(listed) == sorted(PROBLEM_TYPE_PREFIX + slug for slug in ALL_PROBLEMS)


async def test_a_401_body_matches_the_published_problem_schema(hub: Hub) -> None:
    document: dict[str, Any] = await (await hub.client.get("/openapi.json")).json()
    problem_schema = document["components"]["schemas"]["Problem"]
    intruder = SigningKey.generate()
    hub.keys["stranger"] = intruder
    status, body = await hub.push(hub.sign(hub.report(), party="stranger"))
    assert (status, body["type"]) == (401, PROBLEM_TYPE_PREFIX + "unknown-key")
    Draft202012Validator(problem_schema).validate(body)


def _request(method: str, path: str) -> web.Request:
    return make_mocked_request(method, path, headers={"Host": "127.0.0.1"})


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        ({"type": PROBLEM_TYPE_PREFIX + "no-such-slug"}, "is not one of"),
        ({"status": "401"}, "is not of type 'integer'"),
    ],
)
def test_the_contract_check_reports_an_undocumented_problem(
    problem: dict[str, Any], expected: str
) -> None:
    body = {"type": PROBLEM_TYPE_PREFIX + "not-found", "title": "t", "status": 404, "detail": "d"}
    response = web.json_response(
        body | problem, status=404, content_type="application/problem+json"
    )
    violations = check_exchange(_request("GET", "/nowhere"), None, response)
    assert any(expected in violation for violation in violations), violations


def test_the_contract_check_reports_an_undocumented_status() -> None:
    response = render(Problem("internal-error", "boom"))
    violations = check_exchange(_request("GET", "/v1/schemas"), None, response)
    assert violations
    assert "500" in violations[0]


def test_the_contract_check_reports_an_empty_receipt_on_a_page_item() -> None:
    # What /v1/outcomes answered before issue 13: `"receipt": ""` on every item.
    item = {
        "sequence": 1,
        "message_id": "m",
        "sender": "hub",
        "type": "termination/v1",
        "received_at": "2026-01-01T00:00:00+00:00",
        "sha256": "0" * 64,
        "payload": {},
        "jws": "a.b.c",
        "receipt": "",
    }
    page = {"items": [item], "next_cursor": "c", "has_more": False}
    violations = check_exchange(_request("GET", "/v1/outcomes"), None, web.json_response(page))
    assert any("receipt" in violation for violation in violations), violations


async def test_every_hub_exchange_in_the_tests_is_checked(
    hub: Hub, openapi_contract: ContractCheck
) -> None:
    assert hub.client.app.middlewares[0].__name__ == "check_contract"
    before = openapi_contract.checked
    assert (await hub.client.get("/healthz")).status == 200
    assert (await hub.client.get("/no/such/path")).status == 404
    assert openapi_contract.checked == before + 2
    assert openapi_contract.violations == []


async def test_a_style_sheet_is_checked_as_text(hub: Hub, openapi_contract: ContractCheck) -> None:
    # The check read text/css as bytes and reported `b'body{…' is not of type 'string'`
    # for the rating page's documented style sheet (found by the OpenAPI fuzz).
    response = await hub.client.get("/rate.css")
    assert (response.status, response.content_type) == (200, "text/css")
    assert openapi_contract.violations == []
