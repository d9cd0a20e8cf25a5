"""Through the hub's HTTP API: jailed twice — a release ends the sentence it belongs to,
not an earlier one served before the person was jailed again.

Months are counted from this month (China time) — in December 2026: on the roster at
238.00, paid through ``M(-1)`` (2026-11). Jailed on the 10th of ``M(-9)`` (2026-03-10),
confirmed with the sentence to the last day of ``M(-7)`` (2026-05-31): ``M(-8)..M(-7)`` =
476.00 overpaid; free from ``M(-6)``, paid. Jailed again on the 10th of ``M(-4)``
(2026-08-10), confirmed with no end stated: ``M(-3)..M(-1)`` = 714.00. The province
suspends the person from then. Staff's restoration states the release from the second
sentence, the last day of ``M(-2)``, and back-pays ``M(0)``; approved: the second
imprisonment keeps ``M(-3)..M(-2)`` = 476.00 (``M(-1)`` cut), the first stays 476.00.
Before the fix the release was read as the end of the first sentence too, later than the
end it stated: ``M(-6)..M(-4)`` — months the person was free — were added to it as prison
months (714.00 more, 1,190.00 to recover).
"""

from __future__ import annotations

from procedurekit import Office, back_paid_months, month_day
from releasekit import balance
from suspensionkit import confirmed, jailed, release_stated, suspended_paid


async def test_a_release_from_a_second_sentence_leaves_the_first_as_stated(
    office_db: Office,
) -> None:
    office = office_db
    person, first = await jailed(office, month_day(-9, 10), paid_through=-1, until=-7)
    second = await confirmed(office, person, "imprisonment", month_day(-4, 10))
    assert await balance(office, second) == (3, "714.00", "0.00", "714.00", "pending")
    await suspended_paid(office, person, month_day(-4, 10), -1)
    released = await release_stated(office, -2)
    payload = back_paid_months(person, month_day(-4, 10), 0, 0, "238.00", **released)
    await office.approved("restorations", "town-1", payload)

    assert await balance(office, second) == (2, "476.00", "0.00", "476.00", "pending")
    assert await balance(office, first) == (2, "476.00", "0.00", "476.00", "pending")
