"""A voided termination the province applied, restored with no month to back-pay: is the
province told to pay again? (a decision wanted: restoration/v1 cannot say it).

238.00 a month, months from this one (China time). A false cremation on the 3rd of M(-2),
confirmed while the roster paid through M(-2); civil affairs voided the record in M(-1)
(the hub's restoration proposal opened), and the province's entry says terminated, paid
through M(-1); the proposal approved in M(0). Nothing is owed as back pay (M(-2) and M(-1)
were paid, and owed: no overpayment), so no ``restoration/v1`` is signed: its
``back_pay_from``..``back_pay_to`` is at least one month. The province's roster still says
terminated, and what it pulls says "the benefit restored (no month unpaid, no back pay)"
only in free text (the re-signed task's remarks) and in the proposal's review status: no
signed ``restore_from`` tells it to pay 238.00 again from M(0). Had the province paid
through M(-2) only, the same approval signs ``restoration/v1`` (back pay M(-1) = 238.00,
restore_from the 1st of M(0): reversalkit.restored_once): the instruction to resume
depends on whether a month is left to back-pay.

Not yet (strict xfail): telling it needs a wire change - a ``restoration/v1`` with no
back-pay months (``back_pay_from``/``back_pay_to`` absent, ``back_pay_amount`` 0.00), or
``restore_from`` on the approved proposal - which is the product's call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from questionkit import decision_wanted
from reversalkit import THIS_MONTH, VOIDED_IN, approved, outcomes, proposed

from certhub.hub.core.keys import STORE


@decision_wanted("restoration/v1 cannot resume payment with no month to back-pay")
async def test_a_terminated_roster_restored_with_nothing_to_back_pay_is_told_to_pay_again(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, _task, proposal = await proposed(tmp_path, aiohttp_client)
    number = person["id_number"]
    await office.roster(person, status="terminated", paid_through=VOIDED_IN)
    status, body = await approved(office, proposal["sequence"])
    assert status == 202, body
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) is None  # the hub holds the benefit restored
    assert await store.counted_months(number, "resumed") == {THIS_MONTH}
    _, task = await office.get(f"/v1/verification-tasks/{_task}")
    assert "no month unpaid, no back pay" in task["remarks"], task
    status, _ = await office.get(f"/v1/overpayments/{_task}")
    assert status == 404  # paid through M(-1) once the termination was voided: owed, paid
    # What the province pulls to pay 238.00 a month again from M(0): a signed restore_from.
    resumed = [o["payload"]["restore_from"] for o in await outcomes(office, "restoration/v1")]
    assert resumed == [f"{THIS_MONTH}-01"]
    await office.client.close()
