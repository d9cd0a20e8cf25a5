"""A voided termination's closure is lifted once, on both backends (issue 17, reversals)."""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import T0, message_series, receipt, refused

from certhub.hub.store import RecordKind
from certhub.hub.store.effects import BenefitClosure, Effects

# a county reviewer's decisions about P1
message = message_series(
    T0, kind=RecordKind.CERTIFICATION, message_type="decision/v1", sender="county-1", person_id="P1"
)


async def test_the_closure_named_is_lifted_once_and_a_later_termination_closes_again(
    ledger: Ledger,
) -> None:
    await ledger.append(message(1), receipt, Effects(closure=BenefitClosure("P1", "death", "t1")))
    # another task's closure is not the one checked: refused, nothing written
    stale = Effects(closure_lifted=BenefitClosure("P1", "death", "t0"))
    await refused(ledger, message(2), stale, "conflict")
    assert await ledger.closed_benefit("P1") == ("death", "t1")

    lifted = Effects(closure_lifted=BenefitClosure("P1", "death", "t1"))
    await ledger.append(message(3), receipt, lifted)
    assert await ledger.closed_benefit("P1") is None
    await refused(ledger, message(4), lifted, "conflict")  # lifted already
    # a true death confirmed later terminates the benefit again
    await ledger.append(message(5), receipt, Effects(closure=BenefitClosure("P1", "death", "t2")))
    assert await ledger.closed_benefit("P1") == ("death", "t2")
