"""On both backends: a person's eligibility reports under review, read by key.

Hand-made rows: P1's death report received and imprisonment report accepted are under
review; their missing report approved and other report rejected are not, nor is P1's
certification under review (no report), nor P2's report. The read goes through
``ledger_reports_person`` (the person's reports, not a scan of every report) — on a new
ledger and on one from before the schema step that adds it, whose undecided report
stored without its person gets it from its payload.
"""

from __future__ import annotations

from ledger_backends import Backend
from plankit import assert_read_through, before_the_step, query_plan, step_of

from certhub.hub.store.base import ReportUnderReview
from certhub.hub.store.review_reads import REPORTS_BY_PERSON, UNDER_REVIEW

STEP = step_of(REPORTS_BY_PERSON)

# (sequence, message type, person, reason, item status)
ROWS = [
    (200, "eligibility_report/v1", "P1", "death", "received"),
    (201, "eligibility_report/v1", "P1", "imprisonment", "accepted"),
    (202, "eligibility_report/v1", "P1", "missing", "approved"),
    (203, "eligibility_report/v1", "P1", "other", "rejected"),
    (204, "eligibility_report/v1", "P2", "death", "received"),
    (205, "certification_event/v1", "P1", "face", "received"),
]
P1 = [
    ReportUnderReview(200, "death", "received"),
    ReportUnderReview(201, "imprisonment", "accepted"),
]


def inserts(backend: Backend) -> list[str]:
    """The rows' ledger records (the person in the payload too) and their items."""
    blob = "CAST('{}' AS BLOB)" if backend.name == "sqlite" else "convert_to('{}', 'UTF8')"
    record = (
        "INSERT INTO ledger (sequence, kind, message_type, sender, message_id, kid, sha256, jws,"
        " payload, received_at, receipt, county, reason, period, person_id) VALUES"
        " ({n}, 'report', '{t}', 'city', 'm{n}', 'k', 'ab', {jws}, {payload},"
        " '2026-11-02T08:00:00+00:00', 'r{n}', '440103', '{r}', '2026-11', '{p}')"
    )
    item = "INSERT INTO items (item_id, kind, status) VALUES ({n}, '{k}', '{s}')"
    out = []
    for n, t, p, r, s in ROWS:
        payload = blob.format(f'{{"person": {{"id_number": "{p}"}}}}')
        out.append(record.format(n=n, t=t, p=p, r=r, jws=blob.format("jws"), payload=payload))
        kind = "report" if t.startswith("eligibility") else "certification"
        out.append(item.format(n=n, k=kind, s=s))
    return out


async def plan(backend: Backend) -> str:
    """The backend's query plan of ``reports_under_review`` for ``P1``."""
    return await query_plan(backend, UNDER_REVIEW, UNDER_REVIEW.replace("?", "$1"), "P1")


async def test_a_persons_reports_under_review_are_read_through_the_index(
    ledger_factory: Backend,
) -> None:
    await ledger_factory.create()
    await ledger_factory.execute(*inserts(ledger_factory))
    ledger = await ledger_factory.open()
    assert list(await ledger.reports_under_review("P1")) == P1
    assert list(await ledger.reports_under_review("P2")) == [
        ReportUnderReview(204, "death", "received")
    ]
    assert list(await ledger.reports_under_review("P3")) == []
    await ledger.aclose()
    await assert_read_through(ledger_factory, plan, "ledger", "ledger_reports_person")


async def test_a_ledger_from_before_the_step_gets_the_index_and_the_persons(
    ledger_factory: Backend,
) -> None:
    # reports 200 and 202 stored without their person, as before the step
    personless = "UPDATE ledger SET person_id = NULL WHERE sequence IN (200, 202)"
    await before_the_step(ledger_factory, STEP, *inserts(ledger_factory), personless)
    assert "ledger_reports_person" not in await plan(ledger_factory)
    ledger = await ledger_factory.open()
    assert list(await ledger.reports_under_review("P1")) == P1  # 200 found by its payload
    await ledger.aclose()
    assert "ledger_reports_person" in await plan(ledger_factory)


async def test_a_report_under_review_holds_back_the_comparisons_certification(
    ledger_factory: Backend,
) -> None:
    # P2 has an open task as well: the task is named first (HOLD_KINDS' order)
    await ledger_factory.create()
    blob = "X'00'" if ledger_factory.name == "sqlite" else "'\\x00'::bytea"
    task = f"INSERT INTO tasks VALUES ('T2', 'P2', 'death', 'open', '445224', NULL, {blob}, 1, 9)"  # noqa: S608
    await ledger_factory.execute(*inserts(ledger_factory), task)
    ledger = await ledger_factory.open()
    held = await ledger.certification_holds(["P1", "P2", "P3"])
    await ledger.aclose()
    assert held == {
        "P1": ("report_under_review", "death report 200 received, under review"),
        "P2": ("task_open", "death task T2 open"),
    }
