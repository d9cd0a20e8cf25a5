"""Through the hub's HTTP API: a release stated after the imprisonment's balance was written
off refunds what was recovered of the months cut, and says what is left of the write-off.

Months are counted from this month (China time) — in December 2026: on the roster at 238.00,
paid through ``M(-1)``; jailed on the 10th of ``M(-9)``, confirmed with no end stated:
``M(-8)..M(-1)`` = 1,904.00 overpaid. 714.00 recovered, the remaining 1,190.00 written off.
The release (the last day of ``M(-7)``) is approved: the balance is ``M(-8)..M(-7)`` = 476.00,
recovered in full — nothing written off any more, its status ``recovered`` (it stayed
``written_off`` with 0.00 written off, while its records said ``recovered``) — and 238.00
is refunded. With 238.00 recovered instead, 238.00 of the months kept stays written off.
"""

from __future__ import annotations

import pytest
from procedurekit import Office, write_off
from releasekit import balance, jailed_while_paid, recovered, released_restoration


async def written_off(office: Office, task: str, remaining: str) -> None:
    """What remains of ``task``'s overpayment (``remaining``) written off at two levels."""
    path = f"/v1/overpayments/{task}/write-offs"
    item = await office.accepted("write-offs", "det-1", write_off(task, remaining), path=path)
    status, body = await office.decide("write-offs", item, "county-1", "approve")
    assert status == 202, body


@pytest.mark.parametrize(
    ("taken", "left", "after"),
    [
        ("714.00", "1190.00", ("476.00", "0.00", "recovered", "238.00")),
        ("238.00", "1666.00", ("238.00", "238.00", "written_off", "0.00")),
    ],
)
async def test_a_release_after_a_write_off(
    office: Office, taken: str, left: str, after: tuple[str, str, str, str]
) -> None:
    person, task = await jailed_while_paid(office)
    assert (await recovered(office, task, taken, "BR-1"))[0] == 202
    await written_off(office, task, left)
    assert (await balance(office, task))[-1] == "written_off"
    await office.approved("restorations", "town-1", await released_restoration(office, person))

    status, body = await office.get(f"/v1/overpayments/{task}", "county-1")
    assert status == 200, body
    got = (body["recovered"], body["written_off"], body["status"], body["refunded"])
    assert (body["months"], body["amount"]) == (2, "476.00")
    assert got == after
