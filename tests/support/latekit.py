"""A late roster entry's tests read the task's balance and its overpayment records through
the hub's HTTP API (months counted from this month, China time)."""

from __future__ import annotations

from typing import Any

from procedurekit import Office, month_day


def label(offset: int) -> str:
    """``YYYY-MM`` of the month ``offset`` months from this one."""
    return month_day(offset).strftime("%Y-%m")


async def balance(office: Office, task: str) -> tuple[int, Any]:
    """The answer's status and (months, amount, recovered, status) of the task's balance."""
    status, body = await office.get(f"/v1/overpayments/{task}", "county-1")
    if status != 200:
        return status, None
    return status, (body["months"], body["amount"], body["recovered"], body["status"])


async def signed(office: Office, task: str) -> dict[str, tuple[str, str, int, str]]:
    """The task's overpayment records in the provincial pull, by message id."""
    status, body = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, body
    return {
        o["message_id"]: (p["period_from"], p["period_to"], p["months"], p["amount"])
        for o in body["items"]
        if o["type"] == "overpayment/v1" and (p := o["payload"])["task_id"] == task
    }
