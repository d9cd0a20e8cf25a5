"""hub.comparison exports what we mean, each with a docstring."""

from __future__ import annotations

import hub.comparison


def test_the_package_exports_what_we_mean() -> None:
    assert sorted(hub.comparison.__all__) == [
        "CITIES",
        "ComparisonInputError",
        "ComparisonRun",
        "DEPARTMENTS",
        "Department",
        "GeneratedSet",
        "RULES",
        "RunOptions",
        "RunWindow",
        "generate",
        "parse_period",
        "run_comparison",
    ]
    for name in hub.comparison.__all__:
        assert hasattr(hub.comparison, name)


def test_every_rule_says_why() -> None:
    for rule in hub.comparison.RULES:
        assert rule.__doc__
        assert rule.__doc__.startswith(("R-", "R-CLEAN"))
    assert len(hub.comparison.CITIES) == 21
