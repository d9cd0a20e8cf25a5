"""A period before the scheme began is refused as ``invalid-period`` wherever one is read:
the KPIs, their trend, the compliance of a month and the public disclosure.

Before, ``/v1/kpis/trend?to=0001-05`` (12 months back reach year 0) failed with 500
(``ValueError: year 0 is out of range``, logged as the hub's own error), and the others
answered for months before 2009 as if they were real. Now every period is checked by one
rule (``hub.rules.compliance.check_period``): from 2009-01, when the scheme began
(schemas.SCHEME_START), to this month.
"""

from __future__ import annotations

from datetime import date

import pytest
from procedurekit import Office

from certhub.hub.rules.compliance import check_period
from certhub.schemas import Refusal

PATHS = (
    ("/v1/kpis", "period"),
    ("/v1/kpis/trend", "to"),
    ("/v1/compliance", "period"),
    ("/v1/public/disclosure", "period"),
)


def test_the_first_period_is_the_schemes_first_month() -> None:
    check_period("2009-01", date(2026, 12, 8))
    for period in ("2008-12", "0001-05"):
        with pytest.raises(Refusal) as refused:
            check_period(period, date(2026, 12, 8))
        assert refused.value.slug == "invalid-period"


async def test_a_period_before_the_scheme_is_refused(office: Office) -> None:
    for path, name in PATHS:
        for period in ("0001-05", "2008-12"):
            status, body = await office.get(path, **{name: period})
            assert status == 400, (path, period, body)  # before: 500 for the trend
            assert body["type"] == "urn:certhub:problem:invalid-period", (path, body)
