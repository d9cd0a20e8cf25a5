"""Issue 17: a voided termination becomes a restoration proposal under review, restored on approval.

Civil affairs sends a (false) cremation record per person through ``certhub
compare run``; the county confirms each death and the hub terminates the
benefits. Next month civil affairs voids every record: the comparison opens
one ``restoration_proposal/v1`` per person, an item under review. Town staff
accept, the county (the city after a year) approves, and only then the hub
signs the restoration of the months unpaid at the roster's 238.00 a month,
lifts its closure and refunds what was recovered. Figures are fixed here: a
month's back pay is 238.00.
"""

from __future__ import annotations

import asyncio
import calendar
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from procedurekit import PARTIES, Office, restoration, today, trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.cli.main import main
from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.core.keys import STORE
from certhub.hub.core.settings import Settings
from certhub.hub.rules.months import month_index, month_label, parse_month
from certhub.hub.runtime.app import create_app
from certhub.mocks.population import Population
from certhub.security import SigningKey

PROBLEM = "urn:certhub:problem:"
THIS_MONTH = month_label(month_index(today()))
DIED_IN = month_label(month_index(today()) - 2)
VOIDED_IN = month_label(month_index(today()) - 1)
DIED = parse_month(DIED_IN) + timedelta(days=2)
EARLIER = parse_month(month_label(month_index(today()) - 3)) + timedelta(days=2)


@dataclass
class _Scene:
    """A data folder, its trust store and people whose deaths civil affairs records, then voids."""

    tmp: Path
    settings: Settings
    keys: dict[str, SigningKey]
    people: list[dict[str, Any]]
    died: dict[str, date] = field(default_factory=dict)
    opened: int = 0

    @classmethod
    def make(cls, tmp: Path, died: list[date], *, recorded_in: str = DIED_IN) -> _Scene:
        keys = {party: SigningKey.generate() for party in PARTIES}
        settings = Settings(data_dir=tmp / "data", identity_check="off")
        settings.data_dir.mkdir(parents=True)
        trust_store(keys).save(settings.trust_store_path)
        population = Population(seed=17)
        people = [population.person() for _ in died]
        roster = "id_number,name,county,village\n" + "".join(
            f"{p['id_number']},{p['name']},{p['region']['county']},\n" for p in people
        )
        header = ",".join(FEED_COLUMNS) + "\n"
        feeds = {
            recorded_in: "".join(
                f"C{n},{p['id_number']},某人,,,cremation,{day.isoformat()},\n"
                for n, (p, day) in enumerate(zip(people, died, strict=True))
            ),
            VOIDED_IN: "".join(
                f"V{n},{p['id_number']},某人,,,void,{VOIDED_IN}-02,C{n}\n"
                for n, p in enumerate(people)
            ),
        }
        for period, feed in feeds.items():
            folder = tmp / period
            folder.mkdir()
            (folder / "roster.csv").write_text(roster, encoding="utf-8")
            (folder / "civil_affairs.csv").write_text(header + feed, encoding="utf-8")
        scene = cls(tmp, settings, keys, people)
        scene.died = {p["id_number"]: day for p, day in zip(people, died, strict=True)}
        return scene

    async def compare(self, period: str) -> dict[str, Any]:
        """``certhub compare run`` for ``period``; the summary's ledger section."""
        argv = ["compare", "run", "--period", period, "--input", str(self.tmp / period),
                "--data", str(self.settings.data_dir)]  # fmt: skip
        assert await asyncio.to_thread(main, argv) == 0
        path = self.settings.data_dir / "comparison-runs" / f"{period}-all.json"
        ledger: dict[str, Any] = json.loads(path.read_text())["ledger"]
        return ledger

    async def office(self, aiohttp_client: Any) -> Office:
        """The hub running on the data folder; its message ids follow the last office's."""
        client = await aiohttp_client(create_app(self.settings, registry=CollectorRegistry()))
        self.opened += 1
        return Office(client, self.settings, self.keys, counter=1000 * self.opened)

    async def terminated(
        self, aiohttp_client: Any, rosters: dict[str, dict[str, Any]] | None = None
    ) -> dict[str, str]:
        """Each person's death task confirmed by the county, with the roster before it
        (``rosters`` by ID number: changes to an active entry paid through the death's
        month); the task id of each person."""
        rosters = rosters or {}
        office = await self.office(aiohttp_client)
        status, page = await office.get("/v1/verification-tasks", status="open")
        assert status == 200, page
        tasks = {t["person"]["id_number"]: t["task_id"] for t in page["items"]}
        assert set(tasks) == set(self.died)
        for person in self.people:
            number = person["id_number"]
            month = self.died[number].strftime("%Y-%m")
            await office.roster(person, **({"paid_through": month} | rosters.get(number, {})))
            step = await office.step(
                tasks[number], "county-1", "confirmed", event_date=self.died[number].isoformat()
            )
            assert step[0] == 202, step
        await office.client.close()
        return tasks


async def outcomes(office: Office, message_type: str) -> list[dict[str, Any]]:
    """The hub-signed records of ``message_type`` in the provincial pull."""
    status, body = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, body
    return [item for item in body["items"] if item["type"] == message_type]


async def proposals(office: Office) -> dict[str, dict[str, Any]]:
    """The restoration proposals by the ID number they name."""
    found = await outcomes(office, "restoration_proposal/v1")
    return {p["payload"]["person"]["id_number"]: p for p in found}


async def audited(office: Office, action: str) -> list[str]:
    """Subjects of the audit entries of ``action``."""
    entries = await office.client.app[STORE].audit_entries(0, 100_000)
    return [e.subject for e in entries if e.action == action]


async def listed(office: Office, **query: str) -> list[tuple[int, str]]:
    """(item, status) of each restoration proposal the readers' list shows for ``query``."""
    status, page = await office.get("/v1/restoration-proposals", **query)
    assert status == 200, page
    assert all(p["type"] == "restoration_proposal/v1" for p in page["items"])
    return [(p["sequence"], p["status"]) for p in page["items"]]


def _other_county(person: dict[str, Any]) -> str:
    return "440104" if person["region"]["county"] != "440104" else "440105"


def last_day(month: str) -> str:
    """The last day of ``month`` (YYYY-MM), computed apart from the code under test."""
    year, number = (int(part) for part in month.split("-"))
    return f"{month}-{calendar.monthrange(year, number)[1]:02d}"


async def test_a_voided_termination_is_proposed_once_and_restored_only_when_the_county_approves(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = _Scene.make(tmp_path, [DIED])
    (person,) = scene.people
    number = person["id_number"]
    assert (await scene.compare(DIED_IN))["reports"] == {"task_opened": 1}
    (task_id,) = (await scene.terminated(aiohttp_client)).values()
    office = await scene.office(aiohttp_client)
    # the province applies the termination: it stops paying after the death's month
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    await office.client.close()

    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"already": 1}  # re-run: nothing new
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    (proposal,) = (await proposals(office)).values()  # one, whatever the re-runs
    assert proposal["status"] == "received"
    assert proposal["message_id"] == f"restoration-proposal:{task_id}"
    payload = proposal["payload"]
    assert (payload["task_id"], payload["reason"]) == (task_id, "death")
    assert payload["effective_from"] == DIED.isoformat()
    assert payload["withdrawn"] == ["civil_affairs:C0"]
    item = proposal["sequence"]
    assert await listed(office, region=person["region"]["county"]) == [(item, "received")]
    assert await listed(office, region=_other_county(person)) == []
    assert await outcomes(office, "restoration/v1") == []  # proposed is not restored
    assert await store.closed_benefit(number) is not None

    decide = office.decide
    status, body = await decide("restoration-proposals", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "decision-out-of-order"), body
    assert (await decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    status, body = await decide("restoration-proposals", item, "town-1", "approve")
    assert (status, body["type"]) == (403, PROBLEM + "same-actor"), body
    status, body = await decide("restoration-proposals", item, "town-2", "approve")
    assert (status, body["type"]) == (403, PROBLEM + "county-approval-required"), body
    assert await store.closed_benefit(number) is not None
    status, body = await decide("restoration-proposals", item, "county-1", "approve")
    assert status == 202, body

    (restored,) = await outcomes(office, "restoration/v1")
    signed = restored["payload"]
    assert signed["person"]["id_number"] == number
    assert signed["suspended_since"] == DIED.isoformat()  # the day the termination took effect
    assert signed["restore_from"] == f"{THIS_MONTH}-01"
    # the death's month was paid (payable); last month is the one month unpaid
    assert (signed["back_pay_from"], signed["back_pay_to"]) == (
        f"{VOIDED_IN}-01",
        last_day(VOIDED_IN),
    )
    assert (signed["monthly_amount"], signed["back_pay_amount"]) == ("238.00", "238.00")
    assert "bank_account" not in signed or signed["bank_account"] is None  # the account on file
    assert signed["bank_account_on_file"] == "6222***********0123"
    assert [a["id"] for a in signed["approvals"]] == ["town-1", "county-1"]
    assert signed["requested_by"]["id"] == "adapter:comparison"
    assert await store.closed_benefit(number) is None
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
    assert await audited(office, "closure_lifted") == [task_id]
    _, task = await office.get(f"/v1/verification-tasks/{task_id}")
    assert task["status"] == "confirmed"
    assert "the termination is withdrawn" in task["remarks"]
    assert (await proposals(office))[number]["status"] == "approved"
    assert await listed(office) == []  # nothing open any more
    assert await listed(office, status="approved") == [(item, "approved")]
    status, body = await decide("restoration-proposals", item, "county-2", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "decision-out-of-order"), body


async def test_a_restoration_staff_file_and_the_proposal_never_pay_a_month_twice(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = _Scene.make(tmp_path, [DIED, EARLIER])
    first, second = scene.people
    await scene.compare(DIED_IN)
    # the second died a month earlier, paid through DIED_IN: one month (238.00) overpaid
    tasks = await scene.terminated(aiohttp_client, {second["id_number"]: {"paid_through": DIED_IN}})
    office = await scene.office(aiohttp_client)
    overpaid = tasks[second["id_number"]]
    status, body = await office.post(
        f"/v1/overpayments/{overpaid}/recoveries", "det-1", recovery(overpaid, "238.00")
    )
    assert status == 202, body
    for person in scene.people:
        await office.roster(person, status="terminated", paid_through=DIED_IN)
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 2}
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    items = {n: p["sequence"] for n, p in (await proposals(office)).items()}
    status, page = await office.get("/v1/restoration-proposals", limit="1")
    assert (status, page["has_more"]) == (200, True), page
    status, rest = await office.get("/v1/restoration-proposals", after=page["next_cursor"])
    assert (status, rest["has_more"]) == (200, False), rest
    paged = [p["sequence"] for p in page["items"] + rest["items"]]
    assert paged == sorted(items.values())
    status, body = await office.get("/v1/restoration-proposals", status="closed")
    assert (status, body["type"]) == (400, PROBLEM + "invalid-parameter"), body

    # first: staff file the same months while the proposal is open
    status, body = await office.post("/v1/restorations", "town-1", restoration(first, DIED))
    assert status == 202, body
    filed = int(body["sequence"])
    item = items[first["id_number"]]
    assert (await office.decide("restoration-proposals", item, "town-2", "accept"))[0] == 202
    before = await office.ledger_size()
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "months-already-counted"), body
    assert await office.ledger_size() == before
    assert await store.closed_benefit(first["id_number"]) is not None
    # staff withdraw theirs (rejected: its months are free), and the proposal restores
    assert (await office.decide("restorations", filed, "town-1", "reject"))[0] == 202
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert status == 202, body
    assert await store.counted_months(first["id_number"], "back_paid") == {VOIDED_IN}

    # second: the staff-filed restoration is approved first; the proposal has nothing left.
    # DIED_IN was paid (then recovered: refunded instead), so it is not back pay
    filing = restoration(second, EARLIER)
    status, body = await office.post("/v1/restorations", "town-1", filing)
    assert (status, body["type"]) == (422, PROBLEM + "restoration-period-invalid"), body
    filing |= {"back_pay_from": f"{VOIDED_IN}-01", "back_pay_amount": "238.00"}
    status, body = await office.post("/v1/restorations", "town-1", filing)
    assert status == 202, body
    filed = int(body["sequence"])
    assert (await office.decide("restorations", filed, "town-1", "accept"))[0] == 202
    assert (await office.decide("restorations", filed, "county-1", "approve"))[0] == 202
    assert await store.closed_benefit(second["id_number"]) is None
    _, balance = await office.get(f"/v1/overpayments/{overpaid}")  # refunded on this path too
    assert (balance["status"], balance["recovered"], balance["remaining"]) == (
        "voided", "238.00", "0.00",
    )  # fmt: skip
    item = items[second["id_number"]]
    status, body = await office.decide("restoration-proposals", item, "town-2", "accept")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body
    assert (await office.decide("restoration-proposals", item, "town-2", "reject"))[0] == 202
    assert await store.counted_months(second["id_number"], "back_paid") == {VOIDED_IN}
    assert sorted(await audited(office, "closure_lifted")) == sorted(tasks.values())
    # one restoration/v1 signed by the hub (the first's); the second's is the staff's own
    assert len(await outcomes(office, "restoration/v1")) == 1


def recovery(task_id: str, amount: str) -> dict[str, Any]:
    """A sum recovered by the county's benefit staff from the family, today."""
    return {
        "type": "recovery/v1",
        "task_id": task_id,
        "amount": amount,
        "source": "family",
        "recovered_on": today().isoformat(),
        "actor": {"id": "det-1", "role": "benefit_determiner"},
        "at": datetime.now(UTC).isoformat(),
    }


async def overpaid_figures(office: Office) -> tuple[list[tuple[str, int, str]], Decimal]:
    """This month's overpayments in ``GET /v1/stats`` (key, count, amount) and the
    ``overpaid`` KPI summed over the counties."""
    status, stats = await office.get("/v1/stats", period=THIS_MONTH, group_by="reason")
    assert status == 200, stats
    rows = [(r["key"], r["count"], r["amount"]) for r in stats["overpayments"]]
    status, kpis = await office.get("/v1/kpis", period=THIS_MONTH, level="county")
    assert status == 200, kpis
    return rows, sum((Decimal(u["overpaid"] or 0) for u in kpis["units"]), Decimal(0))


async def approved(office: Office, item: int) -> tuple[int, dict[str, Any]]:
    """Town staff accept proposal ``item`` and the county approves it: the approval's answer."""
    status, body = await office.decide("restoration-proposals", item, "town-1", "accept")
    assert status == 202, body
    return await office.decide("restoration-proposals", item, "county-1", "approve")


async def test_a_termination_the_province_never_applied_is_restored_and_its_recovery_refunded(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = _Scene.make(tmp_path, [DIED] * 4)
    refunded, unpaid, paid, suspended = scene.people
    await scene.compare(DIED_IN)
    tasks = await scene.terminated(
        aiohttp_client,
        {
            # paid through this month when the death was confirmed: 2 months overpaid
            refunded["id_number"]: {"paid_through": THIS_MONTH},
            paid["id_number"]: {"paid_through": VOIDED_IN},
        },
    )
    office = await scene.office(aiohttp_client)
    overpaid = tasks[refunded["id_number"]]
    assert (await office.get(f"/v1/overpayments/{overpaid}"))[1]["amount"] == "476.00"
    status, body = await office.post(
        f"/v1/overpayments/{overpaid}/recoveries", "det-1", recovery(overpaid, "238.00")
    )
    assert status == 202, body
    await office.client.close()
    # the province never applied the terminations: every roster entry still says active
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 4}
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    items = {n: p["sequence"] for n, p in (await proposals(office)).items()}
    # overpaid: 2 months of the first (476.00) and 1 of the one paid through last month
    assert await overpaid_figures(office) == ([("all", 2, "714.00")], Decimal("714.00"))

    for person in (refunded, unpaid, paid):
        status, body = await approved(office, items[person["id_number"]])
        assert status == 202, body
        assert await store.closed_benefit(person["id_number"]) is None
    assert sorted(await audited(office, "closure_lifted")) == sorted(
        tasks[p["id_number"]] for p in (refunded, unpaid, paid)
    )
    # only the roster paid through the death's month leaves a month unpaid: last month
    (restored,) = await outcomes(office, "restoration/v1")
    signed = restored["payload"]
    assert signed["person"]["id_number"] == unpaid["id_number"]
    assert (signed["back_pay_from"], signed["back_pay_amount"]) == (f"{VOIDED_IN}-01", "238.00")
    for person in (refunded, paid):  # paid through last month or later: nothing to back-pay
        assert await store.counted_months(person["id_number"], "back_paid") == frozenset()

    # the recovered 238.00 was taken from a living pensioner: refunded, recovery stopped
    _, balance = await office.get(f"/v1/overpayments/{overpaid}")
    assert (balance["status"], balance["recovered"]) == ("voided", "238.00")
    assert (balance["remaining"], balance["written_off"]) == ("0.00", "0.00")  # not a loss
    voided = [
        o["payload"]
        for o in await outcomes(office, "overpayment/v1")
        if o["message_id"] == f"overpayment:{overpaid}:voided"
    ]
    assert [(o["recovery_status"], o["recovered_amount"]) for o in voided] == [("voided", "238.00")]
    status, body = await office.post(
        f"/v1/overpayments/{overpaid}/recoveries", "det-1", recovery(overpaid, "238.00")
    )
    assert (status, body["type"]) == (409, PROBLEM + "overpayment-settled"), body
    _, task = await office.get(f"/v1/verification-tasks/{overpaid}")
    assert "238.00 recovered is refunded" in task["remarks"]
    # never owed: neither an overpayment in the statistics nor overpaid in the assessment
    assert await overpaid_figures(office) == ([], Decimal(0))

    # stale: the province suspends the last one between acceptance and approval
    item = items[suspended["id_number"]]
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    await office.roster(
        suspended, status="suspended", suspended_since=f"{THIS_MONTH}-01", paid_through=DIED_IN
    )
    before = await office.ledger_size()
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "restoration-not-suspended"), body
    assert await office.ledger_size() == before
    assert await store.closed_benefit(suspended["id_number"]) is not None


def _days_ago(days: int) -> date:
    return today() - timedelta(days=days)


async def test_a_termination_more_than_365_days_old_is_approved_by_the_city(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    died = [_days_ago(365), _days_ago(366)]
    scene = _Scene.make(tmp_path, died, recorded_in=died[0].strftime("%Y-%m"))
    county, city = scene.people
    await scene.compare(died[0].strftime("%Y-%m"))
    await scene.terminated(aiohttp_client)
    office = await scene.office(aiohttp_client)
    for person, day in zip(scene.people, died, strict=True):
        await office.roster(person, status="terminated", paid_through=day.strftime("%Y-%m"))
    await office.client.close()
    await scene.compare(VOIDED_IN)
    office = await scene.office(aiohttp_client)
    items = {n: p["sequence"] for n, p in (await proposals(office)).items()}

    status, body = await approved(office, items[county["id_number"]])  # day 365: county level
    assert status == 202, body
    item = items[city["id_number"]]
    status, body = await approved(office, item)  # day 366
    assert (status, body["type"]) == (403, PROBLEM + "municipal-approval-required"), body
    status, body = await office.decide("restoration-proposals", item, "muni-1", "approve")
    assert status == 202, body

    signed = {
        o["payload"]["person"]["id_number"]: o["payload"]
        for o in await outcomes(office, "restoration/v1")
    }
    for person, day in zip(scene.people, died, strict=True):
        # from the month after the death's to last month, at 238.00 each
        months = (today().year - day.year) * 12 + today().month - day.month - 1
        one = signed[person["id_number"]]
        assert one["back_pay_amount"] == f"{238 * months}.00"
        assert one["back_pay_to"] == last_day(VOIDED_IN)
    assert [a["id"] for a in signed[city["id_number"]]["approvals"]] == ["town-1", "muni-1"]
