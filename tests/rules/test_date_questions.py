"""Questions for the province about the calendar, as strict xfails (decision wanted).

Each expected date is worked out by hand from the text it cites; the hub's own figure is
in the docstring.
"""

from __future__ import annotations

import json
from datetime import date

from pydantic import ValidationError
from questionkit import decision_wanted

from certhub.hub.rules.cycle import covered_until, liable_from, month_of
from certhub.hub.rules.restoration import needs_municipal
from certhub.schemas import CertificationEvent, check_character

PERSON = {
    "id_number": (first17 := "44010219500101123") + check_character(first17),
    "name": "陈大文",
    "region": {"county": "440103", "village": "440103001001"},
}


def accepted(occurred_at: str, valid_until: str) -> bool:
    """Whether a counter certification stating the validity the counter system gives it is
    accepted."""
    payload = {
        "type": "certification_event/v1",
        "person": PERSON,
        "method": "counter",
        "channel": {"kind": "counter", "code": "YF-01"},
        "outcome": "certified",
        "occurred_at": occurred_at,
        "operator": {"id": "town-1", "role": "town_staff"},
        "evidence": [
            {"sha256": "a" * 64, "kind": "id_image", "media_type": "image/png"},
            {"sha256": "b" * 64, "kind": "onsite_photo", "media_type": "image/png"},
        ],
        "valid_until": valid_until,
    }
    try:
        CertificationEvent.model_validate_json(json.dumps(payload, ensure_ascii=False))
    except ValidationError:
        return False
    return True


@decision_wanted("'suspended for more than a year' is read as more than 365 days")
def test_more_than_a_year_across_a_leap_day() -> None:
    """DESIGN.md §3 and §7: restoring a benefit suspended "for more than one year" / "more
    than a year" needs municipal approval. The hub counts more than 365 days
    (``needs_municipal``, the long-suspended list alike). Suspended from 1 March 2027, the
    day 29 February 2028 falls in between: on 1 March 2028 — one calendar year to the day,
    not more — it is the 366th day, so the hub already asks the city; by the calendar the
    county still decides that day and the city from 2 March 2028. (Outside a leap year the
    two readings agree: from 1 March 2026, the city from 2 March 2027 either way.) Question:
    is "a year" 365 days, or the same date a year later (proposed: municipal from the day
    after the anniversary, 29 February counted to 28 February)?"""
    suspended = date(2027, 3, 1)
    assert not needs_municipal(suspended, date(2028, 3, 1))  # exactly a year
    assert needs_municipal(suspended, date(2028, 3, 2))


@decision_wanted(
    "a channel's valid_until is bounded by 12 months + 1 day, not by the cycle the register keeps"
)
def test_a_stated_validity_agrees_with_the_cycle() -> None:
    """A certification in month M covers M+1..M+12 (README, "The cycle"): certified on 29
    February 2024 it covers through 28 February 2025 and the pensioner is liable to
    suspension from 1 March 2025; certified on 1 March 2026, covered through 31 March 2027.
    The schema bounds a stated ``valid_until`` by the anniversary plus one day instead
    (schemas/certification.py). So a counter system stating 1 March 2025 for the first is
    accepted and, after the county's approval, the pensioner's SMS says
    有效期至2025年03月01日 — the very day the hub lists them overdue and proposes their
    suspension; one stating 31 March 2027 for the second, the hub's own ``covered_until``,
    is refused (400) and the proof of life with it. Question: should ``valid_until`` be
    bounded by the cycle's last day (proposed: at most ``covered_until`` of the due month,
    so the SMS never promises a day the register does not)?"""
    leap = date(2024, 2, 29)
    assert covered_until(month_of(leap) + 12) == date(2025, 2, 28)
    assert liable_from(month_of(leap) + 12) == date(2025, 3, 1)
    # the hub now: (False, True)
    assert (
        accepted("2026-03-01T10:00:00+08:00", "2027-03-31"),
        accepted("2024-02-29T10:00:00+08:00", "2025-03-01"),
    ) == (True, False)
