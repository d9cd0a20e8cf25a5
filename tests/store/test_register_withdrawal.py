"""A certification withdrawn from the register (hub/store/register_withdrawal.py), on both
ledgers: the person's row folded again in the withdrawing message's transaction, refused
(``conflict``, nothing stored) when a certification committed since the planner read the
register — and over the SQLite writer channel."""

from __future__ import annotations

from typing import Any

import pytest
from ledgerkit import signed_zero_report

from certhub.hub.store.base import Conflict
from certhub.hub.store.effects import Effects, RegisterCertification
from certhub.hub.store.records import draft_receipt
from certhub.hub.store.register_withdrawal import RegisterWithdrawal
from certhub.hub.store.sqlite.writer_wire import decode, encode
from certhub.security import ReceiptSigner, SigningKey

SENDER_KEY = SigningKey.generate()
SIGNER = ReceiptSigner(SigningKey.generate(), hub_id="certhub-test")
PERSON = "440103199001011234"
APP, SEEN, LATER = 24310, 24322, 24323  # month indexes: 2025-11, 2026-11, 2026-12


def certified(day: str, month: int, method: str) -> Effects:
    """A passed certification of :data:`PERSON` on ``day`` (month index ``month``)."""
    return Effects(certified=RegisterCertification(PERSON, day, month, method, "-", "440103",
                                                   "某人"))  # fmt: skip


def _app_left(app: int, withdrawn: int, *, latest: int) -> RegisterWithdrawal:
    """``withdrawn`` out, the app's certification ``app`` left (due 2026-11)."""
    last = (app, "2025-11-15", "face", "-")
    return RegisterWithdrawal(PERSON, withdrawn, latest, ((app, app),), last, (app, APP), APP + 12)


async def _append(ledger: Any, n: int, effects: Effects) -> int:
    message = signed_zero_report(n, SENDER_KEY)
    return int(
        (await ledger.append(message, draft_receipt(SIGNER, message), effects)).record.sequence
    )


async def test_withdrawn_then_folded_again(ledger: Any) -> None:
    """The app's certification of 2025-11 (due 2026-11), the comparison's of 2026-11 (due
    2027-11) withdrawn: due 2026-11 again, the app's the record and the last."""
    app = await _append(ledger, 1, certified("2025-11-15", APP, "face"))
    seen = await _append(ledger, 2, certified("2026-11-05", SEEN, "data_comparison"))
    assert (await ledger.register_person(PERSON)).due_month == SEEN + 12
    await _append(ledger, 3, Effects(withdrawn=_app_left(app, seen, latest=seen)))
    row = await ledger.register_person(PERSON)
    assert (row.due_month, row.last_sequence, row.record_sequence, row.record_month) == (
        APP + 12, app, app, APP,
    )  # fmt: skip
    assert [r.sequence for r in await ledger.register_certifications(PERSON)] == [app]


async def test_refused_when_a_certification_committed_since(ledger: Any) -> None:
    """Planned on the register read before a certification of 2026-12: conflict, nothing
    stored; the register keeps all three."""
    app = await _append(ledger, 1, certified("2025-11-15", APP, "face"))
    seen = await _append(ledger, 2, certified("2026-11-05", SEEN, "data_comparison"))
    stale = _app_left(app, seen, latest=seen)
    await _append(ledger, 3, certified("2026-12-01", LATER, "face"))  # committed meanwhile
    size = await ledger.count()
    with pytest.raises(Conflict, match="changed meanwhile"):
        await _append(ledger, 4, Effects(withdrawn=stale))
    assert await ledger.count() == size  # nothing stored
    assert len(await ledger.register_certifications(PERSON)) == 3
    assert (await ledger.register_person(PERSON)).due_month == LATER + 12


def test_a_withdrawal_crosses_the_channel() -> None:
    """An ingress process hands the comparison's void to the SQLite writer (its effect
    admitted by the writer's unpickler)."""
    message = signed_zero_report(1, SENDER_KEY)
    withdrawal = RegisterWithdrawal(PERSON, 7, 7, (), None, None, None)
    call = ("append", (message, Effects(withdrawn=withdrawal)))
    assert decode(encode(5, call)[12:]) == call
