"""Money errors found by an adversarial review, each through the HTTP API at 238.00 a month.

Months are counted from this month (China time): ``M(-4)`` is four months ago, ``M(+2)``
two months ahead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import Office, month_day, month_end, recovery, restoration

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep

PROBLEM = "urn:certhub:problem:"


def label(offset: int) -> str:
    """``YYYY-MM`` of the month ``offset`` months from this one."""
    return month_day(offset).strftime("%Y-%m")


def back_pay(person: dict[str, Any], since: str, first: int, last: int) -> dict[str, Any]:
    """Staff's restoration of the suspension since ``since``: months ``first``..``last``
    (offsets, inclusive) back-paid at 238.00 each, payment resumed the month after."""
    return restoration(
        person,
        date.fromisoformat(since),
        back_pay_from=month_day(first).isoformat(),
        back_pay_to=month_end(last).isoformat(),
        restore_from=month_day(last + 1).isoformat(),
        back_pay_amount=f"{238 * (last - first + 1)}.00",
    )


async def test_back_pay_never_pays_months_that_have_not_come_yet(office: Office) -> None:
    """Suspended on the 3rd of M(-4), paid through M(-4). Back pay is arrears; a
    restoration back-pays one month at least, so the month after this one is the latest
    it may reach (a suspension begun this month can back-pay no earlier one). A request
    back-paying M(-3)..M(+2) (6 x 238.00 = 1,428.00, resumed from M(+3)) was approved:
    M(+2) — 238.00 — paid now, in advance, to someone who may die or be jailed before it.
    Refused, nothing stored, no month claimed; M(-3)..M(+1) (1,190.00, resumed from
    M(+2)) is approved."""
    person = office.people.person()
    since = month_day(-4, 3).isoformat()
    await office.roster(person, status="suspended", suspended_since=since, paid_through=label(-4))
    store = office.client.app[STORE]
    before = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", back_pay(person, since, -3, 2))
    assert (status, body.get("type")) == (422, PROBLEM + "restoration-period-invalid"), body
    assert label(1) in body["detail"], body
    assert await office.ledger_size() == before
    assert await store.counted_months(person["id_number"], "back_paid") == set()
    await office.approved("restorations", "town-1", back_pay(person, since, -3, 1))
    counted = await store.counted_months(person["id_number"], "back_paid")
    assert counted == {label(-3), label(-2), label(-1), label(0), label(1)}


async def overpayment_of(office: Office, task: str) -> tuple[int, Any]:
    """GET /v1/overpayments/<task> as the county."""
    return await office.get(f"/v1/overpayments/{task}", "county-1")


async def refused_then_confirmed(
    office: Office, task: str, refused: dict[str, str], confirmed: dict[str, str]
) -> dict[str, Any]:
    """The county confirming ``task`` stating ``refused`` is ``task-transition-invalid`` (409):
    nothing stored, the task still open; stating ``confirmed`` instead, it is accepted: the
    overpayment it leaves."""
    before = await office.ledger_size()
    status, body = await office.step(task, "county-1", "confirmed", **refused)
    assert (status, body.get("type")) == (409, PROBLEM + "task-transition-invalid"), body
    assert await office.ledger_size() == before
    assert (await office.get(f"/v1/verification-tasks/{task}", "county-1"))[1]["status"] == "open"
    status, body = await office.step(task, "county-1", "confirmed", **confirmed)
    assert status == 202, body
    status, over = await overpayment_of(office, task)
    assert status == 200, over
    return dict(over)


async def test_a_sentence_ending_before_the_reported_imprisonment_is_refused(
    office: Office,
) -> None:
    """Jailed on the 13th of M(-4) by the report, paid through M(0). The county confirms
    without an event date (the report's is taken) and with the sentence's end on the last
    day of M(-5) — before the imprisonment. A confirmation stating both dates that way is
    refused by the schema; taking the report's date, it was confirmed: no overpayment at
    all (M(-3)..M(0), 952.00, not recovered) and a 'served' sentence that restores back
    pay to a prisoner. Refused, nothing stored, the task still open."""
    person = office.people.person()
    await office.roster(person)  # active, 238.00, paid through M(0)
    task = await office.reported(person, "imprisonment", month_day(-4, 13))
    # stated the right way round, the same sentence recovers M(-3)..M(-1): 714.00
    over = await refused_then_confirmed(
        office,
        task,
        refused={"suspend_until": month_end(-5).isoformat()},
        confirmed={"suspend_until": month_end(-1).isoformat()},
    )
    assert (over["amount"], over["months"]) == ("714.00", 3), over


async def test_a_disappearance_has_no_sentence_end_to_cut_its_overpayment(
    office: Office,
) -> None:
    """Missing since the 10th of M(-6), paid through M(0): M(-5)..M(0) were paid to no one
    known, 6 x 238.00 = 1,428.00 overpaid. A confirmation naming a ``suspend_until`` (the
    end of a prison sentence) on the 15th of M(-5) cut the recovery to M(-5), 238.00 —
    1,190.00 never recovered — and wrote 'until' on a suspension no one ends by date.
    Refused, nothing stored; confirmed without it, 1,428.00 is recovered."""
    person = office.people.person()
    await office.roster(person)
    missing = month_day(-6, 10).isoformat()
    task = await office.reported(person, "missing", month_day(-6, 10))
    over = await refused_then_confirmed(
        office,
        task,
        refused={"event_date": missing, "suspend_until": month_day(-5, 15).isoformat()},
        confirmed={"event_date": missing},
    )
    assert (over["amount"], over["months"]) == ("1428.00", 6), over


async def test_a_non_certification_suspension_is_not_lifted_without_a_certification(
    office: Office,
) -> None:
    """Last certified on the 15th of M(-15): due M(-3), liable from the 1st of M(-2). The
    register proposes suspending the person, town staff accept, the county approves: the
    hub signs ``suspension/v1`` (not_certified). The province applies it (suspended since
    the 1st of M(-2), paid through M(-3)). Staff's restoration back-paying M(-2)..M(-1)
    (476.00) and resuming payment from M(0) was approved with no certification since —
    paying someone who never proved to be alive, the very reason for the suspension
    (README: "a certification arriving after a suspension is restored through the
    restoration request"). Refused (``restoration-other-suspension``, nothing stored, no
    month claimed) until a passed certification ends it; then restored."""
    app = office.client.app
    person = office.people.person()
    number = person["id_number"]
    await office.roster(person, paid_through=label(-3))
    await office.certified_in_app(person, f"{label(-15)}-15T10:00:00+08:00")
    sweep = ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0)
    assert await sweep.sweep(month_day(0, 1)) == 1
    status, page = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, page
    (proposal,) = [p for p in page["items"] if p["type"] == "suspension_proposal/v1"]
    assert (proposal["payload"]["due_month"], proposal["payload"]["liable_from"]) == (
        label(-3), month_day(-2).isoformat()
    )  # fmt: skip
    item = proposal["sequence"]
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("suspension-proposals", item, "county-1", "approve"))[0] == 202
    since = month_day(-2).isoformat()
    await office.roster(person, status="suspended", suspended_since=since, paid_through=label(-3))

    before = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", back_pay(person, since, -2, -1))
    assert (status, body.get("type")) == (409, PROBLEM + "restoration-other-suspension"), body
    assert await office.ledger_size() == before
    assert await app[STORE].counted_months(number, "back_paid") == set()

    await office.certified_in_app(person)  # alive after all: the suspension ends
    await office.approved("restorations", "town-1", back_pay(person, since, -2, -1))
    assert await app[STORE].counted_months(number, "back_paid") == {label(-2), label(-1)}


async def test_a_pensioner_overdue_for_certification_is_not_restored_before_certifying(
    office: Office,
) -> None:
    """Last certified on the 15th of M(-15): due M(-3), overdue since M(-2); no proposal
    decided yet. The province suspends the benefit itself on the 10th of M(-2) (paid
    through M(-3)) — for non-certification, or for a cause the register cannot see.
    Staff's restoration back-paying M(-1) (238.00) and resuming from M(0) was approved:
    payment resumed to someone who has not proved to be alive for 15 months (a voided
    termination is refused in the same case). Refused (``restoration-other-suspension``,
    nothing stored) until a passed certification; then restored."""
    app = office.client.app
    person = office.people.person()
    await office.certified_in_app(person, f"{label(-15)}-15T10:00:00+08:00")
    since = month_day(-2, 10).isoformat()
    await office.roster(person, status="suspended", suspended_since=since, paid_through=label(-3))
    before = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", back_pay(person, since, -1, -1))
    assert (status, body.get("type")) == (409, PROBLEM + "restoration-other-suspension"), body
    assert label(-3) in body["detail"], body
    assert await office.ledger_size() == before
    await office.certified_in_app(person)
    await office.approved("restorations", "town-1", back_pay(person, since, -1, -1))
    assert await app[STORE].counted_months(person["id_number"], "back_paid") == {label(-1)}


async def test_a_disappearance_ended_by_its_restoration_stops_and_refunds_its_recovery(
    office: Office,
) -> None:
    """Missing since the 10th of M(-6), paid through M(-1): confirmed, the hub suspends and
    recovers M(-5)..M(-1), 5 x 238.00 = 1,190.00; 476.00 is recovered. The province
    suspends (since the 10th of M(-6), paid through M(-1)). The person is found: staff's
    restoration of that very suspension (README: "the person found, the months missing
    owed") back-pays M(0) (238.00) and resumes from M(+1), approved. The months missing
    were owed too, yet the overpayment stays open: 714.00 more to recover from a living
    pensioner and the 476.00 taken never refunded — as the voided termination's
    overpayment is (re-signed ``voided``, ``recovered_amount`` the refund)."""
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    missing = month_day(-6, 10)
    task = await office.reported(person, "missing", missing)
    status, body = await office.step(task, "county-1", "confirmed", event_date=missing.isoformat())
    assert status == 202, body
    status, over = await overpayment_of(office, task)
    assert (status, over["amount"], over["months"]) == (200, "1190.00", 5), over
    path = f"/v1/overpayments/{task}/recoveries"
    status, body = await office.post(path, "det-1", recovery(task, "476.00", reference="BR-9"))
    assert status == 202, body
    since = missing.isoformat()
    await office.roster(person, status="suspended", suspended_since=since, paid_through=label(-1))
    await office.approved("restorations", "town-1", back_pay(person, since, 0, 0))

    _, over = await overpayment_of(office, task)
    assert (over["status"], over["recovered"], over["remaining"]) == ("voided", "476.00", "0.00")
    status, body = await office.post(path, "det-1", recovery(task, "238.00", reference="BR-10"))
    assert (status, body.get("type")) == (409, PROBLEM + "overpayment-settled"), body
