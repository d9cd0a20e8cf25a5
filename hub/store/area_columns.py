"""Schema step: the village of records the hub signed itself, so village areas can read them.

Area scopes (:mod:`certhub.security.scopes`) filter ledger rows by their
``county`` and ``village`` columns. Outcomes (task states, terminations,
suspensions, overpayments) were written with the person's county only; from
this step on they carry the village too, and existing ones get it from their
own signed payload (``person.region.village``; none where the person has none).
"""

from __future__ import annotations

from typing import Final, Literal

Dialect = Literal["sqlite", "postgres"]  # tables.Dialect (which imports this module)

__all__ = ["OUTCOME_VILLAGE_BACKFILL"]

OUTCOME_VILLAGE_BACKFILL: Final[dict[Dialect, str]] = {
    "sqlite": """
    UPDATE ledger SET village = json_extract(CAST(payload AS TEXT), '$.person.region.village')
        WHERE kind = 'outcome' AND village IS NULL AND json_valid(CAST(payload AS TEXT))
    """,
    "postgres": """
    UPDATE ledger SET village = convert_from(payload, 'UTF8')::jsonb -> 'person' -> 'region'
        ->> 'village'
        WHERE kind = 'outcome' AND village IS NULL
    """,
}
