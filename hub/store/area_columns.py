"""Schema steps for area scopes: outcomes' village, and an index of the records' regions.

Area scopes (:mod:`certhub.security.scopes`) filter ledger rows by their
``county`` and ``village`` columns. Outcomes (task states, terminations,
suspensions, overpayments) were written with the person's county only; from
this step on they carry the village too, and existing ones get it from their
own signed payload (``person.region.village``; none where the person has none).
"""

from __future__ import annotations

from typing import Final, Literal

Dialect = Literal["sqlite", "postgres"]  # tables.Dialect (which imports this module)

__all__ = ["OUTCOME_VILLAGE_BACKFILL", "REGION_INDEX"]

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

REGION_INDEX: Final = (
    "CREATE INDEX ledger_region ON ledger (kind, coalesce(village, county), sequence)"
)
"""Each kind's records by region, the range an area condition asks for
(:func:`certhub.security.area_condition`): a village's pull page and a scoped
reader's evidence check read that area's records, not the whole ledger."""
