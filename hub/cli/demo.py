"""``make demo``: a real end-to-end exchange on the embedded default.

The hub runs in this process on 127.0.0.1 (SQLite ledger, its own keys); a
mock city reporting platform signs and pushes a few hundred reports over
HTTP; a mock provincial system pulls everything by cursor and re-verifies
every signature and receipt on its own. Then one reported death is walked
through the whole procedure (``hub/cli/demo_case.py``), and after the hub stops
the audit chain is verified offline. The summary says whether it all adds up.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO, TypeVar

import aiohttp

from certhub.hub.audit import AuditReport, verify_ledger
from certhub.hub.cli.demo_accountability import AccountabilityDemo, run_accountability_demo
from certhub.hub.cli.demo_case import CaseSummary, run_death_case
from certhub.hub.cli.demo_comparison import ComparisonDemo, run_comparison_demo
from certhub.hub.cli.demo_register import RegisterDemo, run_register_demo
from certhub.hub.cli.demo_stage import DemoParty, enrol_party, party_key, serving
from certhub.hub.cli.service_points import load_sample
from certhub.hub.comparison.progress import ProgressBar
from certhub.hub.core.keys import CERTIFICATION_PULL
from certhub.hub.core.settings import Settings
from certhub.hub.enrolment import EnrolmentCodeRequest, enrolment_for
from certhub.hub.store import open_ledger
from certhub.mocks.county_office import StaffMember
from certhub.mocks.hub_client import HubClient
from certhub.mocks.local_reporting import PushSummary, ReportingSystem
from certhub.mocks.provincial import ProvincialSystem, PullSummary
from certhub.mocks.runner import MocksConfig, MockSettings, RunningMocks, run_mocks
from certhub.security import (
    HubKeyring,
    TrustStore,
    VerifyingKey,
)

T = TypeVar("T")
P = TypeVar("P", bound=HubClient)  # a mock party

REPORTER = "yunfu-platform"
PROVINCE = "gd-provincial"
TOWN = "town-yuncheng-01"
COUNTY = "county-yuncheng-review"
# Staff who may restore may also propose restoring a voided termination themselves.
STAFF_TYPES = [
    "decision/v1",
    "task_transition/v1",
    "restoration/v1",
    "restoration_proposal/v1",
]
PARTIES: dict[str, DemoParty] = {
    REPORTER: DemoParty("reporting_system", ["eligibility_report/v1", "zero_report/v1"], False),
    PROVINCE: DemoParty("provincial_system", ["benefit_record/v1"], True),
    TOWN: DemoParty("town_staff", STAFF_TYPES, True),
    COUNTY: DemoParty("county_reviewer", STAFF_TYPES, True),
}
# The deliberately bad messages ReportingSystem.bad_messages sends: tampered,
# invalid ID number, and a replayed message id (its first use is accepted).
EXPECTED_REJECTIONS = 3


@dataclass(frozen=True)
class DemoSummary:
    """The demo's outcome in numbers."""

    data_dir: Path
    pushed: PushSummary
    pulled: PullSummary
    seconds: float
    case: CaseSummary
    audit: AuditReport
    comparison: ComparisonDemo | None = None
    accountability: AccountabilityDemo | None = None
    register: RegisterDemo | None = None

    @property
    def ok(self) -> bool:
        """Every accepted report was pulled and verified; only the bad ones refused."""
        return (
            self.pulled.pulled == self.pushed.accepted
            and self.pulled.verified == self.pulled.pulled
            and self.pushed.rejected == EXPECTED_REJECTIONS
            and not self.pulled.failures
            and self.case.ok
            and self.audit.ok
            and (self.comparison is None or self.comparison.ok)
            and (self.accountability is None or self.accountability.ok)
            and (self.register is None or self.register.ok)
        )

    def as_dict(self) -> dict[str, Any]:
        """Numbers for the one-line JSON summary."""
        return {
            "ok": self.ok,
            "pushed": self.pushed.pushed,
            "accepted": self.pushed.accepted,
            "duplicates": self.pushed.duplicates,
            "rejected": self.pushed.rejected,
            "rejections": dict(self.pushed.rejections),
            "pulled": self.pulled.pulled,
            "verified": self.pulled.verified,
            "failures": self.pulled.failures[:5],
            "death_case": {
                "termination_from": self.case.termination_from,
                "overpaid_months": self.case.overpaid_months,
                "overpaid_amount": self.case.overpaid_amount,
            },
            "comparison": self.comparison.__dict__ if self.comparison else None,
            "kpis_on_metrics": len(self.accountability.scraped) if self.accountability else None,
            "register": self.register.after if self.register else None,
            "audit_entries": self.audit.entries,
            "audit_ok": self.audit.ok,
            "seconds": round(self.seconds, 2),
            "data_dir": str(self.data_dir),
        }


async def run_demo(
    data_dir: Path | None, *, reports: int, out: TextIO = sys.stderr, progress: bool = False
) -> DemoSummary:
    """Run the whole exchange and return its summary (with progress bars on ``out`` if asked)."""
    started = time.perf_counter()
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="certhub-demo-"))
    async with run_mocks(_mock_departments(data_dir)) as departments:
        settings = Settings(
            data_dir=data_dir,
            port=0,
            adapters=departments.adapter_settings,
            ministry_pull_seconds=0,
        )
        jwks = _enrol_parties(settings)
        async with serving(settings) as (app, base_url):
            print(f"hub listening on {base_url}, data in {data_dir}", file=out)
            async with aiohttp.ClientSession() as session:
                parties = _Parties(base_url, session, settings, jwks, out if progress else None)
                pushed, pulled = await _bulk_exchange(parties, reports, out)
                case = await _death_case(parties, departments, out)
                ministry = await app[CERTIFICATION_PULL].pull_once()
                print(
                    f"ministry certification results pulled into the ledger: {ministry}", file=out
                )
    comparison = await run_comparison_demo(settings, out)  # the ledger is free again
    points = await load_sample(settings)  # the e-map's sample, audited like any import
    print(
        f"e-map: {points.created + points.unchanged} sample service points; with the hub"
        f" serving, open http://127.0.0.1:{DEFAULT_PORT}/map/",
        file=out,
    )
    accountability = await run_accountability_demo(settings, out)  # every KPI with a value
    # after the KPIs, so theirs stay the accountability month's own
    register = await run_register_demo(settings, comparison.period, out)
    audit = await _verify_audit(settings)
    print(
        f"audit verify: {'OK' if audit.ok else 'BROKEN'} ({audit.entries} entries, "
        f"{audit.checkpoints} signed checkpoints, {audit.records} records re-verified)",
        file=out,
    )
    _invite_a_coordinator(settings, case.village, out)
    seconds = time.perf_counter() - started
    return DemoSummary(
        data_dir, pushed, pulled, seconds, case, audit, comparison, accountability, register
    )


DEFAULT_PORT: int = Settings.model_fields["port"].default
"""Where ``certhub serve`` listens unless told otherwise."""


def _invite_a_coordinator(settings: Settings, village: str, out: TextIO) -> None:
    """Print how to open the coordinators' entrance, with a ready one-time enrolment code."""
    request = EnrolmentCodeRequest(
        type="enrolment_code_request/v1", village=village, role="coordinator"
    )
    issued = enrolment_for(settings).issue(request, staff=None)
    print(
        f"coordinators' entrance: run `certhub serve --data {settings.data_dir}`, open "
        f"http://127.0.0.1:{DEFAULT_PORT}/app/ and enter the enrolment code {issued.code} "
        f"(a coordinator of village {village}, valid until {issued.expires_at:%Y-%m-%d %H:%M} "
        "UTC, once)",
        file=out,
    )


@dataclass(frozen=True)
class _Parties:
    """How the mock parties reach the hub."""

    base_url: str
    session: aiohttp.ClientSession
    settings: Settings
    jwks: dict[str, dict[str, Any]]
    progress: TextIO | None = None
    """Where progress bars go, if anywhere."""

    def reporting_system(self, bar: ProgressBar | None = None) -> ReportingSystem:
        return self._signing_as(REPORTER, _ShownReportingSystem, bar=bar)

    def province(self, bar: ProgressBar | None = None) -> ProvincialSystem:
        keys = {jwk["kid"]: jwk for jwk in self.jwks.values()}
        return self._signing_as(PROVINCE, _ShownProvincialSystem, bar=bar, sender_keys=keys)

    def _signing_as(self, name: str, party: Callable[..., P], **more: Any) -> P:
        """The mock ``party`` that signs as ``name`` with its demo key, on this hub's session."""
        key = party_key(self.settings, name)
        return party(self.base_url, key=key, sender=name, session=self.session, **more)

    def staff(self, name: str) -> StaffMember:
        return StaffMember(
            self.base_url,
            key=party_key(self.settings, name),
            actor_id=name,
            role=PARTIES[name].role,
            session=self.session,
        )


async def _bulk_exchange(
    parties: _Parties, reports: int, out: TextIO
) -> tuple[PushSummary, PullSummary]:
    pushed = await _with_bar(
        parties.progress,
        reports + 1,
        "messages pushed",
        lambda bar: parties.reporting_system(bar).run(reports),
    )
    print(
        f"pushed {pushed.pushed}: {pushed.accepted} accepted, "
        f"{pushed.duplicates} duplicates, {pushed.rejected} rejected",
        file=out,
    )
    pulled = await _with_bar(
        parties.progress,
        pushed.accepted,
        "reports pulled and re-verified",
        lambda bar: parties.province(bar).pull_all("reports"),
    )
    print(
        f"pulled {pulled.pulled} in {pulled.pages} pages, {pulled.verified} re-verified", file=out
    )
    return pushed, pulled


async def _with_bar(
    stream: TextIO | None, total: int, unit: str, work: Callable[[ProgressBar | None], Awaitable[T]]
) -> T:
    """Run ``work`` with a progress bar of ``total`` ``unit`` on ``stream`` (none if None)."""
    bar = ProgressBar(stream, total, unit) if stream is not None else None
    try:
        return await work(bar)
    finally:
        if bar is not None:
            bar.done()


class _ShownReportingSystem(ReportingSystem):
    """The mock city platform, advancing a progress bar with each answer it gets."""

    def __init__(self, *args: Any, bar: ProgressBar | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bar = bar

    async def push(self, token: bytes, summary: PushSummary) -> None:
        """Push one message, then count it."""
        await super().push(token, summary)
        if self._bar is not None:
            self._bar.advance(1)


class _ShownProvincialSystem(ProvincialSystem):
    """The mock provincial system, advancing a progress bar with each record it checks."""

    def __init__(self, *args: Any, bar: ProgressBar | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bar = bar

    def check(self, item: Mapping[str, Any], hub_jwks: Mapping[str, Any]) -> str | None:
        """Re-verify one pulled record, then count it."""
        problem = super().check(item, hub_jwks)
        if self._bar is not None:
            self._bar.advance(1)
        return problem


async def _death_case(parties: _Parties, departments: RunningMocks, out: TextIO) -> CaseSummary:
    case = await run_death_case(
        parties.base_url,
        parties.session,
        city=parties.reporting_system(),
        province=parties.province(),
        town=parties.staff(TOWN),
        county=parties.staff(COUNTY),
    )
    sms = await _wait_for(lambda: case.notice_id in departments.sms.sent)
    print(
        f"death case: terminated from {case.termination_from}, overpaid "
        f"{case.overpaid_months} months = {case.overpaid_amount} yuan; family SMS "
        f"{'delivered by the gateway' if sms else 'NOT delivered'}; {case.outcomes_verified} "
        f"hub-signed outcomes and {case.decisions_verified} decisions re-verified by the province",
        file=out,
    )
    return case if sms else replace(case, outcomes_verified=0)


async def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def _mock_departments(data_dir: Path) -> MocksConfig:
    free = MockSettings(port=0)
    return MocksConfig(key_dir=data_dir / "mocks", eid=free, ministry=free, sms=free)


async def _verify_audit(settings: Settings) -> AuditReport:
    keyring = HubKeyring.load_or_create(settings.keys_dir)
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in keyring.jwks()["keys"]}
    ledger = await open_ledger(settings, read_only=True)
    try:
        trust = TrustStore.load(settings.trust_store_path)
        return await verify_ledger(ledger, trust=trust, hub_keys=hub_keys)
    finally:
        await ledger.aclose()


def _enrol_parties(settings: Settings) -> dict[str, dict[str, Any]]:
    """Give every mock party a key and enrol it; return their public JWKs by party."""
    return {
        name: json.loads(enrol_party(settings, name, party).read_text())
        for name, party in PARTIES.items()
    }
