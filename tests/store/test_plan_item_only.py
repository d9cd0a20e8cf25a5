"""A pushed report's plan is its item's one statement, and more only when more is written.

:func:`certhub.hub.store.writes.plan` of the effects that only open an item (every pushed
eligibility report's shared instance, an equal copy, a municipal item) is that single
statement, whatever was planned before; an item with anything beside it plans that too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ledgerkit import unsigned_message

from certhub.hub.procedure.intake import REPORT_OPENED
from certhub.hub.rules.decisions import ItemKind
from certhub.hub.store import writes
from certhub.hub.store.effects import AuditWrite, Effects, ItemOpen

MESSAGE = unsigned_message(1, received_at=datetime(2026, 12, 7, 15, 40, tzinfo=UTC))
AUDIT = AuditWrite("report_noted", "7", "city", "cd" * 32)


def _plan(effects: Effects) -> list[writes.Op]:
    return writes.plan(7, MESSAGE, effects, lambda: 99)


def _item(kind: str, municipal: bool) -> writes.Run:
    return writes.Run(writes.ITEM_OPEN, (7, kind, municipal))


def test_a_reports_item_alone_is_one_statement_every_time() -> None:
    assert _plan(REPORT_OPENED) == [_item(ItemKind.REPORT, False)]
    assert _plan(REPORT_OPENED) == [_item(ItemKind.REPORT, False)]  # planned again: the same
    twin = Effects(item=ItemOpen(ItemKind.REPORT))  # equal, another instance
    assert _plan(twin) == [_item(ItemKind.REPORT, False)]
    municipal = Effects(item=ItemOpen("proposal", municipal=True))
    assert _plan(municipal) == [_item("proposal", True)]


def test_an_item_with_anything_beside_it_keeps_the_full_plan() -> None:
    item = ItemOpen("report-with-audit")
    with_audit = Effects(item=item, audit=(AUDIT,))
    at = MESSAGE.received_at.isoformat()
    link = writes.Link(at, AUDIT.action, AUDIT.subject, AUDIT.actor, AUDIT.digest)
    expected = [_item("report-with-audit", False), link]
    assert _plan(with_audit) == expected
    assert _plan(Effects(item=item)) == [_item("report-with-audit", False)]
    assert _plan(with_audit) == expected  # after the item alone: unchanged
