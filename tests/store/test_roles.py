"""The ledger's protocol is split by role, and no role hands a caller raw SQL."""

from __future__ import annotations

import inspect

from certhub.hub.store import SqliteLedger
from certhub.hub.store.base import (
    AccountabilityReads,
    AssessmentReads,
    AuditLog,
    BenefitReads,
    LedgerStore,
    Lifecycle,
    ProcedureReads,
    RecordStore,
    RecoveryReads,
    Reporting,
    ReviewItems,
)
from certhub.hub.store.certification_holds import CertificationHolds
from certhub.hub.store.comparison_jobs import PartitionLedger
from certhub.hub.store.hold_clearances import HoldClearances
from certhub.hub.store.imported_months import ImportedMonths
from certhub.hub.store.outbox import (
    DeadLetters,
    DeliveryRecords,
    Notices,
    OutboxRelaying,
    OutboxStore,
)
from certhub.hub.store.person_guard import PersonGuards
from certhub.hub.store.postgres import PostgresLedger
from certhub.hub.store.register_reads import (
    CertificationRegister,
    RegisterHolds,
    RegisterUpdates,
)
from certhub.hub.store.sender_reads import SenderReads

ROLES = (
    RecordStore,
    CertificationRegister,
    RegisterHolds,
    RegisterUpdates,
    ImportedMonths,
    SenderReads,
    ProcedureReads,
    CertificationHolds,
    HoldClearances,
    BenefitReads,
    PersonGuards,
    RecoveryReads,
    AccountabilityReads,
    AssessmentReads,
    Reporting,
    AuditLog,
    Lifecycle,
    PartitionLedger,
    ReviewItems,
)
OUTBOX_ROLES = (OutboxRelaying, DeliveryRecords, DeadLetters, Notices)
ALL_ROLES = ROLES + OUTBOX_ROLES


def test_every_method_of_the_ledger_belongs_to_exactly_one_role() -> None:
    declared = [name for role in ALL_ROLES for name in vars(role) if not name.startswith("_")]
    assert len(declared) == len(set(declared))
    everything = {name for name, _ in inspect.getmembers(LedgerStore) if not name.startswith("_")}
    assert everything == set(declared)
    assert all(len([n for n in vars(role) if not n.startswith("_")]) <= 7 for role in ALL_ROLES)


def test_callers_get_named_outbox_transitions_never_statements() -> None:
    outbox = {name for name, _ in inspect.getmembers(OutboxStore) if not name.startswith("_")}
    assert "outbox_apply" not in outbox
    assert {"release_leases", "retry_delivery", "dead_letter"} <= outbox
    assert {"replay_dead_letters", "purge_dead_letters"} <= outbox


def test_both_dialects_play_every_role() -> None:
    # A ledger that subclasses a role inherits its stubs: only an implementation counts.
    for ledger in (SqliteLedger, PostgresLedger):
        for role in ALL_ROLES:
            missing = [
                name
                for name, stub in vars(role).items()
                if not name.startswith("_") and getattr(ledger, name, stub) is stub
            ]
            assert missing == [], (ledger.__name__, role.__name__)
