"""What a village coordinator's key may do that the province has not decided (strict xfails).

Each test is a hostile, curious or careless coordinator, or a stolen phone, doing
something the hub accepts today; each docstring states the question the province has
to answer before the hub changes (README, "The coordinators' mobile entrance"). The
assertions are a proposal: when one is decided, the test is changed to the decision.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from evidence_samples import png
from procedurekit import Office, counter_event, today
from scopekit import A, X, Y

from certhub.schemas import problem_type_uri

D_VILLAGE = "440304001201"  # 福田区, another city: scopekit's D


def coordinators_report(office: Office, person: dict[str, Any]) -> dict[str, Any]:
    """A's coordinator reports ``person`` dead two days ago, filed in its village A."""
    return office.people.eligibility_report() | {
        "reason": "death",
        "event_date": (today() - timedelta(days=2)).isoformat(),
        "person": person,
        "region": {"county": X, "village": A},
        "reporter": {"id": "coord-a", "role": "coordinator"},
    }


@pytest.mark.xfail(strict=True, reason="decision wanted: a report naming a name not the roster's")
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


@pytest.mark.xfail(strict=True, reason="decision wanted: a report of someone never in the village")
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


@pytest.mark.xfail(strict=True, reason="decision wanted: a coordinator's reports per hour")
async def test_a_stolen_phone_files_reports_without_bound(office: Office) -> None:
    """A stolen phone, before the county revokes it, files a death report for every
    pensioner of its village in a minute: all accepted (202), each a review item and, once
    approved, a death verification holding the person's benefit. A village files a few
    reports a month. Question: how many reports may one coordinator's key file in an
    hour (proposed: a bound far above any real village, e.g. 60, then 429 with
    Retry-After, the report kept on the phone and sent later), and is reaching it told
    to the county?"""
    statuses: list[int] = []
    for _ in range(120):
        person = office.people.person() | {"region": {"county": X, "village": A}}
        status, _body = await office.post(
            "/v1/reports", "coord-a", coordinators_report(office, person)
        )
        statuses.append(status)
        if status == 429:
            break
    assert statuses[-1] == 429, f"{len(statuses)} reports accepted in a row"


async def test_a_coordinator_downloads_the_id_card_scan_of_a_counter_certification(
    office: Office,
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
    person = office.people.person() | {"region": {"county": X, "village": A}}
    await office.roster(person)
    id_image = await office.upload(png(31, "ID card of a pensioner of A"), "image/png")
    photo = await office.upload(png(93, "face of a pensioner of A"), "image/png")
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
