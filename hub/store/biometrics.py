"""The ledger side of the biometric enrolment registry: the latest status per person and model.

``biometric_enrolments`` keeps, per (person, modality), the latest status a
channel reported (a later ``occurred_at`` wins, an older message changes
nothing: channels resend out of order). Failed face attempts are counted
from the ledger itself through a partial index on certification events by
person.
"""

from __future__ import annotations

from typing import Final

BIOMETRIC_TABLES: Final = """
CREATE TABLE biometric_enrolments (
    person_id   {TEXT} NOT NULL,
    modality    {TEXT} NOT NULL,
    status      {TEXT} NOT NULL,
    occurred_at {TEXT} NOT NULL,
    channel     {TEXT} NOT NULL,
    area        {TEXT} NOT NULL,
    sequence    {BIGINT} NOT NULL,
    PRIMARY KEY (person_id, modality)
);
CREATE INDEX biometric_enrolments_area ON biometric_enrolments (area, modality, status);
CREATE INDEX ledger_certifications_person ON ledger (person_id, sequence)
    WHERE message_type = 'certification_event/v1'
"""
"""Schema step: the registry and the index that counts a person's attempts."""

UPSERT: Final = (
    "INSERT INTO biometric_enrolments (person_id, modality, status, occurred_at, channel, area,"
    " sequence) VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (person_id, modality) DO UPDATE SET status = excluded.status,"
    " occurred_at = excluded.occurred_at, channel = excluded.channel, area = excluded.area,"
    " sequence = excluded.sequence"
    " WHERE excluded.occurred_at >= biometric_enrolments.occurred_at"
)
SELECT: Final = (
    "SELECT modality, status, occurred_at, channel, sequence, area FROM biometric_enrolments"
    " WHERE person_id = ? ORDER BY modality"
)
FAILED_FACE_ATTEMPTS: Final = (
    "SELECT count(*) FROM ledger WHERE message_type = 'certification_event/v1'"
    " AND person_id = ? AND reason = 'face' AND outcome = 'failed'"
    " AND sequence > coalesce((SELECT max(sequence) FROM ledger"
    " WHERE message_type = 'certification_event/v1' AND person_id = ?"
    " AND outcome = 'certified'), 0)"
)
