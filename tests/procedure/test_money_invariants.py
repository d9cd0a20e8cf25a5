"""Random histories of one pensioner, through the HTTP API, on both ledgers (issue 13).

A hypothesis state machine sends reports, decisions, task steps, roster updates
(arriving late, changing between a request and its approval), restorations and
certifications, lets a day pass, and after every step checks the invariants:

* each month is paid at most once: by the roster's ``paid_through`` or by the
  back pay of one approved restoration, never both, never two restorations;
* each month is recovered at most once, and one termination per person;
* a decision acts on the facts as they are when it is decided (the roster,
  the day: more than 365 days suspended on the decision day → municipal);
* a person whose death the hub confirmed is never restored;
* an ID image or on-site photo certifies one person;
* amounts are exact: whole months × the monthly amount, never negative.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from evidence_samples import png
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from pgkit import throwaway_database
from procedurekit import PARTIES, Office, counter_event, trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.core.keys import NOTICE_SENDER, PROCEDURE
from certhub.hub.core.settings import Settings
from certhub.hub.delivery.notices import LoggingNoticeSender
from certhub.hub.rules.months import first_of_next_month, month_index, months_in, parse_month
from certhub.hub.runtime.app import create_app
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import SigningKey


def _today() -> date:
    return datetime.now(UTC).astimezone(CHINA_STANDARD_TIME).date()


AMOUNTS = (Decimal("238.00"), Decimal("250.00"))
SINCE_DAYS = (40, 200, 363, 364, 365, 366, 500)  # the boundary both ways once a day passes


class MoneyHistory(RuleBasedStateMachine):
    """One pensioner's benefit under every order of events; a fresh hub per example."""

    database_url: str | None = None

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.folder = Path(tempfile.mkdtemp(prefix="money-"))
        self.office = self.loop.run_until_complete(self._start())
        self.person = self.office.people.person()
        self.others = [self.office.people.person() for _ in range(2)]
        self.roster: dict[str, Any] | None = None
        self.day_passed = False
        self.hub_terminated = False
        self.pending: dict[int, dict[str, Any]] = {}  # restoration item -> payload
        self.back_paid: set[str] = set()  # months of approved restorations
        self.bound: dict[int, str] = {}  # photo set -> the person it certified
        self.photos: list[list[str]] = []

    async def _start(self) -> Office:
        if self.database_url is not None:  # each example starts from an empty schema
            conn = await asyncpg.connect(self.database_url, timeout=10)
            try:
                await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            finally:
                await conn.close()
        settings = Settings(
            data_dir=self.folder / "data", identity_check="off", database_url=self.database_url
        )
        settings.data_dir.mkdir(parents=True)
        keys = {party: SigningKey.generate() for party in PARTIES}
        trust_store(keys).save(settings.trust_store_path)
        app = create_app(settings, registry=CollectorRegistry())
        app[NOTICE_SENDER] = LoggingNoticeSender()
        client: TestClient[Any, Any] = TestClient(TestServer(app))
        await client.start_server()
        ctx = app[PROCEDURE]
        # The hub's clock starts a day behind: "a day passes" brings it to now, so
        # steps dated now are never before a task opened.
        object.__setattr__(ctx, "clock", lambda: datetime.now(UTC) - timedelta(days=1))
        return Office(client, settings, keys)

    def teardown(self) -> None:
        """Close the hub and its loop; remove its folder."""
        self.loop.run_until_complete(self.office.client.close())
        self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def hub_today(self) -> date:
        return _today() if self.day_passed else _today() - timedelta(days=1)

    # -- rules -------------------------------------------------------------------

    @initialize(since_days=st.sampled_from(SINCE_DAYS), amount=st.sampled_from(AMOUNTS))
    def suspended_on_the_roster(self, since_days: int, amount: Decimal) -> None:
        self.roster_update("suspended", amount, since_days, 0, late=False)

    @rule(
        status=st.sampled_from(["active", "suspended", "suspended", "terminated"]),
        amount=st.sampled_from(AMOUNTS),
        since_days=st.sampled_from(SINCE_DAYS),
        paid_lag=st.integers(0, 2),
        late=st.sampled_from([False, False, True]),
    )
    def roster_update(
        self, status: str, amount: Decimal, since_days: int, paid_lag: int, *, late: bool
    ) -> None:
        """A roster entry; a ``late`` one is older than the entry in force and changes nothing."""
        since = _today() - timedelta(days=since_days)
        paid = _today() if status == "active" else since
        index = month_index(paid) - paid_lag
        entry = {
            "type": "benefit_record/v1",
            "person": self.person,
            "status": status,
            "monthly_amount": str(amount),
            "paid_through": f"{index // 12:04d}-{index % 12 + 1:02d}",
            "bank_account_on_file": "6222***********0123",
            "as_of": (datetime.now(UTC) - timedelta(hours=6 if late else 0)).isoformat(),
        }
        if status == "suspended":
            entry["suspended_since"] = since.isoformat()
        status_code, body = self.run(self.office.post("/v1/roster", "province", entry))
        assert status_code == 202, body
        if self.roster is None or entry["as_of"] >= self.roster["as_of"]:
            self.roster = entry | {"since": since if status == "suspended" else None}

    @rule(
        reason=st.sampled_from(["death", "imprisonment", "missing", "missing"]),
        days=st.integers(1, 300),
    )
    def approved_report(self, reason: str, days: int) -> None:
        report = self.office.people.eligibility_report() | {
            "reason": reason,
            "person": self.person,
            "event_date": (_today() - timedelta(days=days)).isoformat(),
            "region": self.person["region"],
        }
        item = self.run(self.office.accepted("reports", "city", report))
        status, body = self.run(self.office.decide("reports", item, "county-1", "approve"))
        if status == 409 and "amendment of this death" in body.get("detail", ""):
            # a death dated earlier still while the amendment of it is under review: refused,
            # nothing stored (README, Verification tasks); nothing here decides amendments
            event("report refused: an amendment of the death is under review")
            return
        assert status == 202, body

    @rule(
        pick=st.integers(0, 3),
        confirm=st.sampled_from([True, True, False]),
        days=st.integers(1, 300),
    )
    def resolve_task(self, pick: int, confirm: bool, days: int) -> None:
        tasks = [t for s in ("open", "in_progress") for t in self._tasks(s)]
        if not tasks:
            return
        task = tasks[pick % len(tasks)]
        extra = {"event_date": (_today() - timedelta(days=days)).isoformat()} if confirm else {}
        to = "confirmed" if confirm else "cleared"
        paid = self._paid_after(_today() - timedelta(days=days))  # before the step: paid so far
        status, body = self.run(self.office.step(task["task_id"], "county-1", to, **extra))
        assert status == 202, body
        event(f"task {to}")
        if confirm and not self.hub_terminated and self.roster["status"] != "terminated":
            # every month paid after the event, regularly or as back pay, is to be recovered
            assert paid <= set(self._recovered()), (paid, self._recovered())

    @rule(
        shift=st.sampled_from([0, 0, 1, -1]),
        months=st.integers(1, 5),
        wrong=st.sampled_from([False, False, False, True]),
        then=st.sampled_from([None, "county-1", "muni-1"]),
    )
    def request_restoration(self, shift: int, months: int, wrong: bool, then: str | None) -> None:
        roster = self.roster or {
            "since": _today() - timedelta(days=200),
            "monthly_amount": "238.00",
        }
        since = roster["since"] or _today() - timedelta(days=200)
        index = month_index(first_of_next_month(since)) + shift
        start = date(index // 12, index % 12 + 1, 1)
        restore_from = parse_month(f"{(index + months) // 12:04d}-{(index + months) % 12 + 1:02d}")
        amount = Decimal(roster["monthly_amount"]) * months + (Decimal("0.01") if wrong else 0)
        payload = {
            "type": "restoration/v1",
            "person": self.person,
            "suspended_since": since.isoformat(),
            "restore_from": restore_from.isoformat(),
            "back_pay_from": start.isoformat(),
            "back_pay_to": (restore_from - timedelta(days=1)).isoformat(),
            "monthly_amount": roster["monthly_amount"],
            "back_pay_amount": str(amount),
            "bank_account": "6222021234567890123",
            "bank_account_on_file": "6222***********0123",
            "requested_by": {"id": "town-1", "role": "town_staff"},
            "requested_at": datetime.now(UTC).isoformat(),
        }
        status, body = self.run(self.office.post("/v1/restorations", "town-1", payload))
        event(f"restoration request {status}")
        if status != 202:
            assert status in (403, 409, 422), body
            return
        self._facts_hold(payload, municipal_ok=True)
        assert not set(self._months(payload)) & self._claimed()
        item = int(body["sequence"])
        self.pending[item] = payload
        self.run(self.office.decide("restorations", item, "town-1", "accept"))
        if then is not None:
            self._decide(item, then, ok=True)

    @rule(
        pick=st.integers(0, 3),
        who=st.sampled_from(["county-1", "muni-1"]),
        ok=st.sampled_from([True, True, False]),
    )
    def decide_restoration(self, pick: int, who: str, ok: bool) -> None:
        if not self.pending:
            return
        self._decide(sorted(self.pending)[pick % len(self.pending)], who, ok=ok)

    def _decide(self, item: int, who: str, *, ok: bool) -> None:
        payload = self.pending[item]
        action = "approve" if ok else "reject"
        if not ok and who == "muni-1":
            who = "county-1"  # rejecting is the county's
        status, body = self.run(self.office.decide("restorations", item, who, action))
        event(f"restoration {action} by {who}: {status} {body.get('type', '')[20:]}")
        if status != 202:
            assert status in (403, 409, 422), body
            return
        del self.pending[item]
        if ok:
            self._facts_hold(payload, municipal_ok=who == "muni-1")
            assert not set(self._months(payload)) & self.back_paid  # never two restorations
            self.back_paid |= set(self._months(payload))

    @rule(who=st.integers(0, 1), photos=st.integers(0, 1))
    def certify(self, who: int, photos: int) -> None:
        while len(self.photos) <= photos:
            n = len(self.photos)
            images = (png(100 + n, "ID card"), png(200 + n, "on-site photo"))
            self.photos.append([self.run(self.office.upload(i, "image/png")) for i in images])
        person = self.others[who]
        digests = self.photos[photos]
        event = counter_event(person, *digests)
        status, body = self.run(self.office.post("/v1/certifications", "channel", event))
        if status == 202:
            assert self.bound.setdefault(photos, person["id_number"]) == person["id_number"]
        else:
            assert (status, body["type"]) == (409, "urn:certhub:problem:evidence-other-person")
            assert self.bound[photos] != person["id_number"]

    @rule()
    def a_day_passes(self) -> None:
        object.__setattr__(self.office.client.app[PROCEDURE], "clock", lambda: datetime.now(UTC))
        self.day_passed = True

    # -- invariants ----------------------------------------------------------------

    @invariant()
    def months_recovered_once_and_amounts_exact(self) -> None:
        recovered = self._recovered()
        assert all(n == 1 for n in recovered.values()), recovered
        _, page = self.run(self.office.get("/v1/outcomes", limit="1000"))
        terminations = sum(1 for item in page["items"] if item["type"] == "termination/v1")
        if terminations:
            event("terminated")
        assert terminations <= 1
        self.hub_terminated = terminations == 1

    # -- helpers -------------------------------------------------------------------

    def _recovered(self) -> Counter[str]:
        """How often each month is recovered by the overpayments the hub signed and has not
        voided since, each exact (a record re-signed ``voided`` — a disappearance's when the
        person is found dead later — cancels the record it re-signs: same months; one
        re-signed after a recovery or a write-off repeats its months)."""
        _, page = self.run(self.office.get("/v1/outcomes", limit="1000"))
        recovered: Counter[str] = Counter()
        for item in page["items"]:
            payload = item["payload"]
            if item["type"] != "overpayment/v1":
                continue
            first, last = (
                date.fromisoformat(payload["period_from"]),
                date.fromisoformat(payload["period_to"]),
            )
            months = months_in(first, last)
            status = payload.get("recovery_status", "pending")
            if status == "voided":
                recovered.subtract(months)
                assert all(recovered[m] >= 0 for m in months), (months, recovered)
            elif status == "pending":
                recovered.update(months)
            # else a re-signing after a recovery or write-off: the same months again
            amount, monthly = Decimal(payload["amount"]), Decimal(payload["monthly_amount"])
            assert payload["months"] == len(months) >= 1
            assert amount == monthly * len(months) > 0
            assert amount == amount.quantize(Decimal("0.01"))
        return +recovered  # the months recovered now (voided ones dropped)

    def _paid_after(self, event_date: date) -> set[str]:
        """The months paid after ``event_date``'s month: through the roster's paid_through,
        or back-paid by an approved restoration."""
        roster = self.roster
        assert roster is not None
        after = first_of_next_month(event_date)
        regular = months_in(after, parse_month(roster["paid_through"]))  # none if after it
        return set(regular) | {m for m in self.back_paid if parse_month(m) >= after}

    def _tasks(self, status: str) -> list[dict[str, Any]]:
        _, page = self.run(self.office.get("/v1/verification-tasks", status=status))
        return [t for t in page["items"] if t["person"]["id_number"] == self.person["id_number"]]

    @staticmethod
    def _months(payload: dict[str, Any]) -> tuple[str, ...]:
        return months_in(
            date.fromisoformat(payload["back_pay_from"]), date.fromisoformat(payload["back_pay_to"])
        )

    def _claimed(self) -> set[str]:
        pending = {m for p in self.pending.values() for m in self._months(p)}
        return pending | self.back_paid

    def _facts_hold(self, payload: dict[str, Any], *, municipal_ok: bool) -> None:
        """What an accepted request or approval must agree with, as the facts are now."""
        assert not self.hub_terminated  # a death the hub confirmed is never restored
        roster = self.roster
        assert roster is not None
        assert roster["status"] == "suspended"
        assert roster["suspended_since"] == payload["suspended_since"]
        assert roster["monthly_amount"] == payload["monthly_amount"]
        months = self._months(payload)
        assert min(months) > roster["paid_through"]  # paid regularly or back-paid, not both
        amount = Decimal(payload["back_pay_amount"])
        assert amount == Decimal(roster["monthly_amount"]) * len(months) > 0
        if not municipal_ok:
            assert (self.hub_today() - roster["since"]).days <= 365


def run_machine(database_url: str | None) -> None:
    MoneyHistory.database_url = database_url
    run_state_machine_as_test(
        MoneyHistory,
        settings=settings(
            max_examples=20,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_money_invariants_hold_on_sqlite() -> None:
    run_machine(None)


@pytest.fixture(scope="module")
def money_database() -> Any:
    with throwaway_database("certhub_money") as url:
        yield url


def test_money_invariants_hold_on_postgresql(money_database: str) -> None:
    run_machine(money_database)
