"""Through the hub's HTTP API: months an imprisonment's overpayment recovered were paid; a
release stated on the restoration refunds what was recovered of them, it does not back-pay them.

238.00 a month (the kit's roster). Paid through ``M(-1)``, jailed on the 10th of ``M(-9)`` and
confirmed with no end stated: ``M(-8)..M(-1)`` = 1,904.00 overpaid (the roster showed them
paid). The province's later entry says the person suspended from that day and paid through
``M(-9)`` only (rewritten). Staff's restoration states the release on the last day of
``M(-7)`` and back-pays ``M(-6)..M(-1)`` = 1,428.00: the approval would cut those months off
the overpayment (refunding what was recovered of them) and pay them a second time. As a
voided termination's restoration is (whatever a later roster says), it is
``restoration-period-invalid`` (422), nothing stored; ``M(0)`` alone is accepted.
"""

from __future__ import annotations

from procedurekit import Office, month_day, month_end
from releasekit import jailed_while_paid, released_restoration

PROBLEM = "urn:certhub:problem:"


async def test_months_recovered_are_not_back_paid_on_release(office: Office) -> None:
    person, _ = await jailed_while_paid(office, suspended_paid_through=-9)
    # released on the last day of M(-7); M(0) alone back-paid (238.00), resumed from M(1)
    this_month = await released_restoration(office, person)
    assert (
        this_month["released_on"], this_month["back_pay_from"], this_month["back_pay_to"],
        this_month["back_pay_amount"], this_month["restore_from"],
    ) == (
        month_end(-7).isoformat(), month_day(0).isoformat(), month_end(0).isoformat(),
        "238.00", month_day(1).isoformat(),
    )  # fmt: skip
    payload = this_month | {
        "back_pay_from": month_day(-6).isoformat(), "back_pay_to": month_end(-1).isoformat(),
        "back_pay_amount": "1428.00", "restore_from": month_day(0).isoformat(),
    }  # fmt: skip
    size = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", payload)
    assert (status, body.get("type")) == (422, PROBLEM + "restoration-period-invalid"), body
    assert await office.ledger_size() == size
    status, body = await office.post("/v1/restorations", "town-1", this_month)
    assert status == 202, body
