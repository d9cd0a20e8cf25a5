"""Pulled outcomes and the verification list match the item schemas /openapi.json publishes.

Before issue 13 every /v1/outcomes item carried ``"receipt": ""`` (the item schema wants a
compact JWS) and task-list items carried a ``version`` the page's item schema had no room for.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from procedurekit import Office


def _validator(document: dict[str, Any], component: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    return Draft202012Validator(root)


async def test_outcomes_and_tasks_match_their_published_item_schemas(office: Office) -> None:
    document = await (await office.client.get("/openapi.json")).json()
    report = office.people.eligibility_report() | {"reason": "death"}
    report.pop("remarks", None)
    await office.approved_report(report)

    status, outcomes = await office.get("/v1/outcomes")
    assert status == 200
    assert outcomes["items"], "approving a death report opens a task, a hub-signed outcome"
    ledger_item = _validator(document, "LedgerItem")
    for item in outcomes["items"]:
        assert "receipt" not in item  # the jws is the hub's own signature
        ledger_item.validate(item)

    status, tasks = await office.get("/v1/verification-tasks")
    assert status == 200
    _validator(document, "VerificationTaskPage").validate(tasks)
    (task,) = tasks["items"]
    status, one = await office.get(f"/v1/verification-tasks/{task['task_id']}")
    _validator(document, "VerificationTaskItem").validate(one)
    assert one["version"] == task["version"]
