"""Closed vocabularies of the canonical schema.

Values are the wire strings; renaming a value is a breaking schema change.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "BenefitStatus",
    "CertificationMethod",
    "CertificationOutcome",
    "ChannelKind",
    "DecisionAction",
    "EvidenceKind",
    "RecoverySource",
    "RecoveryStatus",
    "ReportReason",
    "Role",
    "SuspensionReason",
    "TaskDisposal",
    "TaskKind",
    "TaskStatus",
    "VerificationMethod",
]


class ReportReason(StrEnum):
    """Why a local reporter suspects a pensioner has lost eligibility."""

    death = "death"
    missing = "missing"
    imprisonment = "imprisonment"
    loss_of_nationality = "loss_of_nationality"
    duplicate_receipt = "duplicate_receipt"
    other = "other"


class CertificationMethod(StrEnum):
    """How a person was certified as alive and entitled."""

    data_comparison = "data_comparison"
    face = "face"
    fingerprint = "fingerprint"
    finger_vein = "finger_vein"
    counter = "counter"
    home_visit = "home_visit"
    social_org = "social_org"


class CertificationOutcome(StrEnum):
    """Result of one certification attempt."""

    certified = "certified"
    failed = "failed"


class ChannelKind(StrEnum):
    """The platform, device or service point a certification came through."""

    national_platform = "national_platform"
    e_ssc = "e_ssc"
    app_12333 = "app_12333"
    app_gdrs = "app_gdrs"
    yueshengshi = "yueshengshi"
    yuezhizhu_kiosk = "yuezhizhu_kiosk"
    ss_terminal = "ss_terminal"
    bank_terminal = "bank_terminal"
    counter = "counter"
    home_visit = "home_visit"
    social_org = "social_org"
    department_data = "department_data"


class DecisionAction(StrEnum):
    """A step of the two-level workflow: accept (受理), then approve or reject (审核)."""

    accept = "accept"
    approve = "approve"
    reject = "reject"


class Role(StrEnum):
    """The role an actor acts in; separation of duties is checked on these."""

    coordinator = "coordinator"
    town_staff = "town_staff"
    county_reviewer = "county_reviewer"
    municipal_approver = "municipal_approver"
    benefit_determiner = "benefit_determiner"
    provincial_system = "provincial_system"
    ops = "ops"
    reporting_system = "reporting_system"
    channel = "channel"
    department = "department"


class TaskKind(StrEnum):
    """What a verification task (待核实) suspects."""

    death = "death"
    missing = "missing"
    imprisonment = "imprisonment"
    loss_of_nationality = "loss_of_nationality"
    duplicate_receipt = "duplicate_receipt"


class TaskStatus(StrEnum):
    """Lifecycle of a verification task: open → in_progress → confirmed | cleared."""

    open = "open"
    in_progress = "in_progress"
    confirmed = "confirmed"
    cleared = "cleared"


class TaskDisposal(StrEnum):
    """What follows a confirmed verification task: terminate or suspend benefit."""

    terminate = "terminate"
    suspend = "suspend"


class SuspensionReason(StrEnum):
    """Why a benefit payment is suspended (暂停发放)."""

    not_certified = "not_certified"
    missing = "missing"
    imprisonment = "imprisonment"
    under_verification = "under_verification"
    other = "other"


class RecoveryStatus(StrEnum):
    """Progress of recovering an overpayment (追回)."""

    pending = "pending"
    partially_recovered = "partially_recovered"
    recovered = "recovered"
    written_off = "written_off"
    # The termination it followed was voided (a department withdrew the records): nothing
    # more is recovered, and recovered_amount is owed back to the living pensioner.
    voided = "voided"


class RecoverySource(StrEnum):
    """Where a recovered sum came from."""

    personal_account = "personal_account"  # 个人账户余额抵扣
    family = "family"  # returned by the family or the heir
    bank_reversal = "bank_reversal"  # the bank returned payments made after the event
    other = "other"


class EvidenceKind(StrEnum):
    """What an evidence file shows."""

    id_image = "id_image"
    onsite_photo = "onsite_photo"
    death_certificate = "death_certificate"
    cremation_certificate = "cremation_certificate"
    court_judgment = "court_judgment"
    household_cancellation = "household_cancellation"
    other = "other"


class VerificationMethod(StrEnum):
    """How a verification task was checked (核实方式)."""

    contact_person = "contact_person"
    on_site_check = "on_site_check"
    department_letter = "department_letter"
    data_comparison = "data_comparison"


class BenefitStatus(StrEnum):
    """A pensioner's benefit status on the provincial roster."""

    active = "active"
    suspended = "suspended"
    terminated = "terminated"
