"""Message-type registry: look up, parse and export the schema of each message type.

A literal, read-only table; nothing registers itself at import time.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from pydantic import BaseModel

from .amendment import TerminationAmendment
from .biometrics import BiometricEnrolment
from .certification import CertificationEvent
from .conditions import CONDITIONAL_RULES
from .deadlines import ReportDeadline, TaskDeadline
from .ratings import RatingFollowUp, ServiceRating
from .recovery import OverpaymentRecovery, WriteOffRequest
from .reports import EligibilityReport, ZeroReport
from .restoration_proposal import RestorationProposal
from .suspension_proposal import SuspensionProposal
from .transitions import BenefitRecord, TaskTransition
from .workflow import Decision, Overpayment, Restoration, Suspension, Termination, VerificationTask

__all__ = [
    "JSON_SCHEMA_DIALECT",
    "MESSAGE_TYPES",
    "UnknownMessageType",
    "export_json_schemas",
    "json_schema_for",
    "model_for",
    "parse_message",
]

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

MESSAGE_TYPES: Final[Mapping[str, type[BaseModel]]] = MappingProxyType(
    {
        "eligibility_report/v1": EligibilityReport,
        "zero_report/v1": ZeroReport,
        "certification_event/v1": CertificationEvent,
        "decision/v1": Decision,
        "verification_task/v1": VerificationTask,
        "suspension/v1": Suspension,
        "termination/v1": Termination,
        "overpayment/v1": Overpayment,
        "restoration/v1": Restoration,
        "task_transition/v1": TaskTransition,
        "benefit_record/v1": BenefitRecord,
        "recovery/v1": OverpaymentRecovery,
        "write_off/v1": WriteOffRequest,
        "task_deadline/v1": TaskDeadline,
        "report_deadline/v1": ReportDeadline,
        "biometric_enrolment/v1": BiometricEnrolment,
        "service_rating/v1": ServiceRating,
        "rating_followup/v1": RatingFollowUp,
        "suspension_proposal/v1": SuspensionProposal,
        "restoration_proposal/v1": RestorationProposal,
        "termination_amendment/v1": TerminationAmendment,
    }
)
"""Every message type the hub accepts or publishes, by its ``type`` string."""


class UnknownMessageType(LookupError):
    """A message type string names no model; the message suggests close matches."""

    def __init__(self, message_type: str) -> None:
        """Build the error for ``message_type``, with "did you mean" suggestions."""
        self.message_type = message_type
        self.suggestions = tuple(difflib.get_close_matches(message_type, MESSAGE_TYPES, n=3))
        hint = f"; did you mean {' or '.join(map(repr, self.suggestions))}?"
        super().__init__(
            f"unknown message type {message_type!r}" + (hint if self.suggestions else "")
        )


def model_for(message_type: str) -> type[BaseModel]:
    """Return the model class of ``message_type`` (e.g. ``"zero_report/v1"``).

    Raises:
        UnknownMessageType: if no such type exists.
    """
    try:
        return MESSAGE_TYPES[message_type]
    except KeyError:
        raise UnknownMessageType(message_type) from None


def parse_message(message_type: str, payload: bytes, *, now: datetime | None = None) -> BaseModel:
    """Parse JSON ``payload`` strictly as ``message_type``.

    The payload's own ``type`` field must equal ``message_type`` (when present;
    it defaults to it). Coercions such as ``"5"`` for an integer are refused.
    Dates are judged against ``now`` (an aware datetime; the system clock if None).

    Raises:
        UnknownMessageType: if no such type exists.
        pydantic.ValidationError: if the payload does not conform, unchanged.
    """
    context = None if now is None else {"now": now}
    return model_for(message_type).model_validate_json(payload, strict=True, context=context)


def json_schema_for(message_type: str) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of ``message_type``'s input form.

    ``$id`` is ``urn:certhub:schema:<name>:v1``.

    Raises:
        UnknownMessageType: if no such type exists.
    """
    model = model_for(message_type)
    name, _, version = message_type.partition("/")
    schema = model.model_json_schema(mode="validation")
    # Cross-field rules the models check in code, said in JSON Schema where it can.
    rules = CONDITIONAL_RULES.get(message_type, ())
    if rules:
        schema["allOf"] = [*schema.get("allOf", ()), *rules]
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": f"urn:certhub:schema:{name}:{version}", **schema}


def export_json_schemas(directory: Path) -> list[Path]:
    """Write one ``<name>.v1.json`` file per message type into ``directory``.

    The directory is created if needed; existing files are overwritten.
    Returns the written paths in table order.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for message_type in MESSAGE_TYPES:
        name, _, version = message_type.partition("/")
        path = directory / f"{name}.{version}.json"
        text = json.dumps(json_schema_for(message_type), ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written
