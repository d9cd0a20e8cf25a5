"""The biometric enrolment registry through the HTTP API: status only, and how one certifies.

A channel reports models enrolled and withdrawn; the hub keeps the latest
status per model, counts failed face attempts since the last pass, and says
which way the person can certify: self-service by face, a fingerprint
terminal, a counter or home visit, or a person's review after three failed
face attempts. A payload that carries anything like a template is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from procedurekit import Office
from questionkit import decision_wanted

from certhub.hub.problems import ALL_PROBLEMS
from certhub.schemas import problem_type_uri
from certhub.security import issue_read_token


def enrolment(person: dict[str, Any], modality: str, status: str, at: datetime) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "biometric_enrolment/v1",
        "person": person,
        "modality": modality,
        "status": status,
        "occurred_at": at.isoformat(),
        "channel": {"kind": "app_gdrs", "code": "gdrs"},
    }
    if status == "enrolled":
        payload["consent"] = {
            "given_at": (at - timedelta(minutes=1)).isoformat(),
            "method": "in_app",
        }
    return payload


def face_attempt(person: dict[str, Any], outcome: str, at: datetime) -> dict[str, Any]:
    return {
        "type": "certification_event/v1",
        "person": person,
        "method": "face",
        "channel": {"kind": "app_gdrs", "code": "gdrs"},
        "outcome": outcome,
        "occurred_at": at.isoformat(),
    }


async def route(office: Office, person: dict[str, Any]) -> dict[str, Any]:
    status, body = await office.get(f"/v1/biometric-enrolments/{person['id_number']}")
    assert status == 200, body
    answer: dict[str, Any] = body
    return answer


async def read_in(office: Office, person: dict[str, Any], area: str) -> int:
    """The status a reader confined to ``area`` gets for ``person``'s enrolments."""
    token = issue_read_token(office.keys["province"], sender="province", area=area)
    response = await office.client.get(
        f"/v1/biometric-enrolments/{person['id_number']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status


async def report(
    office: Office, payload: dict[str, Any], path: str = "/v1/biometric-enrolments"
) -> None:
    status, body = await office.post(path, "channel", payload)
    assert status == 202, body


async def test_three_failed_face_attempts_send_a_person_to_review_until_one_passes(
    office: Office,
) -> None:
    now = datetime.now(UTC)
    person = office.people.person()
    assert (await route(office, person))["route"] == "counter_or_home_visit"
    await report(office, enrolment(person, "face", "enrolled", now - timedelta(days=30)))
    body = await route(office, person)
    assert body["route"] == "self_service"
    assert [(m["modality"], m["status"]) for m in body["models"]] == [("face", "enrolled")]

    for n in range(3):
        at = now - timedelta(hours=3 - n)
        await report(office, face_attempt(person, "failed", at), "/v1/certifications")
        body = await route(office, person)
        assert body["failed_face_attempts"] == n + 1
        assert body["route"] == ("manual_review" if n == 2 else "self_service")
    await report(office, face_attempt(person, "certified", now), "/v1/certifications")
    body = await route(office, person)
    assert (body["failed_face_attempts"], body["route"]) == (0, "self_service")


async def test_the_latest_status_wins_whatever_order_it_arrives_in(office: Office) -> None:
    now = datetime.now(UTC)
    person = office.people.person()
    await report(office, enrolment(person, "face", "withdrawn", now - timedelta(days=1)))
    await report(office, enrolment(person, "face", "enrolled", now - timedelta(days=10)))  # older
    await report(office, enrolment(person, "finger_vein", "enrolled", now - timedelta(days=5)))
    body = await route(office, person)
    assert [(m["modality"], m["status"]) for m in body["models"]] == [
        ("face", "withdrawn"),
        ("finger_vein", "enrolled"),
    ]
    assert body["route"] == "fingerprint_terminal"


async def test_a_template_an_image_or_an_enrolment_without_consent_is_refused(
    office: Office,
) -> None:
    now = datetime.now(UTC)
    person = office.people.person()
    good = enrolment(person, "face", "enrolled", now)
    before = await office.ledger_size()
    for bad in (
        good | {"template": "AAECAwQF"},
        good | {"face_image": "data:image/jpeg;base64,/9j/"},
        {k: v for k, v in good.items() if k != "consent"},
        good
        | {"consent": {"given_at": (now + timedelta(hours=1)).isoformat(), "method": "in_app"}},
    ):
        status, body = await office.post("/v1/biometric-enrolments", "channel", bad)
        assert (status, body["type"]) == (
            ALL_PROBLEMS["schema-violation"][0],
            problem_type_uri("schema-violation"),
        ), body
    assert await office.ledger_size() == before
    assert (await route(office, person))["models"] == []


async def test_a_reader_outside_the_persons_area_is_told_nothing(office: Office) -> None:
    now = datetime.now(UTC)
    person = office.people.person()
    await report(office, enrolment(person, "face", "enrolled", now))
    county = person["region"]["county"]
    other = "440104" if county != "440104" else "440105"

    assert await read_in(office, person, county) == 200
    assert await read_in(office, person, other) == 404
    status, body = await office.get("/v1/biometric-enrolments/not-an-id")
    assert status == 404, body


async def test_the_registers_lists_say_how_each_person_can_certify(office: Office) -> None:
    now = datetime.now(UTC)
    person = office.people.person()
    await office.roster(person)
    area = person["region"].get("village") or person["region"]["county"]

    async def certify_by() -> str:
        status, body = await office.get("/v1/register/people", area=area)
        assert status == 200, body
        (entry,) = [e for e in body["items"] if e["person"]["id_number"] == person["id_number"]]
        return str(entry["certify_by"])

    assert await certify_by() == "counter_or_home_visit"
    await report(office, enrolment(person, "fingerprint", "enrolled", now - timedelta(days=3)))
    assert await certify_by() == "fingerprint_terminal"
    await report(office, enrolment(person, "face", "enrolled", now - timedelta(days=2)))
    assert await certify_by() == "self_service"
    for n in range(3):
        failed = face_attempt(person, "failed", now - timedelta(hours=3 - n))
        await report(office, failed, "/v1/certifications")
    assert await certify_by() == "manual_review"


async def test_a_person_who_moved_is_read_by_the_new_county_not_the_old(office: Office) -> None:
    # Face enrolled in one county, finger-vein two years later in another: the read is
    # confined to where the channels last placed the person, not to the area of the
    # modality whose name sorts first.
    now = datetime.now(UTC)
    person = office.people.person()
    old = person["region"]["county"]
    new = "440104" if old != "440104" else "440105"
    moved = person | {"region": {"county": new}}
    await report(office, enrolment(person, "face", "enrolled", now - timedelta(days=700)))
    await report(office, enrolment(moved, "finger_vein", "enrolled", now - timedelta(days=2)))
    assert (await read_in(office, person, new), await read_in(office, person, old)) == (200, 404)


@decision_wanted(
    "a face certification after the person's face model was withdrawn"
    " (consent withdrawn, PIPL art. 15: the channel must no longer use it) is accepted and"
    " certifies like any other; refuse it, hold it for review, or accept it?"
)
async def test_a_face_pass_after_the_face_model_was_withdrawn(office: Office) -> None:
    now = datetime.now(UTC)
    person = office.people.person()
    await report(office, enrolment(person, "face", "enrolled", now - timedelta(days=30)))
    await report(office, enrolment(person, "face", "withdrawn", now - timedelta(days=2)))
    status, body = await office.post(
        "/v1/certifications", "channel", face_attempt(person, "certified", now)
    )
    assert status != 202, body


async def test_an_id_number_typed_with_a_small_x_finds_the_same_person(office: Office) -> None:
    # Resident ID numbers end in X one time in eleven; a clerk types it small.
    person = next(
        p for p in (office.people.person() for _ in range(500)) if p["id_number"][-1] == "X"
    )
    await report(office, enrolment(person, "face", "enrolled", datetime.now(UTC)))
    status, body = await office.get(f"/v1/biometric-enrolments/{person['id_number'][:-1]}x")
    assert status == 200, body
    assert (body["person_id"], body["route"]) == (person["id_number"], "self_service")


@decision_wanted(
    "failed face attempts count since the last pass by arrival"
    " (ledger sequence, hub/store/biometrics.py FAILED_FACE_ATTEMPTS and"
    " hub/store/register_reads.py), so a pass from yesterday resent late clears three"
    " failures from today; count by occurred_at (needs the time in the ledger) instead?"
)
async def test_a_late_old_pass_does_not_clear_todays_failed_face_attempts(
    office: Office,
) -> None:
    now = datetime.now(UTC)
    person = office.people.person()
    await report(office, enrolment(person, "face", "enrolled", now - timedelta(days=30)))
    for n in range(3):
        failed = face_attempt(person, "failed", now - timedelta(hours=3 - n))
        await report(office, failed, "/v1/certifications")
    assert (await route(office, person))["route"] == "manual_review"
    yesterday = face_attempt(person, "certified", now - timedelta(days=1))
    await report(office, yesterday, "/v1/certifications")  # a kiosk's queue, sent late
    body = await route(office, person)
    assert (body["failed_face_attempts"], body["route"]) == (3, "manual_review")
