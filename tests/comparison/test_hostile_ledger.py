"""Departments' files as they really come, recorded in the ledger by ``certhub compare run``."""

from __future__ import annotations

from pathlib import Path

from comparisonkit import ComparisonCase
from procedurekit import today

from certhub.hub.rules.months import month_index, month_label
from certhub.mocks.population import Population


async def test_a_death_cited_by_many_long_record_ids_opens_its_task(
    tmp_path: Path, ledger_url: str | None
) -> None:
    # Civil affairs numbers its records in words (粤民殡火化证字第…号: 9 characters cited as
    # 81, percent-encoded) and sent eight of them for one pensioner in one month (the
    # cremation, its certificate re-issued...). The report cited all eight: 1,120 characters,
    # past remarks' 1,000 - refused, exit 1, and no death task ever opened for a death
    # civil affairs registered eight times. Cited while they fit (the strongest first), it
    # opens the task.
    person = Population(seed=71).person()
    month = month_label(month_index(today()) - 1)
    feed = "".join(
        f"粤民殡火化证字第{month.replace('-', '')}{n:05d}号,{person['id_number']},某人,,,"
        f"cremation,{month}-0{n + 1},\n"
        for n in range(8)
    )
    case = ComparisonCase.prepare(tmp_path, [person], {month: feed}).on_ledger(ledger_url)
    assert (await case.compare(month))["reports"] == {"task_opened": 1}
