"""Test kit for issue 17's reversals: people whose deaths civil affairs records, then voids.

A data folder with its trust store (every party of :mod:`procedurekit`), the two
months' comparison inputs, ``certhub compare run`` and a hub over the folder;
readers of what the hub signed. Used by ``tests/comparison/test_restoration_*.py``.
"""

from __future__ import annotations

import calendar
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import procedurekit
from comparisonkit import ComparisonCase
from procedurekit import Office, today

from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_index, month_label, parse_month
from certhub.mocks.population import Population

PROBLEM = "urn:certhub:problem:"
THIS_MONTH = month_label(month_index(today()))
DIED_IN = month_label(month_index(today()) - 2)
VOIDED_IN = month_label(month_index(today()) - 1)
DIED = parse_month(DIED_IN) + timedelta(days=2)
EARLIER = parse_month(month_label(month_index(today()) - 3)) + timedelta(days=2)
OVERDUE_CERTIFIED_IN = month_label(month_index(today()) - 14)  # due M(-2) = DIED_IN
Answer = tuple[int, dict[str, Any]]  # an HTTP status and the JSON body


@dataclass
class Scene(ComparisonCase):
    """A data folder, its trust store and people whose deaths civil affairs records, then voids."""

    died: dict[str, date] = field(default_factory=dict)

    @classmethod
    def make(cls, tmp: Path, died: list[date], *, recorded_in: str = DIED_IN) -> Scene:
        """One person per date of ``died``: cremated then (in ``recorded_in``), the records
        voided in ``VOIDED_IN``."""
        population = Population(seed=17)
        people = [population.person() for _ in died]
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
        scene = cls.prepare(tmp, people, feeds)
        scene.died = {p["id_number"]: day for p, day in zip(people, died, strict=True)}
        return scene

    @classmethod
    def alone(cls, tmp: Path, died: date = DIED) -> tuple[Scene, dict[str, Any], str]:
        """:meth:`make` for one person, dead on ``died``: the scene, the person and the
        person's ID number."""
        scene = cls.make(tmp, [died])
        (person,) = scene.people
        return scene, person, person["id_number"]

    @classmethod
    async def recorded(cls, tmp: Path, died: date = DIED) -> tuple[Scene, dict[str, Any], str]:
        """:meth:`alone`, its record's month (``DIED_IN``) compared: the person's death task
        open. The scene, the person and the person's ID number."""
        scene, person, number = cls.alone(tmp, died)
        assert (await scene.compare(DIED_IN))["reports"] == {"task_opened": 1}
        return scene, person, number

    async def terminated(
        self, aiohttp_client: Any, rosters: dict[str, dict[str, Any]] | None = None
    ) -> dict[str, str]:
        """:meth:`confirmed_deaths` on an office of its own, closed after: the task id of
        each person."""
        office = await self.office(aiohttp_client)
        tasks = await self.confirmed_deaths(office, rosters)
        await office.client.close()
        return tasks

    async def voided(self, aiohttp_client: Any) -> tuple[Office, dict[str, int]]:
        """Civil affairs' voids (``VOIDED_IN``) compared, a restoration proposal for each
        person: an office and the proposals' items by ID number."""
        reversals = (await self.compare(VOIDED_IN))["reversals"]
        assert reversals == {"restoration_proposed": len(self.people)}, reversals
        office = await self.office(aiohttp_client)
        found = await proposals(office)
        return office, {number: int(p["sequence"]) for number, p in found.items()}

    async def confirmed_deaths(
        self, office: Office, rosters: dict[str, dict[str, Any]] | None = None
    ) -> dict[str, str]:
        """Each person's one open death task (a task of another kind may be open beside it)
        confirmed by the county on ``office``, with the roster before it (``rosters`` by ID
        number: changes to an active entry paid through the death's month); the task id of
        each person."""
        rosters = rosters or {}
        status, page = await office.get("/v1/verification-tasks", status="open")
        assert status == 200, page
        deaths = [t for t in page["items"] if t["kind"] == "death"]
        tasks = {t["person"]["id_number"]: t["task_id"] for t in deaths}
        assert len(tasks) == len(deaths), deaths  # one death task a person
        assert set(tasks) == set(self.died)
        for person in self.people:
            number = person["id_number"]
            month = self.died[number].strftime("%Y-%m")
            await office.roster(person, **({"paid_through": month} | rosters.get(number, {})))
            step = await office.step(
                tasks[number], "county-1", "confirmed", event_date=self.died[number].isoformat()
            )
            assert step[0] == 202, step
        return tasks


async def outcomes(office: Office, message_type: str) -> list[dict[str, Any]]:
    """The hub-signed records of ``message_type`` in the provincial pull."""
    status, body = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, body
    return [item for item in body["items"] if item["type"] == message_type]


async def amendment_approved(office: Office) -> int:
    """The termination amendment the hub opened last, accepted by town staff and approved
    by the county (each answered 202): its item."""
    *_, amendment = await outcomes(office, "termination_amendment/v1")
    item = int(amendment["sequence"])
    for party, decision in (("town-1", "accept"), ("county-1", "approve")):
        status, body = await office.decide("termination-amendments", item, party, decision)
        assert status == 202, body
    return item


async def proposals(office: Office) -> dict[str, dict[str, Any]]:
    """The restoration proposals by the ID number they name."""
    found = await outcomes(office, "restoration_proposal/v1")
    return {p["payload"]["person"]["id_number"]: p for p in found}


async def proposed(
    tmp_path: Path, aiohttp_client: Any, paid_through: str = DIED_IN
) -> tuple[Office, dict[str, Any], str, dict[str, Any]]:
    """One false death confirmed (the roster active, paid through ``paid_through``) and
    voided: an office, the person, the terminating task and the hub's proposal."""
    scene, person, number = await Scene.recorded(tmp_path)
    tasks = await scene.terminated(aiohttp_client, {number: {"paid_through": paid_through}})
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    office = await scene.office(aiohttp_client)
    return office, person, tasks[number], (await proposals(office))[number]


async def proposed_certified(
    scene: Scene,
    aiohttp_client: Any,
    roster: str = "terminated",
    certified_in: str = OVERDUE_CERTIFIED_IN,
) -> tuple[Office, dict[str, Any], str, int]:
    """The scene's one person, last certified in the app on the 15th of ``certified_in``
    (by default overdue since ``VOIDED_IN``): the death recorded, confirmed (paid through
    ``DIED_IN``), the province's entry then saying ``roster``, and voided. An office, the
    person, the terminating task and the hub's proposal's item."""
    person = scene.person
    assert (await scene.compare(DIED_IN))["reports"] == {"task_opened": 1}
    office = await scene.office(aiohttp_client)
    await office.certified_in_app(person, f"{certified_in}-15T10:00:00+08:00")
    (task,) = (await scene.confirmed_deaths(office)).values()  # paid through DIED_IN
    await office.roster(person, status=roster, paid_through=DIED_IN)
    await office.client.close()
    office, items = await scene.voided(aiohttp_client)
    return office, person, task, items[person["id_number"]]


async def proposed_applied(
    tmp_path: Path, aiohttp_client: Any
) -> tuple[Office, dict[str, Any], str, int]:
    """:func:`proposed`, the province having applied the termination (the roster says
    ``terminated``, paid through ``DIED_IN``): an office, the person, the terminating task
    and the proposal's item."""
    office, person, task, proposal = await proposed(tmp_path, aiohttp_client)
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    return office, person, task, proposal["sequence"]


async def audited(office: Office, action: str) -> list[str]:
    """Subjects of the audit entries of ``action``."""
    entries = await office.client.app[STORE].audit_entries(0, 100_000)
    return [e.subject for e in entries if e.action == action]


# what the office's relay audits in the background: no request's doing, not counted on one
DELIVERY_ACTIONS: Final = {"outbox_published", "delivered", "notice_sent", "notice_withdrawn",
                           "delivery_retried", "dead_lettered"}  # fmt: skip


async def sizes(office: Office) -> tuple[int, int]:
    """(ledger records, audit links but DELIVERY_ACTIONS): what a refusal leaves as it was."""
    audit = await office.client.app[STORE].audit_entries(0, 1_000_000)
    return await office.ledger_size(), sum(e.action not in DELIVERY_ACTIONS for e in audit)


async def refused(
    office: Office, request: Awaitable[Answer], status: int, slug: str
) -> dict[str, Any]:
    """``request`` (a call not awaited yet: it runs once the ledger and the audit log are
    counted) answers ``status`` with the problem ``slug``, leaving both as they were: the
    problem's body."""
    before = await sizes(office)
    answer = await request
    assert (answer[0], answer[1]["type"]) == (status, PROBLEM + slug), answer
    assert answer[1]["status"] == status, answer
    assert await sizes(office) == before
    return answer[1]


async def listed(office: Office, **query: str) -> list[tuple[int, str]]:
    """(item, status) of each restoration proposal the readers' list shows for ``query``."""
    status, page = await office.get("/v1/restoration-proposals", **query)
    assert status == 200, page
    assert all(p["type"] == "restoration_proposal/v1" for p in page["items"])
    return [(p["sequence"], p["status"]) for p in page["items"]]


def cremated_twice(tmp: Path, ledger_url: str | None, first: date, second: date) -> ComparisonCase:
    """One pensioner whose cremation civil affairs records twice, then voids both records: C1
    on ``first`` and C2 on ``second``, each in its month's feed, C1 voided on the 2nd of M(-1)
    and C2 on the 1st of M(0). The case, on ``ledger_url``'s ledger."""
    person = Population(seed=29).person()
    number = person["id_number"]
    voided_in, this_month = (month_label(month_index(today()) + k) for k in (-1, 0))
    feeds = {
        f"{first:%Y-%m}": f"C1,{number},某人,,,cremation,{first.isoformat()},\n",
        f"{second:%Y-%m}": f"C2,{number},某人,,,cremation,{second.isoformat()},\n",
        voided_in: f"V1,{number},某人,,,void,{voided_in}-02,C1\n",
        this_month: f"V2,{number},某人,,,void,{this_month}-01,C2\n",
    }
    return ComparisonCase.prepare(tmp, [person], feeds).on_ledger(ledger_url)


def other_county(person: dict[str, Any]) -> str:
    return "440104" if person["region"]["county"] != "440104" else "440105"


def last_day(month: str) -> str:
    """The last day of ``month`` (YYYY-MM), computed apart from the code under test."""
    year, number = (int(part) for part in month.split("-"))
    return f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def voided_restoration(person: dict[str, Any], since: date = DIED) -> dict[str, Any]:
    """Town staff's ``restoration/v1`` of ``person``'s voided termination, in effect since
    ``since``: ``VOIDED_IN`` back-paid (238.00, its first to its last day), payment resumed
    from the first of this month."""
    return procedurekit.restoration(
        person,
        since,
        back_pay_from=f"{VOIDED_IN}-01",
        back_pay_to=last_day(VOIDED_IN),
        back_pay_amount="238.00",
    )


def recovery(task_id: str, amount: str) -> dict[str, Any]:
    """A sum recovered by the county's benefit staff from the family, today."""
    return procedurekit.recovery(task_id, amount, source="family")


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


def days_ago(days: int) -> date:
    return today() - timedelta(days=days)


async def death_reported(office: Office, person: dict[str, Any], died: date) -> None:
    """The city's report of ``person``'s death on ``died``, approved by the county."""
    report = office.people.eligibility_report() | {
        "reason": "death", "person": person, "event_date": died.isoformat(),
        "region": person["region"],
    }  # fmt: skip
    await office.approved_report(report)


async def report_approved(office: Office, person: dict[str, Any], died: date) -> dict[str, Any]:
    """:func:`death_reported` (the death confirmed already): the
    ``termination_amendment/v1`` it opens."""
    await death_reported(office, person, died)
    (amendment,) = await outcomes(office, "termination_amendment/v1")
    return amendment


async def reported_then_voided(
    scene: Scene, office: Office, aiohttp_client: Any, died: date
) -> Office:
    """:func:`death_reported` of the scene's one person on ``office`` (closed after), then
    civil affairs' void (``VOIDED_IN``) compared, which leaves the death standing
    (``no_effect``): an office of its own."""
    await death_reported(office, scene.person, died)
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"no_effect": 1}
    return await scene.office(aiohttp_client)


async def confirmed_jailed(
    office: Office, person: dict[str, Any], day: date, until: date | None = None
) -> str:
    """An imprisonment of ``person`` from ``day`` (the sentence to ``until``, when stated)
    reported by the city with a document, taken in progress by town staff and confirmed by
    the county: its task id."""
    task = str((await office.reported_death(person, day, reason="imprisonment"))["task_id"])
    assert (await office.step(task, "town-1", "in_progress"))[0] == 202
    extra = {"suspend_until": until.isoformat()} if until is not None else {}
    status, body = await office.step(
        task, "county-1", "confirmed", event_date=day.isoformat(), **extra
    )
    assert status == 202, body
    return task


async def held_open(
    office: Office,
    person: dict[str, Any],
    item: int,
    task: str,
    detail: str,
    *,
    slug: str = "restoration-verification-open",
) -> None:
    """Accepting proposal ``item`` and staff's :func:`voided_restoration` of ``person`` are each
    ``slug`` (409, ``detail`` in its detail): nothing stored, the closure by ``task``
    staying, no month back-paid."""
    store, number = office.client.app[STORE], person["id_number"]
    accept = office.decide("restoration-proposals", item, "town-1", "accept")
    accepted = await refused(office, accept, 409, slug)
    filed = office.post("/v1/restorations", "town-1", voided_restoration(person))
    for body in (accepted, await refused(office, filed, 409, slug)):
        assert detail in body["detail"], body
    assert await store.closed_benefit(number) == ("death", task)
    assert await store.counted_months(number, "back_paid") == set()


async def back_pay(office: Office) -> tuple[str, str, str]:
    """(from, to, amount) of back pay in the one ``restoration/v1`` the hub signed."""
    (signed,) = await outcomes(office, "restoration/v1")
    payload = signed["payload"]
    return payload["back_pay_from"], payload["back_pay_to"], payload["back_pay_amount"]


async def restored_once(office: Office, item: int, number: str) -> tuple[str, str, str]:
    """Proposal ``item`` :func:`approved` (202): ``number``'s closure lifted, ``VOIDED_IN``
    back-paid and payment resumed in ``THIS_MONTH``, each once; the :func:`back_pay`."""
    status, body = await approved(office, item)
    assert status == 202, body
    store = office.client.app[STORE]
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
    assert await store.counted_months(number, "resumed") == {THIS_MONTH}
    assert await store.closed_benefit(number) is None
    return await back_pay(office)


async def refused_whole(
    office: Office, person: dict[str, Any], restoration: dict[str, Any], status: int, slug: str
) -> dict[str, Any]:
    """Town staff's ``restoration`` of ``person`` :func:`refused` with ``status`` and the
    problem ``slug``, nothing stored, the closure staying: the problem's body."""
    filed = office.post("/v1/restorations", "town-1", restoration)
    body = await refused(office, filed, status, slug)
    assert await office.client.app[STORE].closed_benefit(person["id_number"]) is not None
    return body


async def restored(
    office: Office, person: dict[str, Any], restoration: dict[str, Any]
) -> frozenset[str]:
    """Town staff's ``restoration`` of ``person`` approved: the closure lifted, the months
    back-paid."""
    store = office.client.app[STORE]
    await office.approved("restorations", "town-1", restoration)
    assert await store.closed_benefit(person["id_number"]) is None
    return frozenset(await store.counted_months(person["id_number"], "back_paid"))
