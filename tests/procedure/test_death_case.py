"""The whole case of issue 3, through the HTTP API, as the province would run it.

A coordinator reports a death with a cremation certificate; town staff accept;
the county approves; a verification task opens; it is confirmed; the benefit
is terminated from the date of death, the overpayment computed, the family
notified; the provincial system pulls everything; the audit chain verifies.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from procedurekit import Office, evidence_payloads, sent_in_time, today

from certhub.hub.audit import verify_ledger
from certhub.hub.core.keys import KEYRING, NOTICE_SENDER, STORE
from certhub.hub.delivery.notices import LoggingNoticeSender
from certhub.security import VerifyingKey, parse_compact
from certhub.security.trust import TrustStore


def months_ago(n: int) -> date:
    """The 15th of the month ``n`` months before this one in China (the ledger's months,
    whatever the machine's time zone)."""
    now = today()
    index = now.year * 12 + now.month - 1 - n
    return date(index // 12, index % 12 + 1, 15)


async def test_a_reported_death_ends_in_termination_overpayment_and_a_family_sms(
    office: Office,
) -> None:
    person = office.people.person()
    await office.roster(person, paid_through=f"{today():%Y-%m}")
    died = months_ago(3)
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    report = office.death_report(person, died, certificate)
    item = await office.approved_report(report)  # sent, accepted by the town, approved

    status, page = await office.get(
        "/v1/verification-tasks", status="open", region=person["region"]["county"]
    )
    assert status == 200
    (task,) = page["items"]
    assert task["kind"] == "death"
    assert task["sources"] == [str(item)]
    assert task["evidence"][0]["sha256"] == certificate

    assert (await office.step(task["task_id"], "town-1", "in_progress"))[0] == 202
    status, body = await office.step(
        task["task_id"], "county-1", "confirmed", event_date=died.isoformat()
    )
    assert status == 202, body

    status, page = await office.get("/v1/outcomes")
    kinds = [item["type"] for item in page["items"]]
    assert kinds.count("verification_task/v1") == 3  # opened, in progress, confirmed
    termination = next(i for i in page["items"] if i["type"] == "termination/v1")["payload"]
    overpayment = next(i for i in page["items"] if i["type"] == "overpayment/v1")["payload"]
    assert termination["effective_from"] == died.isoformat()
    assert termination["family_notified"] is True
    assert overpayment["months"] == 3
    assert Decimal(overpayment["amount"]) == Decimal("714.00")

    # every outcome is signed by the hub and verifies against its published keys
    jwks = await (await office.client.get("/.well-known/jwks.json")).json()
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in jwks["keys"]}
    for item_ in page["items"]:
        jws = parse_compact(item_["jws"].encode())
        assert hub_keys[jws.kid].verify(jws.signature, jws.signing_input)
        assert json.loads(jws.payload) == item_["payload"]

    notifier = office.client.app[NOTICE_SENDER]
    assert isinstance(notifier, LoggingNoticeSender)
    text = await sent_in_time(notifier.sent, f"termination:{task['task_id']}")
    assert person["id_number"] not in text
    assert person["name"] not in text or len(person["name"]) == 1
    assert "丧葬补助金" in text

    status, reports = await office.get("/v1/reports")
    (pulled,) = [r for r in reports["items"] if r["sequence"] == item]
    assert pulled["status"] == "approved"
    status, stats = await office.get("/v1/stats", period=f"{today():%Y-%m}", group_by="reason")
    assert {"key": "death", "count": 1} in stats["reports"]
    assert stats["overpayments"] == [{"key": "all", "count": 1, "amount": "714.00"}]

    store = office.client.app[STORE]
    keyring = office.client.app[KEYRING]
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in keyring.jwks()["keys"]}
    report_ = await verify_ledger(
        store, trust=TrustStore.load(office.settings.trust_store_path), hub_keys=hub_keys
    )
    assert report_.ok, report_.problems
    assert report_.entries > 10
    actions = [e.action for e in await store.audit_entries(0, 1000)]
    for expected in (
        "evidence_stored",
        "item_accepted",
        "item_approved",
        "task_confirmed",
        "termination",
        "overpayment",
        "notice_sent",
    ):
        assert expected in actions, expected


async def test_a_death_dated_before_the_persons_birth_is_refused(office: Office) -> None:
    person = office.people.person()
    await office.roster(person, paid_through=f"{today():%Y-%m}")
    report = office.people.eligibility_report() | {
        "reason": "death", "person": person, "region": person["region"],
        "event_date": "1900-01-01",
    }  # fmt: skip
    status, body = await office.post("/v1/reports", "city", report)
    assert (status, body["type"]) == (422, "urn:certhub:problem:schema-violation"), body
    assert [error["pointer"] for error in body["errors"]] == ["/event_date"]
    report["event_date"] = months_ago(2).isoformat()
    await office.approved_report(report)
    _, page = await office.get("/v1/verification-tasks", status="open")
    (task,) = page["items"]
    before = await office.ledger_size()
    status, body = await office.step(
        task["task_id"], "county-1", "confirmed", event_date="1900-01-01"
    )
    assert (status, body["type"]) == (409, "urn:certhub:problem:task-transition-invalid"), body
    assert "birth" in body["detail"]
    assert await office.ledger_size() == before
