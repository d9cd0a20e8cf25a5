"""Seen alive in the very run whose feed voids the death record: certified (免办).

238.00 a month. Civil affairs records a false cremation of the 3rd of M(-2): the M(-2) run
opens a death task. The M(-1) feed voids the record (the 2nd of M(-1)) and health records a
medical visit of the person on the 10th of M(-1).

* The task still open: last certified in the app on the 15th of M(-13), due M(-1), on the
  roster paid through M(-1). Before, the run asked the ledger whom to withhold before it
  recorded the void (``task_open``: recorded 0, withheld 1), then cleared the task: the
  visit was lost, the person stayed due M(-1), overdue from the 1st of M(0) and proposed for
  suspension by the sweep (1 proposal: 238.00 a month stopped from M(0) on its approval for
  a pensioner the run saw alive). Now the voids are recorded first: the task cleared, then
  the visit certifies (recorded 1, withheld none), due M(+11), nobody proposed (0).
* The death confirmed (roster paid through M(-2), then ``terminated``), the person last
  certified on the 15th of M(-14) (due M(-2)): the void proposes the restoration (back pay
  M(-1) = 238.00, resumed from M(0)), which waits for a certification. Before, the visit of
  the same run was withheld (``benefit_closed``) and the proposal refused
  (``restoration-other-suspension``); now it is certified and the proposal approved: back
  pay M(-1) = 238.00 once, resumed from M(0).

SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import HEADER
from latekit import label
from procedurekit import today
from reversalkit import (
    DIED_IN,
    VOIDED_IN,
    Scene,
    last_day,
    proposed_certified,
    restored_once,
)

from certhub.hub.comparison.certify import message_id
from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.months import month_index


def _seen_in_the_void_s_run(scene: Scene, number: str) -> None:
    """Health's medical visit of the 10th of M(-1), in the run that voids the cremation."""
    seen = f"H1,{number},某人,,,medical_visit,{VOIDED_IN}-10,\n"
    (scene.tmp / VOIDED_IN / "health.csv").write_text(HEADER + seen, encoding="utf-8")


async def test_seen_alive_as_the_open_task_is_cleared(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, number = Scene.alone(tmp_path)
    scene.on_ledger(ledger_url)
    assert (await scene.compare(DIED_IN))["reports"] == {"task_opened": 1}
    office = await scene.office(aiohttp_client)
    await office.roster(person, paid_through=VOIDED_IN)
    await office.certified_in_app(person, f"{label(-13)}-15T10:00:00+08:00")  # due M(-1)
    await office.client.close()
    _seen_in_the_void_s_run(scene, number)
    ledger = await scene.compare(VOIDED_IN)
    assert ledger["reversals"] == {"cleared": 1}, ledger
    assert (ledger["recorded"], ledger["withheld"]) == (1, {}), ledger
    office = await scene.office(aiohttp_client)
    app = office.client.app
    assert await app[STORE].find("adapter:comparison", message_id(VOIDED_IN, number))
    row = await app[STORE].register_person(number)
    assert row is not None
    assert row.due_month == month_index(today()) + 11  # certified in M(-1)
    sweep = ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0)
    assert await sweep.sweep(today()) == 0
    await office.client.close()


async def test_seen_alive_as_the_termination_is_voided(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, _, number = Scene.alone(tmp_path)
    _seen_in_the_void_s_run(scene, number)
    # last certified on the 15th of M(-14): due M(-2); the void proposes the restoration
    office, _, _, item = await proposed_certified(scene.on_ledger(ledger_url), aiohttp_client)
    ledger = scene.last_run(VOIDED_IN)
    assert (ledger["recorded"], ledger["withheld"]) == (1, {}), ledger
    paid = await restored_once(office, item, number)
    assert paid == (f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00")  # once, resumed M(0)
    await office.client.close()
