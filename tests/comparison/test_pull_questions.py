"""A question for the province about public security's cancellation feed (strict xfail).

The pull is all or nothing (``hub/comparison/pull.py``): a department down leaves the
month's input folder as it was, and ``compare run --pull`` refuses the run, so that no
pensioner whose death only public security registered is certified as seen alive. The
same rule now covers one malformed record among thousands: a county code of four digits,
an authority's name over 100 characters, a reason code the service added (``05``). The
e-ID adapter refuses the whole page (``ResponseInvalid``), so every death of the month
waits until the department mends that one record, while the ministry's pull reports an
untranslatable record and takes the rest (``CertificationPage.rejected``).

Decision wanted: take the month's good records and name each refused one (its page and
position, never its ID number) in the pull's note and on stderr — and then may the run go
ahead, with the refused records' people not certified as seen alive (who are they, if
the ID number is what is malformed?), or only with an operator's say-so?
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from questionkit import decision_wanted

from certhub.adapters import ResponseInvalid
from certhub.adapters.eid.translate import cancellation_page


def _record(**changes: object) -> SimpleNamespace:
    """One QueryCancellations record as zeep hands it over (a death, Tianhe district)."""
    fields = {
        "IdNumber": "440106195003150021",
        "Name": "陈秀英",
        "Reason": "01",
        "CancelledOn": date(2026, 10, 9),
        "RegionCode": "440106",
        "Authority": "广州市公安局天河区分局",
    }
    return SimpleNamespace(**(fields | changes))


@decision_wanted(
    "one malformed cancellation refuses the whole month's deaths from public security"
    " (the page is refused; the ministry's pull rejects per record)",
    raises=ResponseInvalid,
)
@pytest.mark.parametrize(
    "changes",
    [{"RegionCode": "4401"}, {"Authority": "公安局" * 40}, {"Reason": "05"}],
    ids=["county", "authority", "reason"],
)
def test_one_malformed_cancellation_leaves_the_others(changes: dict[str, object]) -> None:
    good = _record(IdNumber="440106195208080045", Name="李桂芳")
    reply = SimpleNamespace(Cancellation=[good, _record(**changes)], NextPageToken=None)
    page = cancellation_page(reply)
    assert [item.id_number for item in page.items] == ["440106195208080045"]
