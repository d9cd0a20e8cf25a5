"""Restoration through the API, monthly compliance, tamper detection by `certhub audit verify`."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from typing import Any

import procedurekit
from clirun import run_cli
from procedurekit import Office

PROBLEM = "urn:certhub:problem:"


async def suspended_roster(office: Office, person: dict[str, Any], since: str) -> None:
    await office.roster(person, status="suspended", suspended_since=since, paid_through="2022-12")


def restoration(person: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Suspended since 2023-01-01, restored from 2024-05-01: 16 months (2023-01 .. 2024-04)
    of 238.00 paid back, 3808.00."""
    months = {
        "restore_from": "2024-05-01",
        "back_pay_from": "2023-01-01",
        "back_pay_to": "2024-04-30",
        "back_pay_amount": "3808.00",
    }
    return procedurekit.restoration(person, date(2023, 1, 1), **(months | changes))


async def test_restoration_after_more_than_a_year_needs_the_municipal_approver(
    office: Office,
) -> None:
    person = office.people.person()
    await suspended_roster(office, person, "2023-01-01")
    status, body = await office.post("/v1/restorations", "town-1", restoration(person))
    assert status == 202, body
    item = body["sequence"]
    assert (await office.decide("restorations", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert (status, body["type"]) == (403, PROBLEM + "municipal-approval-required")
    assert (await office.decide("restorations", item, "muni-1", "approve"))[0] == 202
    _, page = await office.get("/v1/restorations")
    assert page["items"][0]["status"] == "approved"


async def test_restoration_with_amounts_off_by_one_month_is_refused(office: Office) -> None:
    person = office.people.person()
    await suspended_roster(office, person, "2023-01-01")
    before = await office.ledger_size()
    for amount in ("3570.00", "4046.00"):  # 15 or 17 months instead of 16
        status, body = await office.post(
            "/v1/restorations", "town-1", restoration(person, back_pay_amount=amount)
        )
        assert (status, body["type"]) == (422, PROBLEM + "restoration-amount-mismatch"), body
    status, body = await office.post(
        "/v1/restorations", "town-1", restoration(person, bank_account="6222029999999990000")
    )
    assert (status, body["type"]) == (422, PROBLEM + "bank-account-mismatch")
    assert await office.ledger_size() == before


async def test_compliance_lists_reported_zero_reported_and_missing_units(office: Office) -> None:
    period = datetime.now(UTC).astimezone().strftime("%Y-%m")
    village = {"county": "440103", "village": "440103001201"}
    report = office.people.eligibility_report() | {"region": village}
    zero = office.people.zero_report(period) | {
        "region": {"county": "440103", "village": "440103001202"}
    }
    assert (await office.post("/v1/reports", "city", report))[0] == 202
    assert (await office.post("/v1/reports", "city", zero))[0] == 202
    status, body = await office.get("/v1/compliance", period=period)
    assert status == 200
    assert [(u["name"], u["status"], u["late"]) for u in body["units"]] == [
        ("甲村", "reported", False),
        ("乙村", "zero_reported", False),
        ("丙村", "missing", False),
    ]
    status, body = await office.get("/v1/compliance", period="2999-01")
    assert (status, body["type"]) == (400, PROBLEM + "invalid-period")


async def test_audit_verify_passes_then_names_the_first_tampered_row(office: Office) -> None:
    item = (await office.post("/v1/reports", "city", office.people.eligibility_report()))[1][
        "sequence"
    ]
    await office.decide("reports", item, "town-1", "accept")
    data = office.settings.data_dir
    await office.client.close()  # stop the hub: its last checkpoint is signed at shutdown
    code, output = await run_cli("audit", "verify", "--data", str(data))
    assert code == 0, output
    assert "OK" in output
    with sqlite3.connect(data / "ledger.sqlite3") as conn:
        conn.execute("UPDATE audit SET actor='someone-else' WHERE seq=2")
    code, output = await run_cli("audit", "verify", "--data", str(data))
    assert code == 1
    assert "audit entry 2" in output


async def test_audit_verify_catches_an_edited_payload(office: Office) -> None:
    await office.post("/v1/reports", "city", office.people.eligibility_report())
    data = office.settings.data_dir
    await office.client.close()
    with sqlite3.connect(data / "ledger.sqlite3") as conn:
        conn.execute(
            "UPDATE ledger SET payload = replace(payload, 'death', 'other') WHERE sequence=1"
        )
        conn.execute("UPDATE ledger SET payload = CAST(payload || ' ' AS BLOB) WHERE sequence=1")
    code, output = await run_cli("audit", "verify", "--data", str(data))
    assert code == 1
    assert "ledger record 1" in output
