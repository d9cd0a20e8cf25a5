"""Hand-computed vectors: a restoration after an imprisonment, carrying the release.

The county confirmed an imprisonment on day E; the hub signed a suspension from E, with
the sentence's end (U) stated or not. With no end stated the hub could never restore the
person: every month after E's was a prison month. Staff now state the release (the
sentence's actual end, ``released_on``, with its evidence) on the restoration; town staff
accept it and the county approves it as any restoration, and the hub's rules read U as
the release: prison months are E's month + 1 .. U's month, never paid; back pay only
after the release month; payment resumes (``restore_from``) after it. 238.00 a month.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from certhub.hub.rules.restoration import HubFindings, check_restoration
from certhub.hub.rules.restoration_findings import HubSuspension
from certhub.schemas import BenefitRecord, Refusal, Restoration, SuspensionReason

from .conftest import restoration_of  # type: ignore[import-not-found]

EVIDENCE = {"sha256": "e" * 64, "kind": "court_judgment", "media_type": "application/pdf"}
PRISON = "imprisonment task-7"

# The main case: jailed 2026-03-10 with no end stated, checked 2026-12-06; the province
# suspended the person from E, paid through 2026-03 (E's month, payable).
JAILED = date(2026, 3, 10)
ON = date(2026, 12, 6)


def restoration(
    since: date, restore_from: date, start: date, end: date, amount: str, **fields: Any
) -> Restoration:
    """Town staff's restoration of the suspension since ``since`` (238.00 a month), paid to
    the account on file (no new ``bank_account``)."""
    filed: Restoration = restoration_of(
        datetime(2026, 1, 1, tzinfo=UTC), bank_account=None,
        suspended_since=since.isoformat(), restore_from=restore_from.isoformat(),
        back_pay_from=start.isoformat(), back_pay_to=end.isoformat(), back_pay_amount=amount,
        **fields,
    )  # fmt: skip
    return filed


def released(on: date) -> dict[str, Any]:
    """The release stated on a restoration: the day and its evidence."""
    return {"released_on": on.isoformat(), "release_evidence": EVIDENCE}


def jailed(e: date, until: date | None = None, *more: HubSuspension) -> HubFindings:
    """An imprisonment the hub suspended from ``e`` (sentence to ``until``; None: no end)."""
    return HubFindings((), (HubSuspension(PRISON, SuspensionReason.imprisonment, e, until), *more))


def check(r: Restoration, hub: HubFindings, on: date = ON) -> tuple[str, ...]:
    """The back-paid months, the roster suspended since ``r``'s date, paid through its month."""
    roster = BenefitRecord.model_validate(
        {
            "person": r.person,
            "status": "suspended",
            "suspended_since": r.suspended_since,
            "paid_through": r.suspended_since.strftime("%Y-%m"),
            "monthly_amount": "238.00",
            "bank_account_on_file": "6222***********0123",
            "as_of": datetime(2026, 1, 1, tzinfo=UTC),
        }
    )
    return check_restoration(r, roster, on=on, hub=hub).back_paid


def refused(r: Restoration, hub: HubFindings, on: date = ON) -> str:
    with pytest.raises(Refusal) as caught:
        check(r, hub, on)
    return caught.value.slug


def since_jailed(start: date, months: int, **fields: Any) -> Restoration:
    """Restoration of the suspension since 2026-03-10 from 2026-12-01, back pay ``start``
    .. 2026-11-30, ``months`` x 238.00."""
    return restoration(
        JAILED, date(2026, 12, 1), start, date(2026, 11, 30), f"{238 * months}.00", **fields
    )


JUNE_NOV = since_jailed(date(2026, 6, 1), 6, **released(date(2026, 5, 31)))  # 1428.00


def test_no_end_stated_and_no_release_restores_nothing() -> None:
    plain = since_jailed(date(2026, 6, 1), 6)
    assert refused(plain, jailed(JAILED)) == "restoration-finding-confirmed"


def test_released_on_may_31_back_pays_june_to_november() -> None:
    assert check(JUNE_NOV, jailed(JAILED)) == (
        "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11",
    )  # fmt: skip
    assert JUNE_NOV.back_pay_amount == 1428  # 6 x 238.00


def test_the_prison_months_april_and_may_are_never_paid() -> None:
    release = released(date(2026, 5, 31))
    april_on = since_jailed(date(2026, 4, 1), 8, **release)  # 1904.00
    may_on = since_jailed(date(2026, 5, 1), 7, **release)  # 1666.00
    assert refused(april_on, jailed(JAILED)) == "restoration-finding-confirmed"
    assert refused(may_on, jailed(JAILED)) == "restoration-finding-confirmed"


def test_released_on_the_first_of_a_month_that_month_is_a_prison_month() -> None:
    release = released(date(2026, 6, 1))
    assert refused(since_jailed(date(2026, 6, 1), 6, **release), jailed(JAILED)) == (
        "restoration-finding-confirmed"
    )
    july_on = since_jailed(date(2026, 7, 1), 5, **release)  # 1190.00
    assert check(july_on, jailed(JAILED))[0] == "2026-07"


def test_released_on_the_day_of_the_imprisonment_no_month_was_in_prison() -> None:
    april_on = since_jailed(date(2026, 4, 1), 8, **released(JAILED))  # 1904.00
    assert len(check(april_on, jailed(JAILED))) == 8


def test_a_release_before_the_imprisonment_or_in_the_future_is_refused() -> None:
    before = since_jailed(date(2026, 6, 1), 6, **released(date(2026, 3, 9)))
    assert refused(before, jailed(JAILED)) == "restoration-release-invalid"
    tomorrow = since_jailed(date(2026, 6, 1), 6, **released(date(2026, 12, 7)))
    assert refused(tomorrow, jailed(JAILED)) == "restoration-release-invalid"
    # released today: not in the future, but December is then a prison month
    today = since_jailed(date(2026, 6, 1), 6, **released(ON))
    assert refused(today, jailed(JAILED)) == "restoration-finding-confirmed"


def test_a_release_without_a_standing_imprisonment_is_refused() -> None:
    assert refused(JUNE_NOV, HubFindings()) == "restoration-no-imprisonment"
    gone = HubSuspension("missing task-8", SuspensionReason.missing, JAILED)
    assert refused(JUNE_NOV, HubFindings((), (gone,))) == "restoration-no-imprisonment"


def test_a_release_does_not_lift_a_suspension_for_another_cause() -> None:
    gone = HubSuspension("missing task-8", SuspensionReason.missing, date(2026, 4, 2))
    assert refused(JUNE_NOV, jailed(JAILED, None, gone)) == "restoration-finding-confirmed"


def test_a_release_with_a_verification_open_does_not_restore() -> None:
    hub = HubFindings(("death task-9",), jailed(JAILED).suspensions)
    assert refused(JUNE_NOV, hub) == "restoration-verification-open"


def test_the_release_is_the_sentence_s_actual_end_whatever_was_stated() -> None:
    # an early release from a sentence stated to 2027-03-31: restored from June
    assert check(JUNE_NOV, jailed(JAILED, date(2027, 3, 31)))[0] == "2026-06"
    # stated to 2026-04-30, released later (2026-05-31): May stays a prison month
    may_on = since_jailed(date(2026, 5, 1), 7, **released(date(2026, 5, 31)))
    assert refused(may_on, jailed(JAILED, date(2026, 4, 30))) == "restoration-finding-confirmed"


def test_year_end_release_on_new_year_s_eve_restores_from_january() -> None:
    e = date(2025, 11, 13)
    on = date(2026, 3, 5)
    jan_feb = restoration(  # 476.00
        e, date(2026, 3, 1), date(2026, 1, 1), date(2026, 2, 28), "476.00",
        **released(date(2025, 12, 31)),
    )  # fmt: skip
    dec_feb = restoration(  # 714.00: December in prison
        e, date(2026, 3, 1), date(2025, 12, 1), date(2026, 2, 28), "714.00",
        **released(date(2025, 12, 31)),
    )  # fmt: skip
    assert check(jan_feb, jailed(e), on) == ("2026-01", "2026-02")
    assert refused(dec_feb, jailed(e), on) == "restoration-finding-confirmed"
    on_new_year = restoration(  # January then a prison month
        e, date(2026, 3, 1), date(2026, 1, 1), date(2026, 2, 28), "476.00",
        **released(date(2026, 1, 1)),
    )  # fmt: skip
    assert refused(on_new_year, jailed(e), on) == "restoration-finding-confirmed"


def test_leap_year_release_on_february_29() -> None:
    e = date(2027, 11, 20)
    on = date(2028, 6, 10)
    release = released(date(2028, 2, 29))
    march_may = restoration(  # 3 x 238.00
        e, date(2028, 6, 1), date(2028, 3, 1), date(2028, 5, 31), "714.00", **release
    )
    feb_may = restoration(  # 4 x 238.00, February in prison
        e, date(2028, 6, 1), date(2028, 2, 1), date(2028, 5, 31), "952.00", **release
    )
    assert check(march_may, jailed(e), on) == ("2028-03", "2028-04", "2028-05")
    assert refused(feb_may, jailed(e), on) == "restoration-finding-confirmed"
    # released on 1 March: March a prison month, April..May (476.00) restored
    march_first = released(date(2028, 3, 1))
    april_may = restoration(
        e, date(2028, 6, 1), date(2028, 4, 1), date(2028, 5, 31), "476.00", **march_first
    )
    march_on = restoration(
        e, date(2028, 6, 1), date(2028, 3, 1), date(2028, 5, 31), "714.00", **march_first
    )
    assert refused(march_on, jailed(e), on) == "restoration-finding-confirmed"
    assert check(april_may, jailed(e), on) == ("2028-04", "2028-05")

    # checked on 29 February itself: released that day is not in the future, 1 March is
    # (December 2027 back-paid: a prison month either way, refused for that)
    def december(release: dict[str, Any]) -> Restoration:
        return restoration(
            e, date(2028, 3, 1), date(2027, 12, 1), date(2027, 12, 31), "238.00", **release
        )

    on_leap_day, after = december(release), december(march_first)
    assert refused(on_leap_day, jailed(e), date(2028, 2, 29)) == "restoration-finding-confirmed"
    assert refused(after, jailed(e), date(2028, 2, 29)) == "restoration-release-invalid"


def test_the_release_travels_with_its_evidence() -> None:
    with pytest.raises(ValueError, match="release_evidence"):
        since_jailed(date(2026, 6, 1), 6, released_on="2026-05-31")
    with pytest.raises(ValueError, match="released_on"):
        since_jailed(date(2026, 6, 1), 6, release_evidence=EVIDENCE)
