"""A question for the province about the months between a restoration's back pay and the
month payment resumes, as a strict xfail (decision wanted)."""

from __future__ import annotations

from procedurekit import Office, back_paid_months, month_day, today
from questionkit import decision_wanted

from certhub.hub.rules.months import month_index, month_label


@decision_wanted("a restoration may leave months between its back pay and restore_from unpaid")
async def test_payment_resumes_the_month_after_the_back_pay(office: Office) -> None:
    """238.00 a month. The province suspended the benefit from the 1st of M(-3), paid through
    M(-4); the pensioner certified in the app today. Staff file a restoration back-paying
    M(-3)..M(-2) (476.00) with payment resumed from the 1st of M(+2): M(-1), M(0) and M(+1)
    are neither back-paid nor paid, and nothing the hub checks says so (202). The hub's own
    proposals always resume the month after the back pay (restoration_today), and the
    checks refuse a back pay running into restore_from's month, never a gap before it;
    only prison months may lie between (never paid: restoration_findings). Question: must
    payment resume the month after the back pay ends, prison months aside (proposed:
    otherwise ``restoration-period-invalid``, a month unpaid being as wrong as one paid
    twice)?"""
    person = office.people.person()
    before = month_label(month_index(today()) - 4)
    await office.roster(person, paid_through=before)
    await office.certified_in_app(person)
    await office.roster(
        person, status="suspended", suspended_since=month_day(-3).isoformat(), paid_through=before
    )
    gap = back_paid_months(
        person, month_day(-3), -3, -2, "476.00", restore_from=month_day(2).isoformat()
    )
    status, body = await office.post("/v1/restorations", "town-1", gap)
    problem = "urn:certhub:problem:restoration-period-invalid"
    assert (status, body.get("type")) == (422, problem), body  # the hub: 202
