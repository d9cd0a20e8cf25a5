"""A reader's list of items under review by kind, status, region and area, on both backends.

The hub opens its own proposals as items in the same transaction as their
cause (a restoration proposal beside the comparison's clearing step): the
record at the next sequence is the item, listed with its review status.
"""

from __future__ import annotations

from datetime import timedelta

from ledger_backends import Ledger
from ledgerkit import T0, hub_record, receipt, unsigned_message

from certhub.hub.store import PageQuery
from certhub.hub.store.effects import Effects, HubRecord, ItemOpen, ItemUpdate
from certhub.security.scopes import parse_area

KIND = "restoration_proposal"


def proposal(n: int, county: str, village: str | None = None) -> HubRecord:
    """The hub's proposal ``p{n}`` about a person of ``county`` (and ``village``)."""
    return hub_record(
        n,
        message_type="restoration_proposal/v1",
        message_id=f"p{n}",
        county=county,
        reason="death",
        period="2026-12",
        person_id=f"P{n}",
        village=village,
        item=ItemOpen(KIND),
    )


async def test_the_hubs_proposals_are_listed_open_by_region_area_and_cursor(ledger: Ledger) -> None:
    places = [("440103", "440103001201"), ("440103", None), ("440104", None)]
    sequences = []
    for n, (county, village) in enumerate(places, start=1):
        cause = unsigned_message(n, received_at=T0 + timedelta(seconds=n))
        effects = Effects(outcomes=(proposal(n, county, village),))
        made = await ledger.append(cause, receipt, effects)
        sequences.append(made.record.sequence + 1)  # the proposal follows its cause
    # another kind of item is never listed
    await ledger.append(unsigned_message(9), receipt, Effects(item=ItemOpen("restoration")))

    def ids(records: object) -> list[str]:
        return [r.message_id for r in records]  # type: ignore[attr-defined]

    everything = await ledger.list_items(KIND, PageQuery(0, 10), statuses=("received",))
    assert ids(everything) == ["p1", "p2", "p3"]
    assert {r.status for r in everything} == {"received"}
    assert everything[0].sequence == sequences[0]
    page = await ledger.list_items(KIND, PageQuery(0, 1), statuses=("received",))
    assert ids(page) == ["p1"]
    rest = await ledger.list_items(KIND, PageQuery(page[-1].sequence, 10), statuses=("received",))
    assert ids(rest) == ["p2", "p3"]
    # a region prefix reads the village (else the county) of each record
    in_county = await ledger.list_items(KIND, PageQuery(0, 10, "440103"), statuses=("received",))
    assert ids(in_county) == ["p1", "p2"]
    in_village = await ledger.list_items(
        KIND, PageQuery(0, 10, "440103001201"), statuses=("received",)
    )
    assert ids(in_village) == ["p1"]
    area = parse_area("440104")
    inside = await ledger.list_items(KIND, PageQuery(0, 10, None, area), statuses=("received",))
    assert ids(inside) == ["p3"]

    # accepted: listed among the open ones, not among the received only
    update = ItemUpdate(sequences[1], 0, "accepted", "town-1", None)
    await ledger.append(unsigned_message(10), receipt, Effects(item_update=update))
    opened = await ledger.list_items(KIND, PageQuery(0, 10), statuses=("received", "accepted"))
    assert [(r.message_id, r.status) for r in opened] == [
        ("p1", "received"), ("p2", "accepted"), ("p3", "received"),
    ]  # fmt: skip
    received = await ledger.list_items(KIND, PageQuery(0, 10), statuses=("received",))
    assert ids(received) == ["p1", "p3"]
