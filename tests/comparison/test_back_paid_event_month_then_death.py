"""A death confirmed after the event month of a disappearance was back-paid on restoration
(hub/rules/restoration_findings.back_pay_start): what was back-paid after the death month is
recovered, the death month is not.

238.00 a month. As in test_true_finding_event_month: a false cremation of the 3rd of M-2
confirmed while paid through M-2, applied and voided; missing from the 20th of M-1
(confirmed); the person found, back pay of M-1..M0 (476.00) approved, both months claimed as
back-paid. Then a death is confirmed:

* on the 25th of M-1 (found dead after all): M-1 is the death month, payable; M0 was
  back-paid and is overpaid: 238.00.
* on the 10th of M-2: M-1..M0 were back-paid after the death month: 476.00 (M-2, paid
  through by the roster, is the death month).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from latekit import label
from procedurekit import back_paid_months, month_day
from reversalkit import DIED_IN, THIS_MONTH

from certhub.hub.core.keys import STORE

from .test_true_finding_event_month import voided_then_found


@pytest.mark.parametrize(
    ("died", "months", "amount"),
    [
        (month_day(-1, 25), [THIS_MONTH], "238.00"),
        (month_day(-2, 10), [label(-1), THIS_MONTH], "476.00"),
    ],
)
async def test_a_death_after_the_back_paid_event_month_recovers_what_followed_it(
    tmp_path: Path, aiohttp_client: Any, died: date, months: list[str], amount: str
) -> None:
    office, person, number = await voided_then_found(tmp_path, aiohttp_client, DIED_IN, "missing")
    found = back_paid_months(person, month_day(-1, 20), -1, 0, "476.00")  # M-1..M0
    await office.approved("restorations", "town-1", found)
    store = office.client.app[STORE]
    assert await store.counted_months(number, "back_paid") == {label(-1), THIS_MONTH}
    task = str((await office.reported_death(person, died))["task_id"])
    assert (await office.step(task, "town-1", "in_progress"))[0] == 202
    status, body = await office.step(task, "county-1", "confirmed", event_date=str(died))
    assert status == 202, body
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["amount"], body["months"]) == (200, amount, len(months)), body
    assert await store.counted_months(number, "recovered") == set(months)
