"""Back pay of a month not come yet, for a suspension begun months ago (rule 7: arrears).

238.00 a month, months counted from this one (China time). Suspended on the 3rd of M(-4),
paid through M(-4). The one-month-ahead allowance exists so that a suspension begun *this*
month can back-pay at least one month (M(+1)); a suspension begun in M(-4) back-pays
M(-3)..M(0) without it. Today M(-3)..M(+1) = 5 x 238.00 = 1,190.00, resumed from M(+2), is
accepted: M(+1)'s 238.00 is paid before the month comes, to someone who may die in it.
"""

from __future__ import annotations

from procedurekit import Office, back_paid_months, month_day
from questionkit import decision_wanted
from restorationkit import PROBLEM

from certhub.hub.core.keys import STORE


@decision_wanted(
    "may a restoration of a suspension begun before this month "
    "back-pay next month in advance (today accepted), or only up to this month?"
)
async def test_an_old_suspension_back_pays_no_month_ahead(office: Office) -> None:
    person = office.people.person()
    since = month_day(-4, 3)
    await office.suspended(person, since)
    ahead = back_paid_months(person, since, -3, 1, "1190.00")
    size = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", ahead)
    assert (status, body.get("type")) == (422, PROBLEM + "restoration-period-invalid"), body
    assert await office.ledger_size() == size
    assert await office.client.app[STORE].counted_months(person["id_number"], "back_paid") == set()
