"""What a village coordinator's key may do that the province has not decided (strict xfails).

Each test is a hostile, curious or careless coordinator, or a stolen phone, doing
something the hub accepts today; each docstring states the question the province has
to answer before the hub changes (README, "The coordinators' mobile entrance"). The
assertions are a proposal: when one is decided, the test is changed to the decision.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from evidence_samples import png
from procedurekit import JOSE, Office, counter_event
from questionkit import decision_wanted
from scopekit import A, B, X, Y, coordinators_report

from certhub.schemas import problem_type_uri

HOUR = timedelta(hours=1)
D_VILLAGE = "440304001201"  # 福田区, another city: scopekit's D


@decision_wanted("a report naming a name not the roster's")
async def test_a_report_whose_name_is_not_the_rosters_for_that_id_number(office: Office) -> None:
    """A careless coordinator types the ID number of 熊金's neighbour (a valid number, the
    check character right) under 熊金's name; a hostile one does it on purpose. The hub
    accepts the death report (202), its task names the report's name beside the
    neighbour's number, and a confirmation terminates the neighbour's benefit.
    Question: should a report whose name differs from the roster's name for that ID
    number be refused (proposed: 422 person-name-mismatch, nothing ledgered), or
    accepted and flagged to the reviewers - and how are variant characters (繁/简,
    生僻字 replaced by a homophone in older systems) compared?"""
    neighbour = office.people.person() | {"region": {"county": X, "village": A}}
    await office.roster(neighbour)
    named = neighbour | {"name": "熊金" if neighbour["name"] != "熊金" else "王五"}
    before = await office.ledger_size()
    status, problem = await office.post(
        "/v1/reports", "coord-a", coordinators_report(office, named)
    )
    assert (status, problem.get("type")) == (422, problem_type_uri("person-name-mismatch"))
    assert await office.ledger_size() == before


@decision_wanted("a report of someone never in the village")
async def test_a_report_of_someone_the_roster_never_had_in_the_village(office: Office) -> None:
    """A stolen phone of village A (荔湾区) reports the death of a pensioner whom the
    roster has in 福田区 (another city) and never had in A, naming A as the person's
    village: accepted (202), reviewed by A's town, its task opened in 福田区. So one
    lost phone can start a death verification of anyone in the province whose ID
    number and name it has. The report from a village the person moved away from is
    accepted on purpose (tests/scopes/test_report_from_old_village.py: refusing would
    tell the coordinator where the person lives now). Question: should the hub refuse
    (proposed: 403 area-not-permitted, the answer for any village outside the key, so it
    tells nothing of where the person is) a report whose person the roster does not have,
    and never had, in the key's area - and how long does a move keep the old village
    entitled to report?"""
    elsewhere = office.people.person() | {"region": {"county": Y, "village": D_VILLAGE}}
    await office.roster(elsewhere)
    claimed = elsewhere | {"region": {"county": X, "village": A}}
    before = await office.ledger_size()
    status, problem = await office.post(
        "/v1/reports", "coord-a", coordinators_report(office, claimed)
    )
    assert (status, problem.get("type")) == (403, problem_type_uri("area-not-permitted"))
    assert await office.ledger_size() == before


async def test_a_stolen_phone_files_reports_without_bound(office_db: Office) -> None:
    """A stolen phone, before the county revokes it, files a death report for every
    pensioner of its village in a minute: each a review item and, once approved, a death
    verification holding the person's benefit. A village files a few reports a month.
    Decided: one coordinator's key files at most CERTHUB_COORDINATOR_REPORTS_PER_HOUR
    (60) reports in any rolling hour, counted from the ledger (so on PostgreSQL across
    the hub's processes too); the 61st is 429 reports-rate-limited with Retry-After
    (until the oldest counted report is an hour old), nothing ledgered, the report kept
    on the phone and sent then; the refusal is logged and counted for the county. Other
    keys are not held back, and a re-send of a report already filed gets its receipt.
    The hub's clock is not injectable: the test moves reports back in time in the
    ledger."""
    office = office_db
    statuses: list[int] = []
    for _ in range(120):
        person = office.people.person() | {"region": {"county": X, "village": A}}
        status, body = await office.post(
            "/v1/reports", "coord-a", coordinators_report(office, person)
        )
        statuses.append(status)
        if status == 429:
            break
    assert statuses[-1] == 429, f"{len(statuses)} reports accepted in a row"
    assert statuses == [202] * 60 + [429]
    assert body["type"] == problem_type_uri("reports-rate-limited")
    size = await office.ledger_size()
    first, second = await _sequences(office, "coord-a", 2)
    # The key's oldest report was filed an hour and a second ago: one place frees up.
    await _file_at(office, first, datetime.now(UTC) - HOUR - timedelta(seconds=1))
    status, receipt, accepted = await _report(office, "coord-a", A)
    assert status == 202, receipt
    # Sixty again in the last hour; the oldest (the second report) leaves it in 30 s.
    await _file_at(office, second, datetime.now(UTC) - HOUR + timedelta(seconds=30))
    status, problem, _ = await _report(office, "coord-a", A)
    assert (status, problem["type"]) == (429, problem_type_uri("reports-rate-limited"))
    assert 28 <= problem["retry_after"] <= 30
    assert await office.ledger_size() == size + 1
    # A re-send of bytes the ledger holds (its answer was lost) gets its receipt back.
    response = await office.client.post("/v1/reports", data=accepted, headers=JOSE)
    assert response.status == 202
    assert (await response.json())["sequence"] == receipt["sequence"]
    # Other keys are not held back: another village's coordinator, the city's platform.
    assert (await _report(office, "coord-b", B))[0] == 202
    assert (await office.post("/v1/reports", "city", office.people.eligibility_report()))[0] == 202


async def _report(office: Office, party: str, village: str) -> tuple[int, dict[str, Any], bytes]:
    """A death report of a pensioner of ``village`` by ``party``, the village's coordinator:
    (status, body with a 429's Retry-After as ``retry_after``, the signed bytes)."""
    person = office.people.person() | {"region": {"county": X, "village": village}}
    report = coordinators_report(office, person) | {
        "region": {"county": X, "village": village},
        "reporter": {"id": party, "role": "coordinator"},
    }
    signed = office.sign(party, report)
    response = await office.client.post("/v1/reports", data=signed, headers=JOSE)
    body = await response.json(content_type=None)
    if response.status == 429:
        body["retry_after"] = int(response.headers["Retry-After"])
    return response.status, body, signed


async def _sequences(office: Office, party: str, count: int) -> list[int]:
    """The ledger sequences of ``party``'s first ``count`` reports, oldest first."""
    status, page = await office.get("/v1/my-reports", party, limit="1000")
    assert status == 200, page
    return sorted(item["sequence"] for item in page["items"])[:count]


async def _file_at(office: Office, sequence: int, when: datetime) -> None:
    """Move record ``sequence``'s receipt time to ``when`` in the ledger (the hub's clock
    is the system's: time passes for the bound only this way)."""
    url = office.settings.database_url
    if url is None:
        with sqlite3.connect(office.settings.ledger_path) as ledger:
            ledger.execute(
                "UPDATE ledger SET received_at = ? WHERE sequence = ?",
                (when.isoformat(), sequence),
            )
        return
    connection = await asyncpg.connect(url.get_secret_value())
    try:
        await connection.execute(
            "UPDATE ledger SET received_at = $1 WHERE sequence = $2", when.isoformat(), sequence
        )
    finally:
        await connection.close()


async def test_a_coordinator_downloads_the_id_card_scan_of_a_counter_certification(
    office_db: Office,
) -> None:
    """Town staff certify a pensioner of village A at the counter, citing a scan of the ID
    card and a face photo. A's coordinator's phone pulls ``/v1/certifications`` of its
    village and asks for both: every pensioner's ID card and face, kept by a phone that
    is lost more easily than a counter's PC. The coordinator reports deaths and follows
    verifications; nothing it does needs them. Decided (least privilege, PIPL's
    minimisation): a coordinator's key reads back only evidence it uploaded itself; any
    other file is 404 evidence-not-found, word for word the answer for a file of another
    village or one never stored, so the phone learns nothing of what exists. Town, county
    and province staff read their area's evidence as before."""
    office = office_db
    person = office.people.person() | {"region": {"county": X, "village": A}}
    await office.roster(person)
    id_image = await office.upload(png(31, "ID card of a pensioner of A"), "image/png", "channel")
    photo = await office.upload(png(93, "face of a pensioner of A"), "image/png", "channel")
    status, body = await office.post(
        "/v1/certifications", "channel", counter_event(person, id_image, photo)
    )
    assert status == 202, body
    never_stored = "0" * 64
    for digest in (id_image, photo, never_stored):
        response = await office.client.get(
            f"/v1/evidence/{digest}", headers=office.bearer("coord-a")
        )
        assert response.status == 404, digest
        problem = await response.json(content_type=None)
        assert (problem["type"], problem["detail"]) == (
            problem_type_uri("evidence-not-found"),
            "no evidence is stored under this digest",
        )
    for staff in ("town-x1", "county-x", "province"):
        response = await office.client.get(f"/v1/evidence/{id_image}", headers=office.bearer(staff))
        assert response.status == 200, staff
        assert await response.read() == png(31, "ID card of a pensioner of A")
