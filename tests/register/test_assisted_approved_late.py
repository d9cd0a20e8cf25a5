"""A question for the province about the certification of record when a staff-assisted
certification is approved after a later one, as a strict xfail (decision wanted). Both
ledger backends."""

from __future__ import annotations

from datetime import date

from ledger_backends import Ledger
from ledgerkit import receipt, unsigned_message
from questionkit import decision_wanted
from registerkit import certification, certify, entry, person

from certhub.hub.rules.cycle import Certified, fold
from certhub.hub.store import RecordKind
from certhub.hub.store.effects import Effects, ItemOpen


@decision_wanted(
    "an assisted certification approved after a later one is folded "
    "in approval order live, in ledger order when the register is folded again"
)
async def test_a_counter_certification_approved_after_an_app_one(ledger: Ledger) -> None:
    """A pensioner certifies at the counter on 31 March 2026 (the county approves it on 2
    April) and in the app on 1 April 2026, then in the app on 20 March 2027. The cycle rule
    takes certifications "in ledger order" (README, "The cycle"; rules.cycle.fold; the
    register's backfill and its refold when a 免办 certification is withdrawn): the counter
    one is the record (2026-03), the app one of April is linked, and 20 March 2027 — 12
    months after the record's month — is the next cycle's record. The live register takes
    the counter certification when it is approved ("counts when the county approves it"):
    April's is the record already, the counter one is linked to it, and March 2027 is only
    11 months after April — linked, never counted (the KPI ``records`` of 2027-03 and the
    summary's people certified miss this pensioner). A later refold of the same history
    counts them. Question: is an assisted certification placed by its own record (ledger
    order: proposed, so the two paths agree) or by its approval?"""
    who = person(1)
    counter = certification(1, who, date(2026, 3, 31), "counter", "counter")
    item = await ledger.append(counter, receipt, Effects(item=ItemOpen("certification")))
    visit = item.record.sequence
    app = await certify(ledger, 2, who, date(2026, 4, 1))
    approval = unsigned_message(3, kind=RecordKind.DECISION, message_type="decision/v1")
    await ledger.append(approval, receipt, entry(counter, date(2026, 3, 31), visit))
    later = await certify(ledger, 4, who, date(2027, 3, 20))
    expected = fold(
        [
            Certified(visit, date(2026, 3, 31)),
            Certified(app, date(2026, 4, 1)),
            Certified(later, date(2027, 3, 20)),
        ]
    )
    assert expected is not None
    links = [(c.sequence, c.of_record) for c in await ledger.register_certifications(who)]
    # the live register: [(visit, app), (app, app), (later, app)]
    assert sorted(links) == sorted(expected.links)
