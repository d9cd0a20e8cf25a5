"""The gauges behind the CerthubCityReportMissing alert follow the reports that arrive."""

from __future__ import annotations

from datetime import UTC, datetime

from procedurekit import Office

from certhub.hub.compliance.watch import watched_period
from certhub.hub.core.keys import COMPLIANCE_WATCH, METRICS


def gauge(office: Office, name: str, **labels: str) -> float | None:
    registry = office.client.app[METRICS].registry
    return registry.get_sample_value(name, labels or None)


async def test_missing_units_per_city_and_the_deadline_are_published(office: Office) -> None:
    now = datetime(2024, 7, 10, 12, tzinfo=UTC)
    assert watched_period(now) == "2024-06"
    watch = office.client.app[COMPLIANCE_WATCH]
    await watch.refresh(now)
    # the three test villages are all in 440103 (Guangzhou, 440100) and silent
    assert gauge(office, "certhub_report_missing_regions", city="440100") == 3
    deadline = gauge(office, "certhub_report_deadline_timestamp_seconds")
    assert deadline is not None
    assert datetime.fromtimestamp(deadline, UTC).date().isoformat() == "2024-07-05"


async def test_a_zero_report_takes_its_unit_off_the_missing_count(office: Office) -> None:
    period = watched_period(datetime.now(UTC))
    zero = office.people.zero_report(period) | {
        "region": {"county": "440103", "village": "440103001202"}
    }
    assert (await office.post("/v1/reports", "city", zero))[0] == 202
    await office.client.app[COMPLIANCE_WATCH].refresh(datetime.now(UTC))
    assert gauge(office, "certhub_report_missing_regions", city="440100") == 2
    assert gauge(office, "certhub_verification_tasks", status="open") == 0
