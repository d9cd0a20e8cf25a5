"""A later death record dating a confirmed death earlier, for the procedure tests through the
hub's HTTP API: the termination amendment it opens, as town staff accept it. The figures each
test relies on are asserted in the test itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import Office, evidence_payloads


async def amendment_accepted(office: Office, person: dict[str, Any], died: date) -> int:
    """The city's later report of ``person`` dead on ``died`` (a certificate stored),
    approved: the one termination amendment the hub lists, accepted by town staff (202). Its
    item, for the county to decide."""
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    await office.approved_report(office.death_report(person, died, certificate))
    status, page = await office.get("/v1/termination-amendments")
    assert status == 200, page
    (item,) = [int(listed["sequence"]) for listed in page["items"]]
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    return item
