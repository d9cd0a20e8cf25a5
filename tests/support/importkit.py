"""The province's roster entries for the tests comparing ``certhub roster import`` with
``POST /v1/roster``: a roster file's line, the import through the CLI, the hub started again
after it (on SQLite the import owns the ledger), and :class:`Province`, which sends an entry
one way or the other."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from procedurekit import Office
from prometheus_client import CollectorRegistry
from registerkit import ROSTER_HEADER
from releasekit import label

from certhub.hub.cli.main import main
from certhub.schemas.clock import CHINA_STANDARD_TIME

__all__ = ["Client", "Province", "china_now", "imported", "line", "reopened"]

Client = Callable[..., Any]


def china_now() -> str:
    """Now in China time, as an entry's ``as_of`` (the import stamps its entries so)."""
    return datetime.now(CHINA_STANDARD_TIME).isoformat()


def line(person: dict[str, Any], paid_through: str) -> str:
    """The roster file's line of ``person``: active, 238.00 a month, paid through
    ``paid_through``."""
    region = person["region"]
    return (
        f"{person['id_number']},{person['name']},{region['county']},{region['village']},"
        f"active,238.00,{paid_through},,************1234,13800138000"
    )


def imported(path: Path, office: Office, lines: list[str], as_of: str | None = None) -> int:
    """``certhub roster import`` of a file of ``lines`` into the office's ledger, as of
    ``as_of`` (default: now)."""
    path.write_text("\n".join([ROSTER_HEADER, *lines]) + "\n", encoding="utf-8")
    as_of = as_of or datetime.now(CHINA_STANDARD_TIME).replace(microsecond=0).isoformat()
    argv = ["roster", "import", str(path), "--data", str(office.settings.data_dir)]
    url = office.settings.database_url
    dsn = ["--database-url", url.get_secret_value()] if url is not None else []
    return main([*argv, "--as-of", as_of, *dsn])


async def reopened(office: Office, client_for: Client) -> Office:
    """The same hub started again (its ledger, keys and trust store) with a new client."""
    from certhub.hub.core.keys import NOTICE_SENDER
    from certhub.hub.delivery.notices import LoggingNoticeSender
    from certhub.hub.runtime.app import create_app

    app = create_app(office.settings, registry=CollectorRegistry())
    app[NOTICE_SENDER] = LoggingNoticeSender()
    return replace(office, client=await client_for(app))


class Province:
    """The province's roster entries, sent one by one (``pushed``) or in a file (``imported``:
    the hub stopped for the import — on SQLite the import owns the ledger — then started)."""

    def __init__(self, how: str, client_for: Client, scratch: Path) -> None:
        self.how, self.client_for, self.scratch, self.files = how, client_for, scratch, 0
        self.last: tuple[dict[str, Any], int, str] | None = None

    async def entry(
        self, office: Office, person: dict[str, Any], paid_through: int, as_of: str | None = None
    ) -> Office:
        """``person`` active and paid through M(``paid_through``), as of ``as_of`` (default
        now, in China time): the office to go on with."""
        as_of = as_of or datetime.now(CHINA_STANDARD_TIME).replace(microsecond=0).isoformat()
        self.last = (person, paid_through, as_of)
        if self.how == "pushed":
            await office.roster(person, paid_through=label(paid_through), as_of=as_of)
            return office
        await office.client.close()
        self.files += 1
        path = self.scratch / f"roster-{self.files}.csv"
        lines = [line(person, label(paid_through))]
        assert await asyncio.to_thread(imported, path, office, lines, as_of) == 0
        return await reopened(office, self.client_for)

    async def again(self, office: Office) -> Office:
        """The last entry sent again: the same ``as_of`` (imported: the same file's content)."""
        assert self.last is not None
        return await self.entry(office, *self.last)
