"""A batch of appends that fails in the SQLite ledger's transaction stores none of it.

It gives its sequences and audit links back (``hub/store/sqlite/ledger.py``): the next
append is sequence 1 and the audit chain starts again from its genesis.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from ledgerkit import receipt, unsigned_message

from certhub.hub.store import SqliteLedger, StoreUnavailable
from certhub.hub.store.audit_chain import GENESIS


async def test_a_batch_that_fails_stores_none_of_it(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    refusing = True

    def audit_refused(action: int, table: str | None, *_: object) -> int:
        if refusing and action == sqlite3.SQLITE_INSERT and table == "audit":
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    ledger._conn.set_authorizer(audit_refused)
    failed = await asyncio.gather(
        *(ledger.append(unsigned_message(n), receipt) for n in range(3)), return_exceptions=True
    )
    assert all(isinstance(outcome, StoreUnavailable) for outcome in failed), failed
    assert await ledger.count() == 0
    refusing = False
    again = await ledger.append(unsigned_message(0), receipt)
    assert again.created
    assert again.record.sequence == 1  # the failed batch's sequences were given back
    links = ledger._conn.execute("SELECT seq, prev_hash FROM audit ORDER BY seq").fetchall()
    await ledger.aclose()
    assert links == [(1, GENESIS)]  # and its audit links: the chain starts again at 1
