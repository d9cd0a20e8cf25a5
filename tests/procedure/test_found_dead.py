"""Through the hub's HTTP API: a missing person found dead — the months between the
disappearance and the death were owed; those after the death are the death's to recover.

Months are counted from this month (China time) — in December 2026: on the roster at
238.00, paid through ``M(-1)`` (2026-11). Missing since the 2nd of ``M(-6)`` (2026-06-02),
confirmed: ``M(-5)..M(-1)`` = 5 x 238.00 = 1,190.00 overpaid; 476.00 of it recovered. Found
dead: died on the 15th of ``M(-3)`` (2026-09-15), confirmed. The person was alive through
``M(-3)`` (the death month is payable): ``M(-5)..M(-3)`` = 714.00 were owed. The
disappearance's overpayment is voided (the 476.00 recovered refunded) and the death recovers
``M(-2)..M(-1)`` = 476.00. Before the fix the disappearance went on recovering 1,190.00 from
the family — 714.00 of months the person was alive — and the death nothing. Died before
going missing (the 15th of ``M(-8)``), the disappearance's months all came after the death:
it keeps them (1,190.00) and the death recovers ``M(-7)..M(-6)`` = 476.00. Those two cases
run beside the other causes of the end in test_found_terminated.py; here, what a death adds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from amendmentkit import amended_by_death_report
from foundkit import found
from procedurekit import Office, month_day
from releasekit import balance, label


async def test_a_late_entry_after_the_death_adds_to_the_death_alone(office_db: Office) -> None:
    office = office_db
    person, missing, death = await found(office, "death", month_day(-3, 15))
    # the province, late to stop, paid M(0) too: 238.00 more, to the death
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    await office.roster(person, paid_through=label(0), as_of=later)
    assert await balance(office, death) == (3, "714.00", "0.00", "714.00", "pending")
    assert await balance(office, missing) == (5, "1190.00", "476.00", "0.00", "voided")


async def test_an_amendment_dating_the_death_earlier_recovers_the_months_alive_no_more(
    office_db: Office,
) -> None:
    office = office_db
    person, _, death = await found(office, "death", month_day(-3, 15))
    # the province applies the termination, rewriting paid_through back to the disappearance
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    await office.roster(person, status="terminated", paid_through=label(-6), as_of=later)
    # a later record: died on the 15th of M(-5) — M(-4)..M(-3) were paid to the dead too
    await amended_by_death_report(office, person, month_day(-5, 15))
    assert await balance(office, death) == (4, "952.00", "0.00", "952.00", "pending")
