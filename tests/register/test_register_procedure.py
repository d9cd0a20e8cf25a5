"""The register through the procedure: the roster by POST /v1/roster, a counter certification
counted only once the county approves it, a rejected one never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evidence_samples import png
from procedurekit import Office, counter_event

from certhub.schemas.clock import CHINA_STANDARD_TIME


async def village_entry(office: Office, person: dict[str, Any]) -> dict[str, Any]:
    """The person's entry in their village's people list, today."""
    area = person["region"].get("village") or person["region"]["county"]
    status, body = await office.get("/v1/register/people", area=area)
    assert status == 200, body
    found = [i for i in body["items"] if i["person"]["id_number"] == person["id_number"]]
    assert len(found) == 1
    return found[0]


async def counter_certification(office: Office, person: dict[str, Any]) -> int:
    # evidence of its own per certification: one photo certifies one person
    id_image = await office.upload(png(note=f"ID card {person['id_number'][-4:]}"), "image/png")
    photo = await office.upload(png(note=f"on site {person['id_number'][-4:]}"), "image/png")
    status, body = await office.post(
        "/v1/certifications", "channel", counter_event(person, id_image, photo)
    )
    assert status == 202, body
    return int(body["sequence"])


async def test_a_counter_certification_counts_once_the_county_approves(office: Office) -> None:
    person = office.people.person()
    await office.roster(person, contact_mobile="13800138000")
    assert (await village_entry(office, person))["status"] == "not_certified"
    item = await counter_certification(office, person)
    assert (await village_entry(office, person))["last_certification"] is None  # under review
    assert (await office.decide("certifications", item, "town-1", "accept"))[0] == 202
    assert (await village_entry(office, person))["last_certification"] is None
    assert (await office.decide("certifications", item, "county-1", "approve"))[0] == 202
    entry = await village_entry(office, person)
    today = datetime.now(CHINA_STANDARD_TIME).date()
    assert entry["last_certification"] == {
        "on": today.isoformat(),
        "method": "counter",
        "channel": "counter",
        "ledger_sequence": item,
    }
    assert entry["certification_of_record"] == {
        "ledger_sequence": item,
        "month": f"{today:%Y-%m}",
    }
    assert entry["status"] == "certified"
    # the same person through an app the same day: linked to the counter's record
    through_app = await office.certified_in_app(person, app="app_gdrs")
    entry = await village_entry(office, person)
    assert entry["certification_of_record"]["ledger_sequence"] == item
    assert entry["last_certification"]["ledger_sequence"] == through_app


async def test_a_rejected_or_failed_certification_never_counts(office: Office) -> None:
    person = office.people.person()
    await office.roster(person)
    item = await counter_certification(office, person)
    assert (await office.decide("certifications", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("certifications", item, "county-1", "reject"))[0] == 202
    await office.certified_in_app(person, outcome="failed")
    entry = await village_entry(office, person)
    assert (entry["status"], entry["last_certification"]) == ("not_certified", None)


async def test_single_roster_changes_reach_the_register_newest_first(office: Office) -> None:
    person = office.people.person()
    now = datetime.now(UTC)
    await office.roster(person, as_of=now.isoformat())
    since = (now - timedelta(days=400)).astimezone(CHINA_STANDARD_TIME).date().isoformat()
    await office.roster(
        person,
        status="suspended",
        suspended_since=since,
        as_of=(now + timedelta(seconds=1)).isoformat(),
    )
    await office.roster(person, as_of=(now - timedelta(days=1)).isoformat())  # older: ignored
    entry = await village_entry(office, person)
    assert (entry["status"], entry["roster_status"], entry["suspended_since"]) == (
        "suspended",
        "suspended",
        since,
    )
    status, body = await office.get("/v1/register/long-suspended")
    assert status == 200
    assert [i["person"]["id_number"] for i in body["items"]] == [person["id_number"]]


async def test_the_comparison_an_app_and_a_bank_terminal_count_one_person(office: Office) -> None:
    from datetime import date

    from certhub.hub.comparison.certify import ADAPTER_NAME, certification_event, message_id
    from certhub.hub.departments.context import certification_intake

    person = office.people.person()
    await office.roster(person)
    region = person["region"]
    app_event = {
        "type": "certification_event/v1",
        "person": person,
        "method": "face",
        "channel": {"kind": "app_12333"},
        "outcome": "certified",
        "occurred_at": "2026-03-02T10:00:00+08:00",
    }
    status, body = await office.post("/v1/certifications", "channel", app_event)
    assert status == 202, body
    record = int(body["sequence"])
    sender, ingestor = await certification_intake(office.client.app, ADAPTER_NAME)
    row = (
        person["id_number"],
        person["name"],
        region["county"],
        region.get("village"),
        date(2026, 4, 10),
        [],
    )
    await ingestor.ingest(
        sender, certification_event("2026-04", row), message_id("2026-04", person["id_number"])
    )
    bank = app_event | {
        "method": "fingerprint",
        "channel": {"kind": "bank_terminal", "code": "ICBC-0001"},
        "occurred_at": "2026-05-01T09:00:00+08:00",
    }
    assert (await office.post("/v1/certifications", "channel", bank))[0] == 202
    entry = await village_entry(office, person)
    assert entry["certification_of_record"] == {"ledger_sequence": record, "month": "2026-03"}
    last = entry["last_certification"]
    assert (last["on"], last["method"], last["channel"]) == (
        "2026-05-01",
        "fingerprint",
        "bank_terminal",
    )
    assert entry["due_month"] == "2027-05"
    area = region.get("village") or region["county"]
    status, summary = await office.get("/v1/register/summary", area=area, on="2026-06-30")
    assert status == 200, summary
    # one person counted, three certifications recorded (the comparison's among them)
    assert summary["last_12_months"] == {"people_certified": 1, "certifications": 3}


async def test_a_pensioner_whose_death_the_hub_confirmed_is_never_due_again(office: Office) -> None:
    """The roster still says active until the province's next one; the register does not wait."""
    person = office.people.person()
    await office.roster(person, contact_mobile="13800138000")
    assert (await village_entry(office, person))["status"] == "not_certified"
    died = (datetime.now(CHINA_STANDARD_TIME) - timedelta(days=40)).date()
    await office.confirmed_death(person, died)
    entry = await village_entry(office, person)
    assert entry["status"] == "terminated"
    area = person["region"].get("village") or person["region"]["county"]
    _, overdue = await office.get("/v1/register/overdue", area=area)
    assert person["id_number"] not in [i["person"]["id_number"] for i in overdue["items"]]
