"""Cross-field rules of the canonical models, said in JSON Schema (``if``/``then``).

The models enforce these in ``model_validator`` methods, which pydantic cannot
export; :func:`schemas.json_schema_for` adds the rules below to the published
schemas so that a sender's own validator refuses what the hub refuses. Rules
JSON Schema cannot say (dates against today or a birth date, one date after
another) are listed in README's "Canonical schema" section.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

__all__ = ["CONDITIONAL_RULES"]

# At least one character that is not white space: "   " is as good as nothing.
_NOT_BLANK: Final[dict[str, Any]] = {"type": "string", "pattern": r"\S"}


def _when(
    field: str, values: list[str], then: dict[str, Any], otherwise: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``if field is one of values then … [else …]``; a missing field never matches."""
    rule: dict[str, Any] = {
        "if": {"required": [field], "properties": {field: {"enum": values}}},
        "then": then,
    }
    if otherwise is not None:
        rule["else"] = otherwise
    return rule


def _absent_or_null(field: str) -> dict[str, Any]:
    return {"properties": {field: {"type": "null"}}}


CONDITIONAL_RULES: Final[Mapping[str, tuple[dict[str, Any], ...]]] = MappingProxyType(
    {
        "eligibility_report/v1": (
            # Reason "other" says what happened in remarks.
            _when(
                "reason",
                ["other"],
                {"required": ["remarks"], "properties": {"remarks": _NOT_BLANK}},
            ),
        ),
        "decision/v1": (
            # A rejection gives at least one non-blank reason.
            _when(
                "action",
                ["reject"],
                {"required": ["reasons"], "properties": {"reasons": {"contains": _NOT_BLANK}}},
            ),
        ),
        "task_transition/v1": (
            # Confirming or clearing states how it was verified and what was found.
            _when(
                "to_status",
                ["confirmed", "cleared"],
                {
                    "required": ["method", "outcome"],
                    "properties": {"method": {"type": "string"}, "outcome": _NOT_BLANK},
                },
            ),
            # The confirmed event's date belongs to a confirmation only.
            _when("to_status", ["in_progress", "cleared"], _absent_or_null("event_date")),
        ),
        "benefit_record/v1": (
            # A suspended benefit says since when; any other status carries no such date.
            _when(
                "status",
                ["suspended"],
                {
                    "required": ["suspended_since"],
                    "properties": {"suspended_since": {"type": "string"}},
                },
                _absent_or_null("suspended_since"),
            ),
        ),
    }
)
"""Per message type, the ``allOf`` members added to its exported JSON Schema."""
