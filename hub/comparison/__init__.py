"""The monthly information comparison (信息比对, DESIGN.md rule 8) over DuckDB.

A run (:func:`run_comparison`) loads a roster snapshot and the departments'
feeds, applies the named rules of :mod:`certhub.hub.comparison.rules` and writes the
period's outputs: certifications to record (one per person), verification-task
proposals, reversals, a name-only review queue and a summary.
:func:`generate` writes synthetic inputs whose truth is known. A run split
by its 21 cities, each a job a worker takes (:mod:`.jobs`), records the same
(:mod:`.recording`) and merges its summary from the cities' (:mod:`.partitions`).
"""

from certhub.hub.comparison.catalogue import DEPARTMENTS, Department
from certhub.hub.comparison.engine import (
    CITIES,
    ComparisonRun,
    RunOptions,
    parse_period,
    run_comparison,
)
from certhub.hub.comparison.generate import GeneratedSet, generate
from certhub.hub.comparison.loading import ComparisonInputError
from certhub.hub.comparison.rules import RULES, RunWindow

__all__ = [
    "CITIES",
    "DEPARTMENTS",
    "RULES",
    "ComparisonInputError",
    "ComparisonRun",
    "Department",
    "GeneratedSet",
    "RunOptions",
    "RunWindow",
    "generate",
    "parse_period",
    "run_comparison",
]
