"""Edges of the months owed to the estate when a void dates the death later (hub/rules/estate.py).

238.00 a month. A void leaving only a later report behind the termination re-dates the
death to the report's day; the months after the old death month through the new one are
payable, and those the roster never paid are back-paid to the estate: the re-signed
termination states them and the task claims them as back-paid (once).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from latekit import label
from procedurekit import month_day
from reversalkit import DIED, EARLIER, VOIDED_IN, Scene, outcomes, reported_then_voided

from certhub.hub.core.keys import STORE
from certhub.hub.rules.estate import owed_to_estate
from certhub.hub.store.base import LedgerStore


async def _voided_behind(
    tmp_path: Path, aiohttp_client: Any, died: date, paid_through: str, reported: date
) -> tuple[Any, LedgerStore, str, str]:
    """Civil affairs' cremation of ``died`` confirmed while the roster pays through
    ``paid_through``, the city's report of ``reported`` linked, the cremation voided: the
    office, its ledger, the person's ID number and the task."""
    scene = Scene.make(tmp_path, [died], recorded_in=died.strftime("%Y-%m"))
    (person,) = scene.people
    number = person["id_number"]
    await scene.compare(died.strftime("%Y-%m"))
    office = await scene.office(aiohttp_client)
    task = (await scene.confirmed_deaths(office, {number: {"paid_through": paid_through}}))[number]
    office = await reported_then_voided(scene, office, aiohttp_client, reported)
    return office, office.client.app[STORE], number, task


async def test_moved_two_months_later_owes_both(tmp_path: Path, aiohttp_client: Any) -> None:
    """Confirmed the 3rd of M-3 while paid through M-3, the report of the 8th of M-1:
    M-2..M-1 = 476.00 owed to the estate, back-paid once."""
    office, store, number, task = await _voided_behind(
        tmp_path, aiohttp_client, EARLIER, label(-3), month_day(-1, 8)
    )
    *_, in_force = await outcomes(office, "termination/v1")
    assert in_force["payload"]["event_date"] == month_day(-1, 8).isoformat()
    assert "= 476.00" in in_force["payload"]["remarks"], in_force
    assert (await office.get(f"/v1/overpayments/{task}"))[0] == 404
    assert await store.counted_months(number, "back_paid") == {
        label(-2), label(-1),
    }  # fmt: skip
    assert await store.counted_months(number, "recovered") == set()


async def test_the_month_paid_already_is_not_owed(tmp_path: Path, aiohttp_client: Any) -> None:
    """Confirmed the 3rd of M-2 while paid through M-1 (M-1 = 238.00 overpaid), the report
    of the 8th of M-1: M-1 payable and paid — the balance voided, nothing owed; M-1 claimed
    as paid by the task (paid regularly, not the estate's back pay: the remarks say none)."""
    office, store, number, task = await _voided_behind(
        tmp_path, aiohttp_client, DIED, VOIDED_IN, month_day(-1, 8)
    )
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert (body["months"], body["amount"], body["status"]) == (1, "238.00", "voided"), body
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
    *_, in_force = await outcomes(office, "termination/v1")
    assert "estate" not in in_force["payload"]["remarks"], in_force


async def test_a_report_in_the_same_month_owes_nothing(tmp_path: Path, aiohttp_client: Any) -> None:
    """Confirmed the 3rd of M-2 while paid through M-2, the report of the 20th of M-2: the
    death month unchanged, nothing owed (M-2 paid)."""
    office, store, number, _ = await _voided_behind(
        tmp_path, aiohttp_client, DIED, label(-2), month_day(-2, 20)
    )
    *_, in_force = await outcomes(office, "termination/v1")
    assert in_force["payload"]["event_date"] == month_day(-2, 20).isoformat()
    assert await store.counted_months(number, "back_paid") == set()


def test_owed_months_by_hand() -> None:
    """The rule alone: old death month, roster and months counted already."""
    assert owed_to_estate(date(2026, 9, 3), date(2026, 11, 8), "2026-09", ()) == (
        "2026-10", "2026-11",
    )  # fmt: skip
    assert owed_to_estate(date(2026, 9, 3), date(2026, 11, 8), "2026-10", ()) == ("2026-11",)
    assert owed_to_estate(date(2026, 9, 3), date(2026, 11, 8), "2026-12", ()) == ()
    assert owed_to_estate(date(2026, 9, 3), date(2026, 11, 8), "2026-09", {"2026-10"}) == (
        "2026-11",
    )  # fmt: skip
    assert owed_to_estate(date(2026, 9, 3), date(2026, 9, 28), "2026-07", ()) == ()
