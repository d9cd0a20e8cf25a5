"""Through the hub's HTTP API: a missing person found no longer entitled for a cause other
than death — a loss of nationality or the receipt of another basic pension — was alive and
owed the months up to the event's, as a missing person found dead (test_found_dead.py).

Months are counted from this month (China time): on the roster at 238.00, paid through
``M(-1)``. Missing since the 2nd of ``M(-6)``, confirmed: ``M(-5)..M(-1)`` = 5 x 238.00 =
1,190.00 overpaid; 476.00 of it recovered. Then found: naturalised abroad (or drawing another
basic pension) from the 15th of ``M(-3)``, confirmed. The person was alive and entitled
through ``M(-3)`` (the event month is payable): ``M(-5)..M(-3)`` = 714.00 were owed. The
disappearance's overpayment is voided (the 476.00 recovered refunded) and the termination
recovers ``M(-2)..M(-1)`` = 476.00. Before the fix the disappearance went on recovering
1,190.00 — 714.00 of months the person was entitled to — and the termination nothing (its
months already counted). Dated before the disappearance (the 15th of ``M(-8)``), every month
the disappearance counts came after it: it keeps them (1,190.00), the termination recovers
``M(-7)..M(-6)`` = 476.00. Every case runs for a death too (the city's death report,
the cremation certificate attached): the same months.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from foundkit import found, missing_since
from procedurekit import Office, month_day
from releasekit import balance, label
from suspensionkit import confirmed

from certhub.hub.core.keys import STORE

KINDS = ("loss_of_nationality", "duplicate_receipt")

pytestmark = pytest.mark.parametrize("kind", ["death", *KINDS])


async def test_a_missing_person_found_no_longer_entitled_was_owed_the_months_before(
    office_db: Office, kind: str
) -> None:
    office = office_db
    person, missing, ended = await found(office, kind, month_day(-3, 15))

    assert await balance(office, missing) == (5, "1190.00", "476.00", "0.00", "voided")
    status, body = await office.get(f"/v1/overpayments/{missing}", "county-1")
    assert (status, body["refunded"]) == (200, "476.00"), body
    assert await balance(office, ended) == (2, "476.00", "0.00", "476.00", "pending")
    # paid all the same, whatever a later roster entry rewrites
    paid = await office.client.app[STORE].back_paid_months(person["id_number"])
    assert paid == {label(m) for m in range(-5, 0)}


async def test_ended_before_going_missing_the_disappearance_keeps_its_months(
    office_db: Office, kind: str
) -> None:
    office = office_db
    _, missing, ended = await found(office, kind, month_day(-8, 15))

    assert await balance(office, missing) == (
        5,
        "1190.00",
        "476.00",
        "714.00",
        "partially_recovered",
    )
    assert await balance(office, ended) == (2, "476.00", "0.00", "476.00", "pending")


async def test_months_paid_late_while_missing_before_the_event_are_owed(
    office_db: Office, kind: str
) -> None:
    """Missing since the 2nd of M(-6) and ended on the 15th of M(-3), both confirmed while
    paid through M(-6) (nothing overpaid); the province, late to stop, shows paid through
    M(-1): M(-5)..M(-3) were owed (alive), M(-2)..M(-1) = 476.00 are the termination's."""
    office = office_db
    person = office.people.person()
    await office.roster(person, paid_through=label(-6))
    missing = await confirmed(office, person, "missing", missing_since())
    ended = await confirmed(office, person, kind, month_day(-3, 15))
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    await office.roster(person, paid_through=label(-1), as_of=later)

    assert await balance(office, ended) == (2, "476.00", "0.00", "476.00", "pending")
    status, body = await office.get(f"/v1/overpayments/{missing}", "county-1")
    assert status == 404, (body["months"], body["amount"])
