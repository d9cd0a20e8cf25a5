"""A suspension the hub found, for the procedure tests through the HTTP API: an imprisonment
or a disappearance reported by the city and confirmed by the county, the province's entry
suspending the person, and the fields of a restoration stating a release. Months are
counted from this month (China time); the figures each test relies on are asserted in the
test itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from latekit import label
from procedurekit import Office, evidence_payloads, month_end


async def confirmed(
    office: Office, person: dict[str, Any], reason: str, on: date, until: int | None = None
) -> str:
    """A ``reason`` (``imprisonment``, ``missing``) of ``person`` on ``on``, reported by the
    city and confirmed by the county — the sentence's end stated, the last day of
    M(``until``), unless ``until`` is None: the task id."""
    task = await office.reported(person, reason, on)
    stated = {} if until is None else {"suspend_until": month_end(until).isoformat()}
    status, body = await office.step(
        task, "county-1", "confirmed", event_date=on.isoformat(), **stated
    )
    assert status == 202, body
    return task


async def jailed(
    office: Office, on: date, *, paid_through: int, until: int | None = None
) -> tuple[dict[str, Any], str]:
    """A person on the roster paid through M(``paid_through``), jailed on ``on``:
    :func:`confirmed`, the sentence's end stated as ``until`` says. The person and the task."""
    person = office.people.person()
    await office.roster(person, paid_through=label(paid_through))
    return person, await confirmed(office, person, "imprisonment", on, until)


async def suspended_paid(
    office: Office, person: dict[str, Any], since: date, paid_through: int
) -> None:
    """The province's entry: ``person`` suspended since ``since``, paid through
    M(``paid_through``) (unlike :meth:`Office.suspended`, not the month of ``since``)."""
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(),
        paid_through=label(paid_through),
    )  # fmt: skip


async def release_on(office: Office, day: date) -> dict[str, Any]:
    """A restoration's fields stating the release on ``day``, with a stored court judgment
    as its evidence."""
    digest = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    evidence = {"sha256": digest, "kind": "court_judgment", "media_type": "application/pdf"}
    return {"released_on": day.isoformat(), "release_evidence": evidence}


async def release_stated(office: Office, offset: int) -> dict[str, Any]:
    """:func:`release_on` the last day of M(``offset``)."""
    return await release_on(office, month_end(offset))
