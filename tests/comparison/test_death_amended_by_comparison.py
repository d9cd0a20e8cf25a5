"""The comparison's direct evidence dating a confirmed death in an earlier month opens an
amendment; one dating it later is linked, as before.

Months from this one (China time): civil affairs records a cremation on the 3rd of M(-2)
in the M(-2) feed; the task it opens is confirmed with that date, the roster paid through
M(0): M(-1)..M(0) = 2 x 238.00 = 476.00. The M(-1) feed brings a second cremation record
of the same person dated the 3rd of M(-3): the run opens a ``termination_amendment/v1``;
approved, M(-2) = 238.00 more is recovered (714.00 in all).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amendmentkit import confirmed_from_feeds
from reversalkit import DIED, DIED_IN, EARLIER, THIS_MONTH, VOIDED_IN, audited, outcomes

from certhub.hub.rules.months import month_index, month_label
from certhub.mocks.population import Population

LATER = VOIDED_IN + "-05"


async def scene(tmp: Path, aiohttp_client: Any, second: str) -> tuple[dict[str, Any], str, Any]:
    """The death confirmed from the M(-2) feed; the M(-1) feed's record dated ``second``:
    the M(-1) run's ledger tally, the task and an office."""
    person = Population(seed=29).person()
    later = {VOIDED_IN: f"C1,{person['id_number']},某人,,,cremation,{second},\n"}
    case, task = await confirmed_from_feeds(tmp, aiohttp_client, person, later)
    ledger = await case.compare(VOIDED_IN)
    return ledger, task, await case.office(aiohttp_client)


async def test_an_earlier_record_opens_an_amendment(tmp_path: Path, aiohttp_client: Any) -> None:
    ledger, task, office = await scene(tmp_path, aiohttp_client, EARLIER.isoformat())
    # the run's one report opened the amendment; before, it was tallied linked_to_closed
    assert ledger["reports"] == {"amendment_opened": 1}
    metrics = await (await office.client.get("/metrics")).text()
    for outcome, count in (("amendment_opened", 1), ("linked_to_closed", 0)):
        line = f'certhub_comparison_ledger_reports{{outcome="{outcome}",scope="all"}} {count}.0'
        assert line in metrics, outcome
    (amendment,) = await outcomes(office, "termination_amendment/v1")
    payload = amendment["payload"]
    assert (payload["task_id"], payload["event_date"], payload["amended_event_date"]) == (
        task,
        DIED.isoformat(),
        EARLIER.isoformat(),
    )
    assert payload["source"].startswith("adapter:comparison ")
    assert await audited(office, "amendment_opened") != []
    item = int(amendment["sequence"])
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("termination-amendments", item, "county-1", "approve")
    assert status == 202, body
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert (body["amount"], body["remaining"]) == ("714.00", "714.00")
    runs = [
        (o["payload"]["period_from"][:7], o["payload"]["period_to"][:7], o["payload"]["amount"])
        for o in await outcomes(office, "overpayment/v1")
    ]
    died = month_index(DIED)
    assert runs == [
        (month_label(died + 1), THIS_MONTH, "476.00"),
        (DIED_IN, DIED_IN, "238.00"),
    ]


async def test_a_later_record_is_linked(tmp_path: Path, aiohttp_client: Any) -> None:
    ledger, task, office = await scene(tmp_path, aiohttp_client, LATER)
    assert ledger["reports"] == {"linked_to_closed": 1}
    assert await outcomes(office, "termination_amendment/v1") == []
    assert await audited(office, "report_linked") != []
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["amount"]) == (200, "476.00")
