"""The ledger side of service evaluation: one rating per service event, and its follow-up.

``ratings`` is keyed by the rating's ledger record and holds the rated
record once (``service_record`` UNIQUE: a second rating of one service is
refused by the database, whichever way it arrives). ``rating_followups``
holds the open follow-up of a bad rating with its deadline and what the
town did. Times are epoch seconds (as in ``task_deadlines``).
"""

from __future__ import annotations

from typing import Final

from certhub.hub.store.base import Conflict

RATING_TABLES: Final = """
CREATE TABLE ratings (
    sequence       {BIGINT} PRIMARY KEY REFERENCES ledger (sequence),
    service_record {BIGINT} NOT NULL UNIQUE REFERENCES ledger (sequence),
    service_kind   {TEXT} NOT NULL,
    score          INTEGER NOT NULL,
    rater          {TEXT} NOT NULL,
    via            {TEXT} NOT NULL,
    area           {TEXT} NOT NULL,
    rated_at       {REAL} NOT NULL
);
CREATE INDEX ratings_area ON ratings (area, rated_at);
CREATE TABLE rating_followups (
    rating         {BIGINT} PRIMARY KEY REFERENCES ratings (sequence),
    area           {TEXT} NOT NULL,
    due_at         {REAL} NOT NULL,
    called_back_at {REAL},
    visited_at     {REAL},
    rectified_at   {REAL},
    outcome        {TEXT}
);
CREATE INDEX rating_followups_open ON rating_followups (due_at) WHERE rectified_at IS NULL
"""
"""Schema step: ratings and the follow-ups of bad ones (``{…}``: the dialect's type names)."""

INSERT_RATING: Final = (
    "INSERT INTO ratings (sequence, service_record, service_kind, score, rater, via, area,"
    " rated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
OPEN_FOLLOW_UP: Final = "INSERT INTO rating_followups (rating, area, due_at) VALUES (?, ?, ?)"
FOLLOW_UP: Final = {
    "callback": "UPDATE rating_followups SET called_back_at = ?, outcome = ?"
    " WHERE rating = ? AND rectified_at IS NULL",
    "visit": "UPDATE rating_followups SET visited_at = ?, outcome = ?"
    " WHERE rating = ? AND rectified_at IS NULL",
    "rectified": "UPDATE rating_followups SET rectified_at = ?, outcome = ?"
    " WHERE rating = ? AND rectified_at IS NULL",
}
SELECT: Final = (
    "SELECT r.sequence, r.service_record, r.service_kind, r.score, r.rater, r.via, r.area,"
    " r.rated_at, f.due_at, f.called_back_at, f.visited_at, f.rectified_at, f.outcome"
    " FROM ratings AS r LEFT JOIN rating_followups AS f ON f.rating = r.sequence"
)


def rated_already() -> Conflict:
    """The refusal of a second rating of one service."""
    return Conflict("rating-exists", "this service has been rated already")


def follow_up_closed() -> Conflict:
    """The refusal of a follow-up step on a rating that needs none, or is put right."""
    return Conflict(
        "rating-follow-up-closed", "this rating has no open follow-up (none needed, or rectified)"
    )
