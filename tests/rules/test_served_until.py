"""The end of sentence an approval stating a release reads, imprisonment by imprisonment:
the release, unless the confirmation stated an end before another imprisonment began."""

from __future__ import annotations

from datetime import date

import pytest

from certhub.hub.rules.restoration_findings import HubSuspension, served_until
from certhub.schemas import SuspensionReason

JAILED = SuspensionReason.imprisonment


def jailed(on: date, until: date | None = None) -> HubSuspension:
    """An imprisonment the hub suspended the person for on ``on``, to ``until`` if stated."""
    return HubSuspension(f"imprisonment task-{on:%m%d}", JAILED, on, until)


FIRST = jailed(date(2026, 3, 10), date(2026, 5, 31))
SECOND = jailed(date(2026, 8, 10))
MISSING = HubSuspension("missing task-9", SuspensionReason.missing, date(2026, 8, 10))


@pytest.mark.parametrize(
    ("found", "others", "released", "read"),
    [
        # jailed again after the stated end: the release (2026-10-31) is the second's
        (FIRST, [FIRST, SECOND], date(2026, 10, 31), date(2026, 5, 31)),
        (SECOND, [FIRST, SECOND], date(2026, 10, 31), date(2026, 10, 31)),
        # alone, or beside a disappearance: a later release is this sentence's
        (FIRST, [FIRST], date(2026, 8, 31), date(2026, 8, 31)),
        (FIRST, [FIRST, MISSING], date(2026, 8, 31), date(2026, 8, 31)),
        # an earlier release, or none stated
        (FIRST, [FIRST, SECOND], date(2026, 4, 30), date(2026, 4, 30)),
        (FIRST, [FIRST, SECOND], None, date(2026, 5, 31)),
        (SECOND, [FIRST, SECOND], None, None),
    ],
)
def test_served_until(
    found: HubSuspension, others: list[HubSuspension], released: date | None, read: date | None
) -> None:
    assert served_until(found, others, released) == read
