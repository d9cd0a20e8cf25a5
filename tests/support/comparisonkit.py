"""Test kit for the comparison in the ledger: a hub's data folder, people on its roster, and
each month's civil-affairs feed, run by ``certhub compare run`` and read by an office."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Self

import pytest
from latekit import label
from procedurekit import PARTIES, Office, today, trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.cli.main import main
from certhub.hub.comparison import bulk_fast, bulk_record, recording
from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.certify import NOON, rows
from certhub.hub.comparison.engine import ComparisonRun, RunOptions, run_comparison
from certhub.hub.core.settings import Settings
from certhub.hub.ingress import pipeline
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.runtime.app import create_app
from certhub.mocks.population import Population
from certhub.schemas import common
from certhub.security import SigningKey, jws

HEADER = ",".join(FEED_COLUMNS) + "\n"


@contextmanager
def clock_past_noon(day: date) -> Iterator[None]:
    """Inside the block the comparison's clocks (the run's "now" a sighting is judged
    against, the ledger's ``received_at``, the JWS's ``iat``) read no earlier than noon
    (China time) of ``day``, ticking on from there; unchanged when that noon is past.

    The comparison dates a certification noon of the day the person was seen and refuses a
    time more than 5 minutes ahead of its clock, so a sighting of today compared before
    noon certifies nobody (the 1st of a month, when the month's only day so far is today).
    """
    ahead = max(datetime.combine(day, NOON) - datetime.now(UTC), timedelta(0))

    class Ahead(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Ahead:
            return cls.fromtimestamp((datetime.now(UTC) + ahead).timestamp(), tz)

    with pytest.MonkeyPatch.context() as patch:
        # the models' validators judge against ``common``'s clock when given no "now"
        for module in (bulk_fast, bulk_record, recording, pipeline, common):
            patch.setattr(module, "datetime", Ahead)
        patch.setattr(
            jws, "time", SimpleNamespace(time=lambda: time.time() + ahead.total_seconds())
        )
        yield


def roster_csv(people: list[dict[str, Any]]) -> str:
    """A comparison run's ``roster.csv`` listing ``people`` (with its header)."""
    return "id_number,name,county,village\n" + "".join(
        f"{p['id_number']},{p['name']},{p['region']['county']},\n" for p in people
    )


@dataclass
class ComparisonCase:
    """A data folder whose trust store has a party in every procedure role, the people on
    every month's roster, and one civil-affairs feed per month (``<tmp>/<period>/``)."""

    tmp: Path
    settings: Settings
    keys: dict[str, SigningKey]
    people: list[dict[str, Any]]
    opened: int = 0

    @classmethod
    def prepare(cls, tmp: Path, people: list[dict[str, Any]], feeds: dict[str, str]) -> Self:
        """The case of ``people`` with ``feeds`` (period → the civil-affairs rows, no header)."""
        keys = {party: SigningKey.generate() for party in PARTIES}
        settings = Settings(data_dir=tmp / "data", identity_check="off")
        settings.data_dir.mkdir(parents=True)
        trust_store(keys).save(settings.trust_store_path)
        roster = roster_csv(people)
        for period, feed in feeds.items():
            folder = tmp / period
            folder.mkdir()
            (folder / "roster.csv").write_text(roster, encoding="utf-8")
            (folder / "civil_affairs.csv").write_text(HEADER + feed, encoding="utf-8")
        return cls(tmp, settings, keys, people)

    @classmethod
    def one_person(cls, tmp: Path, seed: int, database_url: str | None = None) -> Self:
        """The case of one person of the mock population (``Population(seed=seed)``), no
        feed yet, :meth:`on_ledger` ``database_url``'s ledger."""
        return cls.prepare(tmp, [Population(seed=seed).person()], {}).on_ledger(database_url)

    @property
    def person(self) -> dict[str, Any]:
        """The person of a one-person case."""
        (only,) = self.people
        return only

    def on_ledger(self, database_url: str | None) -> Self:
        """The case's runs and offices on ``database_url``'s ledger (None: the data folder's
        SQLite ledger, as prepared)."""
        self.settings = Settings(
            data_dir=self.settings.data_dir, identity_check="off", database_url=database_url
        )
        return self

    async def compare(self, period: str) -> dict[str, Any]:
        """``certhub compare run`` for ``period`` (its feeds in ``<tmp>/<period>/``) on the
        case's ledger; the summary's ledger section."""
        argv = ["compare", "run", "--period", period, "--input", str(self.tmp / period),
                "--data", str(self.settings.data_dir)]  # fmt: skip
        if (url := self.settings.database_url) is not None:
            argv += ["--database-url", url.get_secret_value()]
        assert await asyncio.to_thread(main, argv) == 0
        return self.last_run(period)

    def last_run(self, period: str) -> dict[str, Any]:
        """The ledger section of the summary the last :meth:`compare` of ``period`` wrote."""
        path = self.settings.data_dir / "comparison-runs" / f"{period}-all.json"
        ledger: dict[str, Any] = json.loads(path.read_text())["ledger"]
        return ledger

    async def compare_health(self, period: str, health: str) -> dict[str, Any]:
        """:meth:`compare` of ``period`` with health's feed rows ``health`` (no header), the
        case's people on the roster and no civil-affairs rows: the summary's ledger section."""
        self._health_feeds(period, health)
        return await self.compare(period)

    def run_health(self, period: str, health: str) -> ComparisonRun:
        """The comparison of ``period`` with health's feed rows ``health`` (no header), the
        case's people on the roster and no civil-affairs rows, run but not recorded (the
        test records it, as a hub's partition job does)."""
        folder = self._health_feeds(period, health)
        runs = self.settings.data_dir / "comparison-runs"
        return run_comparison(folder, runs, period, options=RunOptions())

    def _health_feeds(self, period: str, health: str) -> Path:
        """``<tmp>/<period>/`` with the roster, no civil-affairs rows and health's ``health``."""
        folder = self.tmp / period
        folder.mkdir(exist_ok=True)
        (folder / "roster.csv").write_text(roster_csv(self.people), encoding="utf-8")
        (folder / "civil_affairs.csv").write_text(HEADER, encoding="utf-8")
        (folder / "health.csv").write_text(HEADER + health, encoding="utf-8")
        return folder

    async def office(self, aiohttp_client: Any) -> Office:
        """The hub running on the data folder; its message ids follow the last office's."""
        client = await aiohttp_client(create_app(self.settings, registry=CollectorRegistry()))
        self.opened += 1
        return Office(client, self.settings, self.keys, counter=1000 * self.opened)


async def seen_in_one_batch(
    tmp: Path, ledger_url: str | None, aiohttp_client: Any, certified: tuple[int, ...], period: str
) -> tuple[Office, list[dict[str, Any]], ComparisonRun]:
    """People of ``Population(seed=61)`` in id-number order, one per entry of ``certified``,
    on the roster (paid through M(-3)), the n-th last certified in the app on the 15th of
    M(``certified[n]``); health's visits of all of them on the 5th of ``period``, compared
    but not recorded, the bulk path's one batch in that order (asserted): an open office on
    ``ledger_url``'s ledger, the people and the run."""
    population = Population(seed=61)
    people = sorted((population.person() for _ in certified), key=lambda p: p["id_number"])
    case = ComparisonCase.prepare(tmp, people, {}).on_ledger(ledger_url)
    office = await case.office(aiohttp_client)
    for person, months in zip(people, certified, strict=True):
        await office.roster(person, paid_through=label(-3))
        await office.certified_in_app(person, f"{label(months)}-15T10:00:00+08:00")
    seen = "".join(
        f"H{n},{p['id_number']},某人,,,medical_visit,{period}-05,\n" for n, p in enumerate(people)
    )
    run = case.run_health(period, seen)
    batches = [[row[0] for row in batch] for batch in rows(run.certifications, 100)]
    assert batches == [[p["id_number"] for p in people]]
    return office, people, run


async def confirmed_death(office: Office, died: date) -> str:
    """The one open death task, confirmed by the county with the date ``died``: its id."""
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = page["items"]
    status, body = await office.step(
        task["task_id"], "county-1", "confirmed", event_date=died.isoformat()
    )
    assert status == 202, body
    return str(task["task_id"])


async def confirmed_on(
    case: ComparisonCase, aiohttp_client: Any, first: str, died: date, paid_through: str
) -> str:
    """``case``'s run of ``first`` opens its one person's death task; on an office of its own
    (closed after) the roster pays through ``paid_through`` and the county confirms the death
    with ``died``: the task."""
    assert (await case.compare(first))["reports"] == {"task_opened": 1}
    office = await case.office(aiohttp_client)
    await office.roster(case.person, paid_through=paid_through)
    task = await confirmed_death(office, died)
    await office.client.close()
    return task


async def exempt_certified(
    tmp: Path,
    database_url: str | None,
    aiohttp_client: Any,
    *,
    seed: int,
    count: int,
    **roster: Any,
) -> tuple[ComparisonCase, list[dict[str, Any]]]:
    """``count`` people of the mock population (``Population(seed=seed)``), by ID number, on
    the roster (``roster``: its fields), last certified in the app on the 15th of M(-16) (due
    M(-4): overdue), then certified (免办) by the M(-1) comparison on health's medical visits
    ``H<n>`` of the 5th of M(-1) (due M(+11)), a 免办 notice queued each: the case on
    ``database_url``'s ledger and its people."""
    population = Population(seed=seed)
    people = sorted((population.person() for _ in range(count)), key=lambda p: p["id_number"])
    case = ComparisonCase.prepare(tmp, people, {}).on_ledger(database_url)
    office = await case.office(aiohttp_client)
    now = month_index(today())
    for person in people:
        await office.roster(person, **roster)
        await office.certified_in_app(person, f"{month_label(now - 16)}-15T10:00:00+08:00")
    await office.client.close()
    m1 = month_label(now - 1)
    seen = "".join(
        f"H{n},{p['id_number']},某人,,,medical_visit,{m1}-05,\n" for n, p in enumerate(people, 1)
    )
    assert (await case.compare_health(m1, seen))["recorded"] == count
    return case, people
