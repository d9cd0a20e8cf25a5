"""The monthly information comparison (信息比对, DESIGN.md rule 8) over DuckDB.

A run (:func:`run_comparison`) loads a roster snapshot and the departments'
feeds, applies the named rules of :mod:`hub.comparison.rules` and writes the
period's outputs: certifications to record (one per person), verification-task
proposals, reversals, a name-only review queue and a summary.
:func:`generate` writes synthetic inputs whose truth is known.
"""

from hub.comparison.catalogue import DEPARTMENTS, Department
from hub.comparison.engine import CITIES, ComparisonRun, RunOptions, parse_period, run_comparison
from hub.comparison.generate import GeneratedSet, generate
from hub.comparison.loading import ComparisonInputError
from hub.comparison.rules import RULES, RunWindow

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
