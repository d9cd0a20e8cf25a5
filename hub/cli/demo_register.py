"""The demo's certification register: a province on the roster; who is certified, due, overdue.

After the accountability month (whose figures stay its own), the comparison
demo's synthetic province goes onto the roster in bulk, as ``certhub roster
import`` loads it (:func:`~certhub.hub.cli.roster.import_roster_file`): every
roster row but the people the generator made dead, emigrated or paid twice,
238.00 a month, paid through last month. Of those the comparison did not
certify (免办), the first few are planted in the states the lists exist for:
three suspended since 400 days ago (the clean-up list), three since the 1st of
last month (suspended for non-certification). Then, over the real HTTP API of
a hub on the demo's data folder, a channel app records passed face
certifications of four others on the 15th of the month 11 and 10 months ago
(due this month or within the next two) and of two 14 months ago (overdue);
the provincial system reads ``GET /v1/register/summary`` before the import and
after the certifications, and the first entries of each list. The test
(``tests/register/test_demo_register.py``) checks every difference against the
roster file and the generator's truth, computed on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TextIO

import aiohttp
from prometheus_client import CollectorRegistry

from certhub.hub.cli.demo_month_messages import MONTHLY, certification, months_ago, noon, today
from certhub.hub.cli.demo_stage import DemoParty, enrol_parties, party_key, read_json, serving
from certhub.hub.cli.roster import import_roster_file
from certhub.hub.core.settings import Settings
from certhub.hub.rules.months import month_index, month_label, month_start
from certhub.hub.rules.notices import masked_name
from certhub.mocks.hub_client import HubClient
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.schemas.resident_id import InvalidResidentId, mask_resident_id, validate_resident_id

__all__ = ["LISTS", "Planted", "RegisterDemo", "run_register_demo"]

CHANNEL, PROVINCE = "gdrs-app-register", "gd-provincial-register"
PARTIES: Final[dict[str, DemoParty]] = {
    CHANNEL: DemoParty("channel", ["certification_event/v1"], False),
    PROVINCE: DemoParty("provincial_system", ["benefit_record/v1"], True),
}
NOT_ON_ROSTER: Final = frozenset({"died", "emigrated", "other_pension", "wrong_death"})
"""The generator's fates whose people the province no longer pays: left off the roster."""
ACCOUNT: Final = "6222***********0123"  # masked, as the province sends it
LISTS: Final = ("due", "overdue", "suspended", "long-suspended")
LONG_AGO_DAYS: Final = 400  # suspended more than 365 days: the clean-up list
CERTIFIED_MONTHS_AGO: Final = {"due": (11, 11, 10, 10), "overdue": (14, 14)}
"""Months before this one of the planted certifications: 11 and 10 → due month M+1, M+2
(a certification in M covers M+1..M+12); 14 → due M-2, overdue."""


@dataclass(frozen=True)
class Planted:
    """Whom the stage put in which state, by ID number."""

    long_suspended: tuple[str, ...]
    suspended: tuple[str, ...]  # since the 1st of last month
    due: tuple[str, ...]
    overdue: tuple[str, ...]


@dataclass(frozen=True)
class RegisterDemo:
    """The register's summary before and after, and the first entries of each list."""

    roster_file: Path
    planted: Planted
    before: Mapping[str, int]
    after: Mapping[str, int]
    samples: Mapping[str, list[dict[str, Any]]]

    @property
    def added(self) -> dict[str, int]:
        """What the stage changed, state by state."""
        return {name: self.after[name] - self.before.get(name, 0) for name in self.after}

    @property
    def ok(self) -> bool:
        """Every planted state shows in the register's counts and in its list."""
        added = self.added
        return (
            added["due"] == len(self.planted.due)
            and added["long_suspended"] == len(self.planted.long_suspended)
            and added["suspended"] == len(self.planted.suspended + self.planted.long_suspended)
            and all(self.samples.get(name) for name in LISTS)
        )


@dataclass(frozen=True)
class _Province:
    """The comparison demo's province as the generator wrote it: its roster rows but the
    people its truth says are gone, and every ID number the truth names (seen in a feed)."""

    rows: list[dict[str, str]]
    seen: frozenset[str]

    @classmethod
    def read(cls, folder: Path) -> _Province:
        with (folder / "truth" / "people.csv").open(encoding="utf-8", newline="") as truth:
            people = list(csv.DictReader(truth))
        gone = {row["id_number"] for row in people if row["fate"] in NOT_ON_ROSTER}
        with (folder / "roster.csv").open(encoding="utf-8", newline="") as roster:
            rows = [row for row in csv.DictReader(roster) if row["id_number"] not in gone]
        return cls(rows, frozenset(row["id_number"] for row in people))


def _planted(province: _Province, on: date) -> Planted:
    """Whom to plant: the first valid ID numbers, in file order, of people on the roster
    the comparison neither certified nor saw at all (no record in any feed)."""
    chosen: list[str] = []
    for row in province.rows:
        number = row["id_number"]
        if number in province.seen or number in chosen:
            continue
        try:
            validate_resident_id(number, today=on)
        except InvalidResidentId:
            continue
        chosen.append(number)
        if len(chosen) == 12:
            break
    return Planted(tuple(chosen[:3]), tuple(chosen[3:6]), tuple(chosen[6:10]), tuple(chosen[10:]))


def _write_roster(province: _Province, out: Path, planted: Planted, on: date) -> None:
    """The roster file the province would send: the comparison's, with the plants."""
    long_ago = (on - timedelta(days=LONG_AGO_DAYS)).isoformat()
    last_month = month_start(month_index(on) - 1).isoformat()
    since = dict.fromkeys(planted.long_suspended, long_ago) | dict.fromkeys(
        planted.suspended, last_month
    )
    columns = ["id_number", "name", "county", "village", "status", "monthly_amount"]
    columns += ["paid_through", "bank_account_on_file", "suspended_since"]
    paid = month_label(month_index(on) - 1)
    with out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        for row in province.rows:
            stopped = since.get(row["id_number"], "")
            status = "suspended" if stopped else "active"
            writer.writerow([
                row["id_number"], row["name"], row["county"], row["village"], status, MONTHLY,
                paid, ACCOUNT, stopped,
            ])  # fmt: skip


async def run_register_demo(settings: Settings, period: str, out: TextIO) -> RegisterDemo:
    """Put the comparison demo's province of ``period`` on the roster and read the register."""
    enrol_parties(settings, PARTIES)
    province = _Province.read(settings.data_dir / "comparison-demo" / period)
    on = today()
    planted = _planted(province, on)
    roster_file = settings.data_dir / "register-demo-roster.csv"
    _write_roster(province, roster_file, planted, on)
    hub_settings = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        port=0,
        ministry_pull_seconds=0,
        metrics_port=None,
        signature_helper=False,
    )
    async with _hub(hub_settings) as reader:
        before = await reader.summary()
    moment = datetime.now(CHINA_STANDARD_TIME)
    imported = await asyncio.to_thread(import_roster_file, hub_settings, roster_file, moment)
    async with _hub(hub_settings) as reader:
        people = {row["id_number"]: row for row in province.rows}
        for state, ago in CERTIFIED_MONTHS_AGO.items():
            for number, months in zip(getattr(planted, state), ago, strict=True):
                await reader.certify(people[number], noon(months_ago(months)))
        after = await reader.summary()
        samples = {name: await reader.first(name) for name in LISTS}
    result = RegisterDemo(roster_file, planted, before, after, samples)
    _print(result, imported.roster.accepted, out)
    return result


class _Reader:
    """The province reading the register, and a channel app certifying, over the HTTP API."""

    def __init__(self, url: str, session: aiohttp.ClientSession, settings: Settings) -> None:
        self.url, self.session = url, session
        self.keys = {name: party_key(settings, name) for name in PARTIES}
        self.sent = 0

    async def certify(self, row: Mapping[str, str], when: datetime) -> None:
        person = {
            "id_number": row["id_number"],
            "name": row["name"],
            "region": {"county": row["county"], "village": row["village"]},
        }
        self.sent += 1
        client = HubClient(self.url, key=self.keys[CHANNEL], sender=CHANNEL, session=self.session)
        jti = f"register-demo-{datetime.now(UTC):%Y%m%d%H%M%S%f}-{self.sent}"
        await client.post_signed(
            "/v1/certifications", client.sign(certification(person, when), jti=jti)
        )

    async def read(self, path: str, **params: str) -> Any:
        return await read_json(
            self.session, self.url, self.keys[PROVINCE], PROVINCE, path, **params
        )

    async def summary(self) -> dict[str, int]:
        return dict((await self.read("/v1/register/summary"))["people"])

    async def first(self, name: str) -> list[dict[str, Any]]:
        params = {"limit": "3"} | ({"within": "3"} if name == "due" else {})
        return list((await self.read(f"/v1/register/{name}", **params))["items"])


@contextlib.asynccontextmanager
async def _hub(settings: Settings) -> AsyncIterator[_Reader]:
    """A hub serving ``settings`` for one step, and the parties at it."""
    async with (
        serving(settings, registry=CollectorRegistry()) as (_, url),
        aiohttp.ClientSession() as session,
    ):
        yield _Reader(url, session, settings)


def _print(result: RegisterDemo, accepted: int, out: TextIO) -> None:
    after, added = result.after, result.added
    print(
        f"register: the province's roster imported ({accepted} people, 238.00 a month); "
        f"on the roster {after['on_roster']}: certified for the cycle {after['certified']}, "
        f"due within 3 months {after['due']}, overdue {after['overdue']}, never certified "
        f"{after['not_certified']}, suspended {after['suspended']} (for non-certification "
        f"{after['suspended_not_certified']}, more than a year {after['long_suspended']}), "
        f"terminated {after['terminated']}; the import added {added['on_roster']}",
        file=out,
    )
    for name in LISTS:
        for item in result.samples.get(name, [])[:2]:
            print(f"  {name:<14} {_entry(item)}", file=out)


def _entry(item: Mapping[str, Any]) -> str:
    """One list entry on a line, the ID number and the name masked."""
    person, last = item["person"], item["last_certification"]
    words = [mask_resident_id(person["id_number"]), masked_name(person["name"]), person["area"]]
    if item["status"] == "not_certified":
        words.append("never certified")
    if last is not None:
        words.append(f"last certified {last['on']} ({last['method']})")
    if item["due_month"] is not None:
        words.append(f"due {item['due_month']}, liable from {item['liable_from']}")
    if item["suspended_since"] is not None:
        words.append(f"suspended since {item['suspended_since']}")
    return " ".join(words)
