"""A zero report names a month the hub can report on: not one before the scheme began."""

from __future__ import annotations

from procedurekit import Office

PROBLEM = "urn:certhub:problem:"
VILLAGE = {"county": "440103", "village": "440103001201"}


async def test_a_zero_report_for_a_month_before_the_scheme_is_refused(office: Office) -> None:
    # GET /v1/compliance refuses 2001-03 (before 2009-01); the ledger must not hold
    # a "nothing to report" for a month no one can ever ask about.
    zero = office.people.zero_report("2001-03") | {"region": VILLAGE}
    stored = await office.ledger_size()
    status, body = await office.post("/v1/reports", "city", zero)
    assert (status, body["type"]) == (422, PROBLEM + "schema-violation"), body
    assert [e["pointer"] for e in body["errors"]] == ["/period"]
    assert await office.ledger_size() == stored


async def test_a_zero_report_for_the_first_month_of_the_scheme_is_accepted(
    office: Office,
) -> None:
    zero = office.people.zero_report("2009-01") | {"region": VILLAGE}
    status, body = await office.post("/v1/reports", "city", zero)
    assert status == 202, body
    status, page = await office.get("/v1/compliance", period="2009-01")
    assert {u["code"]: u["status"] for u in page["units"]}["440103001201"] == "zero_reported"
