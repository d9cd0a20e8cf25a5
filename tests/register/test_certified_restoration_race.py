"""Two certifications ending the hub's suspension for non-certification at once open one
restoration proposal, and both are recorded; SQLite and PostgreSQL. 238.00 a month, months
counted from this one (China time).

Last certified in the app on the 15th of M(-15) (due M(-3)), suspended by the hub on the
approved proposal from the 1st of M(-2), the province having applied it (paid through
M(-3)). The pensioner certifies in the app twice at once today (two phones, or the app and
the national platform): both planned before either commits (racekit.together), each
planning the proposal ``restoration-proposal:<suspension>``. Before, the second's append hit
the proposal's unique id and the certification was refused (409 ``conflict``: a valid proof
of life not recorded). Now both are 202 and stored, one ``restoration_proposal/v1`` opened;
approved, it back-pays M(-2)..M(-1) = 2 x 238.00 = 476.00 once, payment resumed from M(0).
"""

from __future__ import annotations

import asyncio

from latekit import label
from notcertifiedkit import open_proposals, restoration_signed, suspended_by_the_hub
from procedurekit import Office, app_event, month_day
from racekit import sent, together
from reversalkit import outcomes

from certhub.hub.core.keys import STORE


async def test_two_certifications_at_once_open_one_proposal(office_db: Office) -> None:
    office = office_db
    store = office.client.app[STORE]
    person = office.people.person()
    number = person["id_number"]
    await suspended_by_the_hub(office, person)
    before = await office.ledger_size()
    first = app_event(person, app="app_12333")
    second = app_event(person, app="app_gdrs")
    with together(store, 2):
        answers = await asyncio.gather(
            sent(office, "/v1/certifications", "channel", first),
            sent(office, "/v1/certifications", "channel", second),
        )
    for status, body, party, jti in answers:
        assert status == 202, body  # a valid certification: recorded
        assert await store.find(party, jti) is not None
    assert await office.ledger_size() == before + 3  # two certifications, one proposal
    (proposal,) = await open_proposals(office)
    assert len(await outcomes(office, "restoration_proposal/v1")) == 1
    signed = await restoration_signed(office, int(proposal["sequence"]))
    assert signed["back_pay_from"] == month_day(-2).isoformat()
    assert (signed["monthly_amount"], signed["back_pay_amount"]) == ("238.00", "476.00")
    assert signed["restore_from"] == month_day(0).isoformat()
    assert await store.counted_months(number, "back_paid") == {label(-2), label(-1)}
    assert await store.counted_months(number, "resumed") == {label(0)}
