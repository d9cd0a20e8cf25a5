"""certhub.hub.comparison exports what we mean, each with a docstring."""

from __future__ import annotations

from certhub.hub import comparison


def test_the_package_exports_what_we_mean() -> None:
    assert sorted(comparison.__all__) == [
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
    for name in comparison.__all__:
        assert hasattr(comparison, name)


def test_every_rule_says_why() -> None:
    for rule in comparison.RULES:
        assert rule.__doc__
        assert rule.__doc__.startswith(("R-", "R-CLEAN"))
    assert len(comparison.CITIES) == 21
