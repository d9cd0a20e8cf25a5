"""certhub's canonical certification schema.

Pydantic v2 models of every message exchanged through the hub, the resident
ID number (GB 11643) and Guangdong region code (GB/T 2260) types, and the
message-type registry with JSON Schema export. Imports no other certhub package.

Exceptions::

    ValueError
    ├── InvalidResidentId    malformed resident ID number (message never holds the number)
    └── UnknownRegion        region code malformed or not a current Guangdong division
    LookupError
    └── UnknownMessageType   no model for a message type string ("did you mean …")
    Refusal                  root of every refusal in certhub: a problem slug and a detail
"""

from .amendment import AmendmentRecord, TerminationAmendment
from .biometrics import BiometricEnrolment, BiometricModality, Consent, EnrolmentStatus
from .certification import CertificationEvent
from .clock import CHINA_STANDARD_TIME, shanghai_today
from .common import (
    CLOCK_SKEW,
    SCHEME_START,
    ActorRef,
    Channel,
    EvidenceRef,
    FreeText,
    Identifier,
    Message,
    Money,
    PersonName,
    PersonRef,
    RegionRef,
)
from .deadlines import ReportDeadline, TaskDeadline
from .enums import (
    BenefitStatus,
    CertificationMethod,
    CertificationOutcome,
    ChannelKind,
    DecisionAction,
    EvidenceKind,
    RecoverySource,
    RecoveryStatus,
    ReportReason,
    Role,
    SuspensionReason,
    TaskDisposal,
    TaskKind,
    TaskStatus,
    VerificationMethod,
)
from .ratings import RatingFollowUp, ServiceRating
from .recovery import OverpaymentRecovery, WriteOffRequest
from .refusal import PROBLEM_TYPE_PREFIX, Refusal, problem_type_uri
from .regions import (
    GUANGDONG_COUNTIES,
    CountyCode,
    UnknownRegion,
    VillageCode,
    city_code_of,
    city_name,
    county_name,
)
from .registry import (
    MESSAGE_TYPES,
    UnknownMessageType,
    export_json_schemas,
    json_schema_for,
    model_for,
    parse_message,
)
from .reports import EligibilityReport, ZeroReport
from .resident_id import (
    InvalidResidentId,
    ResidentId,
    birth_date_of,
    check_character,
    mask_ids_in_text,
    mask_numbers_for_logs,
    mask_resident_id,
    upgrade_legacy_id,
    validate_resident_id,
)
from .restoration_proposal import RestorationProposal
from .suspension_proposal import SuspensionProposal
from .transitions import BenefitRecord, TaskTransition
from .workflow import Decision, Overpayment, Restoration, Suspension, Termination, VerificationTask

__all__ = [
    "CHINA_STANDARD_TIME",
    "CLOCK_SKEW",
    "GUANGDONG_COUNTIES",
    "MESSAGE_TYPES",
    "PROBLEM_TYPE_PREFIX",
    "SCHEME_START",
    "ActorRef",
    "AmendmentRecord",
    "BenefitRecord",
    "BenefitStatus",
    "BiometricEnrolment",
    "BiometricModality",
    "CertificationEvent",
    "CertificationMethod",
    "CertificationOutcome",
    "Channel",
    "ChannelKind",
    "Consent",
    "CountyCode",
    "Decision",
    "DecisionAction",
    "EligibilityReport",
    "EnrolmentStatus",
    "EvidenceKind",
    "EvidenceRef",
    "FreeText",
    "Identifier",
    "InvalidResidentId",
    "Message",
    "Money",
    "Overpayment",
    "OverpaymentRecovery",
    "PersonName",
    "PersonRef",
    "RatingFollowUp",
    "RecoverySource",
    "RecoveryStatus",
    "Refusal",
    "RegionRef",
    "ReportDeadline",
    "ReportReason",
    "ResidentId",
    "Restoration",
    "RestorationProposal",
    "Role",
    "ServiceRating",
    "Suspension",
    "SuspensionProposal",
    "SuspensionReason",
    "TaskDeadline",
    "TaskDisposal",
    "TaskKind",
    "TaskStatus",
    "TaskTransition",
    "Termination",
    "TerminationAmendment",
    "UnknownMessageType",
    "UnknownRegion",
    "VerificationMethod",
    "VerificationTask",
    "VillageCode",
    "WriteOffRequest",
    "ZeroReport",
    "birth_date_of",
    "check_character",
    "city_code_of",
    "city_name",
    "county_name",
    "export_json_schemas",
    "json_schema_for",
    "mask_ids_in_text",
    "mask_numbers_for_logs",
    "mask_resident_id",
    "model_for",
    "parse_message",
    "problem_type_uri",
    "shanghai_today",
    "upgrade_legacy_id",
    "validate_resident_id",
]
