"""A restoration proposal approved while a roster entry is in flight pays no month twice.

238.00 a month, months from this one (China time). A false cremation on the 3rd of M(-2),
confirmed while the roster paid through M(-2), voided by civil affairs; the province applied
the termination (terminated, paid through M(-2)), town staff accepted the hub's proposal. The
province's entry — active, paid through M(0): it paid M(-1)..M(0) itself — commits while the
county's approval is in flight (racekit: both planned, the entry first). Approved after the
entry, the proposal back-pays nothing (no ``restoration/v1`` signed). Before, the approval
planned on the terminated entry answered 202 and signed back pay of M(-1) = 238.00, a month
the province had paid: 238.00 paid twice. Now it is refused (``conflict``, nothing stored:
the person's guard, ``hub/store/person_guard.py``) and, decided again, approved on the entry
that committed: nothing back-paid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import roster_entry
from racekit import DECISION, ENTRY, approval, second_refused, sent
from reversalkit import outcomes, proposed_applied

from certhub.hub.core.keys import STORE


async def test_a_proposal_approved_while_an_entry_shows_the_months_paid_pays_none(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, _, item = await proposed_applied(tmp_path, aiohttp_client)
    store = office.client.app[STORE]
    status, body = await office.decide("restoration-proposals", item, "town-1", "accept")
    assert status == 202, body
    decided = (f"/v1/restoration-proposals/{item}/decisions", "county-1", approval(item))
    paid = ("/v1/roster", "province", roster_entry(person))  # paid through M(0)
    await second_refused(ENTRY, DECISION, (sent(office, *paid), sent(office, *decided)), store)
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert status == 202, body
    assert await outcomes(office, "restoration/v1") == []  # M(-1)..M(0) paid: no back pay
    assert await store.counted_months(person["id_number"], "back_paid") == set()
