"""OpenAPI paths of overpayment recovery: sums recovered, write-off requests, balances."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import (
    REGION_PREFIX,
    cursor_query,
    page_of,
    path_param,
    push_operation,
    query,
    reader_get,
)

_MONEY = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$"}
_TASK_ID = {"type": "string", "pattern": r"^[A-Za-z0-9_.:-]{1,128}$"}
_STATUS = {
    "type": "string",
    "enum": ["pending", "partially_recovered", "recovered", "written_off", "voided"],
}

_BALANCE: dict[str, Any] = {
    "type": "object",
    "description": "A task's overpayment and how far it has been recovered (amounts in yuan).",
    "required": [
        "task_id",
        "person_id",
        "county",
        "period",
        "months",
        "amount",
        "recovered",
        "remaining",
        "written_off",
        "status",
        "write_off_request",
    ],
    "properties": {
        "task_id": _TASK_ID,
        "person_id": {"type": "string"},
        "county": {"type": "string"},
        "period": {"type": "string", "description": "the month the overpayment was established"},
        "months": {"type": "integer", "minimum": 1},
        "amount": _MONEY,
        "recovered": _MONEY,
        "remaining": _MONEY,
        "written_off": _MONEY,
        "status": _STATUS,
        "write_off_request": {
            "type": ["integer", "null"],
            "description": "the write-off request under review (decide it at "
            "/v1/write-offs/{item_id}/decisions)",
        },
    },
}
_RECOVERY: dict[str, Any] = {
    "type": "object",
    "required": ["record", "amount", "source", "recovered_on", "reference"],
    "properties": {
        "record": {"type": "integer", "description": "the recovery/v1 record's ledger sequence"},
        "amount": _MONEY,
        "source": {
            "type": "string",
            "enum": ["personal_account", "family", "bank_reversal", "other"],
        },
        "recovered_on": {"type": "string", "format": "date"},
        "reference": {"type": ["string", "null"]},
    },
}


def _signed(summary: str, message_type: str) -> dict[str, Any]:
    return push_operation(
        summary,
        [message_type],
        parameters=[path_param("task_id", _TASK_ID)],
        errors={
            "404": "The task has no overpayment.",
            "409": "Exceeds the balance, settled already, a write-off under review, a reference "
            "recorded before, a concurrent change, or replay.",
        },
    )


def recovery_paths() -> dict[str, Any]:
    """The paths of overpayment recovery."""
    task = path_param("task_id", _TASK_ID)
    return {
        "/v1/overpayments": reader_get(
            "Overpayments and their recovery, by task id cursor, status and region.",
            [
                query("status", _STATUS),
                query("region", REGION_PREFIX),
                *cursor_query(empty_first=True),
            ],
            page_of(_BALANCE),
            errors={"400": "Invalid parameter or cursor."},
        ),
        "/v1/overpayments/{task_id}": reader_get(
            "One task's overpayment: amount, recovered, remaining, refunded, and each sum "
            "recovered.",
            [task],
            {
                **_BALANCE,
                "required": [*_BALANCE["required"], "refunded", "recoveries"],
                "properties": {
                    **_BALANCE["properties"],
                    "refunded": {
                        **_MONEY,
                        "description": "what was recovered and refunded to a person who did "
                        "not owe it: all recovered when voided, and what a stated release's cut "
                        "months had recovered (the signed <record>:released:voided records; "
                        "a record's later cuts <record>:released:<n>:voided)",
                    },
                    "recoveries": {"type": "array", "items": _RECOVERY},
                },
            },
            errors={"404": "No overpayment for that task."},
        ),
        "/v1/overpayments/{task_id}/recoveries": _signed(
            "Record one sum recovered (county staff); the hub re-signs the overpayment.",
            "recovery/v1",
        ),
        "/v1/overpayments/{task_id}/write-offs": _signed(
            "Ask for what remains to be written off; decided by two other people.",
            "write_off/v1",
        ),
    }
