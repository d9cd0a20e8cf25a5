"""Through the hub's HTTP API: a prisoner with no end of sentence stated, restored on release.

Months are counted from this month (China time), ``M(-9)`` nine months ago — in December
2026 the brief's vectors exactly: jailed on 2026-03-10 (``M(-9)``), no end stated, the
county confirms it; the province suspended the person from that day, paid through
``M(-9)`` (the event's month is payable). Released on 2026-05-31 (the last day of
``M(-7)``): ``M(-8)..M(-7)`` (2026-04..05) are prison months, never paid; back pay of
``M(-6)..M(-1)`` (2026-06..11) = 6 x 238.00 = 1428.00, payment resumed this month.

Before, the hub had no way to learn the release: with no end stated it refused every
restoration of the person (``restoration-finding-confirmed``) for ever.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from procedurekit import Office, evidence_payloads, month_day, month_end, restoration, today

PROBLEM = "urn:certhub:problem:"


async def jailed(office: Office) -> dict[str, Any]:
    """A person suspended from M(-9) 10th, imprisoned that day: confirmed, no end stated."""
    person = office.people.person()
    await office.suspended(person, month_day(-9, 10))
    task = await office.reported(person, "imprisonment", month_day(-9, 10))
    status, body = await office.step(
        task, "county-1", "confirmed", event_date=month_day(-9, 10).isoformat()
    )
    assert status == 202, body
    return person


async def release_of(office: Office, day: date) -> dict[str, Any]:
    """The release stated on a restoration: ``day`` and the stored release record (a PDF)."""
    digest = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    evidence = {"sha256": digest, "kind": "court_judgment", "media_type": "application/pdf"}
    return {"released_on": day.isoformat(), "release_evidence": evidence}


def since_release(person: dict[str, Any], release: dict[str, Any]) -> dict[str, Any]:
    """Back pay of M(-6)..M(-1) = 1428.00, the release stated."""
    return (
        restoration(
            person,
            month_day(-9, 10),
            back_pay_from=month_day(-6).isoformat(),
            back_pay_amount="1428.00",
        )
        | release
    )


async def refused(
    office: Office, payload: dict[str, Any], status: int, slug: str | None = None
) -> None:
    """Filing ``payload`` is refused with ``status`` (and ``slug``), nothing stored."""
    size = await office.ledger_size()
    got, body = await office.post("/v1/restorations", "town-1", payload)
    assert got == status, body
    if slug is not None:
        assert body["type"] == PROBLEM + slug, body
    assert await office.ledger_size() == size


async def test_released_the_months_since_release_are_restored(office: Office) -> None:
    person = await jailed(office)
    release = await release_of(office, month_end(-7))
    everything = restoration(person, month_day(-9, 10))  # M(-8)..M(-1): 8 x 238.00
    assert everything["back_pay_amount"] == "1904.00"
    await refused(office, everything, 409, "restoration-finding-confirmed")  # no end known
    await refused(office, everything | release, 409, "restoration-finding-confirmed")  # prison
    may_on = since_release(person, release) | {
        "back_pay_from": month_day(-7).isoformat(), "back_pay_amount": "1666.00"
    }  # fmt: skip
    await refused(office, may_on, 409, "restoration-finding-confirmed")  # M(-7) in prison

    await office.approved("restorations", "town-1", since_release(person, release))
    _, page = await office.get("/v1/restorations")
    (restored,) = page["items"]
    assert restored["status"] == "approved"
    payload = restored["payload"]
    assert (payload["back_pay_from"], payload["back_pay_to"], payload["back_pay_amount"]) == (
        month_day(-6).isoformat(),
        month_end(-1).isoformat(),
        "1428.00",
    )
    assert payload["released_on"] == month_end(-7).isoformat()
    # the approved restoration ended the hub's suspension: no imprisonment stands now
    await refused(office, since_release(person, release), 409, "restoration-no-imprisonment")


async def test_a_release_out_of_place_is_refused_and_stores_nothing(office: Office) -> None:
    person = await jailed(office)
    before = await release_of(office, month_day(-9, 10) - timedelta(days=1))
    tomorrow = await release_of(office, today() + timedelta(days=1))
    await refused(office, since_release(person, before), 422, "restoration-release-invalid")
    await refused(office, since_release(person, tomorrow), 422, "restoration-release-invalid")
    release = await release_of(office, month_end(-7))
    unproven = since_release(person, {"released_on": month_end(-7).isoformat()})
    await refused(office, unproven, 422)  # a release without its evidence
    unstored = release | {"release_evidence": release["release_evidence"] | {"sha256": "0" * 64}}
    await refused(office, since_release(person, unstored), 422, "evidence-missing")

    never_jailed = office.people.person()
    await office.suspended(never_jailed, month_day(-9, 10))
    await refused(office, since_release(never_jailed, release), 409, "restoration-no-imprisonment")
    _, page = await office.get("/v1/restorations")
    assert page["items"] == []


async def test_an_open_death_verification_holds_a_release(office: Office) -> None:
    person = await jailed(office)
    payload = since_release(person, await release_of(office, month_end(-7)))
    status, body = await office.post("/v1/restorations", "town-1", payload)
    assert status == 202, body
    item = int(body["sequence"])
    assert (await office.decide("restorations", item, "town-1", "accept"))[0] == 202
    task = await office.reported(person, "death", month_day(-2, 15))

    size = await office.ledger_size()
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "restoration-verification-open"), body
    assert await office.ledger_size() == size
    status, body = await office.step(task, "county-1", "cleared")
    assert status == 202, body
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert status == 202, body


async def test_a_release_does_not_lift_a_disappearance(office: Office) -> None:
    person = await jailed(office)
    gone = await office.reported(person, "missing", month_day(-5, 2))
    status, body = await office.step(
        gone, "county-1", "confirmed", event_date=month_day(-5, 2).isoformat()
    )
    assert status == 202, body
    payload = since_release(person, await release_of(office, month_end(-7)))
    await refused(office, payload, 409, "restoration-finding-confirmed")
