"""``make demo``: a real end-to-end exchange on the embedded default.

The hub runs in this process on 127.0.0.1 (SQLite ledger, its own keys); a
mock city reporting platform signs and pushes a few hundred reports over
HTTP; a mock provincial system pulls everything by cursor and re-verifies
every signature and receipt on its own. The summary says whether the
numbers add up.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import aiohttp
from aiohttp import web

from hub.app import create_app
from hub.settings import Settings
from mocks.local_reporting import PushSummary, ReportingSystem
from mocks.provincial import ProvincialSystem, PullSummary
from security import create_sender_key, read_private_key, trust_add

REPORTER = "yunfu-platform"
PROVINCE = "gd-provincial"
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

    @property
    def ok(self) -> bool:
        """Every accepted report was pulled and verified; only the bad ones refused."""
        return (
            self.pulled.pulled == self.pushed.accepted
            and self.pulled.verified == self.pulled.pulled
            and self.pushed.rejected == EXPECTED_REJECTIONS
            and not self.pulled.failures
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
            "seconds": round(self.seconds, 2),
            "data_dir": str(self.data_dir),
        }


async def run_demo(data_dir: Path | None, *, reports: int, out: TextIO = sys.stderr) -> DemoSummary:
    """Run the whole exchange and return its summary."""
    started = time.perf_counter()
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="certhub-demo-"))
    settings = Settings(data_dir=data_dir, port=0)
    reporter_jwk = _enrol_parties(settings)
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    base_url = f"http://{host}:{port}"
    print(f"hub listening on {base_url}, data in {data_dir}", file=out)
    try:
        async with aiohttp.ClientSession() as session:
            city = ReportingSystem(
                base_url,
                key=read_private_key(data_dir / "parties" / f"{REPORTER}.key.pem"),
                sender=REPORTER,
                session=session,
            )
            pushed = await city.run(reports)
            print(
                f"pushed {pushed.pushed}: {pushed.accepted} accepted, "
                f"{pushed.duplicates} duplicates, {pushed.rejected} rejected",
                file=out,
            )
            province = ProvincialSystem(
                base_url,
                key=read_private_key(data_dir / "parties" / f"{PROVINCE}.key.pem"),
                sender=PROVINCE,
                session=session,
                sender_keys={reporter_jwk["kid"]: reporter_jwk},
            )
            pulled = await province.pull_all("reports")
            print(
                f"pulled {pulled.pulled} in {pulled.pages} pages, {pulled.verified} re-verified",
                file=out,
            )
    finally:
        await runner.cleanup()
    return DemoSummary(data_dir, pushed, pulled, time.perf_counter() - started)


def _enrol_parties(settings: Settings) -> dict[str, Any]:
    """Give the two mock parties keys and enrol them; return the reporter's public JWK."""
    parties = settings.data_dir / "parties"
    _, reporter_public = create_sender_key(REPORTER, parties)
    _, province_public = create_sender_key(PROVINCE, parties)
    trust_add(
        settings.trust_store_path,
        reporter_public,
        sender=REPORTER,
        may_send=["eligibility_report/v1", "zero_report/v1"],
        may_read=False,
        role="reporting_system",
    )
    trust_add(
        settings.trust_store_path,
        province_public,
        sender=PROVINCE,
        may_send=[],
        may_read=True,
        role="provincial_system",
    )
    reporter: dict[str, Any] = json.loads(reporter_public.read_text())
    return reporter
