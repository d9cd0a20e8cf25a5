"""A feed pulled into a month's comparison: public security's household-registration
cancellations, from the department playing the ``cancellation_feed`` role (the e-ID service).

:func:`pull_cancellations` reads every page of the period's cancellations (each call under
the adapter's resilience policy) and writes them as the feed file a department would drop,
``<input>/public_security.csv`` with :data:`~certhub.hub.comparison.catalogue.FEED_COLUMNS`:
kind ``registration_cancelled``, the cancellation date as the event date, the county. From
there the run treats it as it treats a dropped file — grade A, matched on a valid ID number
only, a death task per person, an invalid number refused per row with a masked sample.

Decisions, each for a careful office:

- **The period's own cancellations**: cancelled on a day of the period (the service lists
  "on or after a date"; later ones are the next period's). A cancellation registered late
  with an earlier date is in no period's pull (the service offers no "registered since").
- **Deaths only** (reason 01): the others (emigration, military service, duplicate
  registration, other) do not say the pensioner died; they are counted in the pull's note,
  never written as evidence of death.
- **The record id** is derived from the record (``eid-`` and a digest of ID number, date and
  reason): the service gives none, and the same cancellation pulled again has the same id,
  so a re-pull writes the same file and a re-run records nothing new.
- **All or nothing**: the file and its note (``public_security.pull.json``: period, pages,
  rows, reasons left out, the file's SHA-256) are written only after the last page, each
  atomically; a department down leaves the folder as it was. The file stays with the
  run's inputs, so a run can be re-done on the same data.
- A ``public_security`` file the pull did not write (a dropped one) is never replaced.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from certhub.adapters import (
    CancellationFeed,
    CancellationReason,
    HouseholdCancellation,
    ResponseInvalid,
)
from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.engine import parse_period
from certhub.security import replace_atomic

__all__ = ["DEPARTMENT", "KIND", "NOTE", "PullRefused", "PulledFeed", "pull_cancellations"]

DEPARTMENT = "public_security"
"""The catalogue's department the pulled records come from."""
KIND = "registration_cancelled"
"""The catalogue's kind of a cancellation by death."""
NOTE = f"{DEPARTMENT}.pull.json"
"""Beside the pulled file: what was pulled, for which period (not a feed: not ``.csv``)."""


class PullRefused(ValueError):
    """The input folder holds a ``public_security`` feed the pull did not write."""


@dataclass(frozen=True)
class PulledFeed:
    """What one pull wrote: the period, pages read, rows written and what was left out."""

    period: str
    pages: int
    rows: int
    file: str
    sha256: str
    not_death: dict[str, int] = field(default_factory=dict)
    """Cancellations of the period for another reason, by reason: not written."""
    after_period: int = 0
    """Cancellations dated after the period: the next period's pull."""


def record_id(item: HouseholdCancellation) -> str:
    """The cancellation's stable id: the same record pulled again has the same id."""
    key = f"{item.id_number}|{item.cancelled_on.isoformat()}|{item.reason.value}"
    return "eid-" + hashlib.sha256(key.encode()).hexdigest()[:24]


async def pull_cancellations(feed: CancellationFeed, period: str, folder: Path) -> PulledFeed:
    """Pull the period's cancellations into ``folder`` as the public-security feed file.

    Raises:
        ValueError: ``period`` is not ``YYYY-MM``.
        PullRefused: ``folder`` holds a public-security feed the pull did not write.
        certhub.adapters.AdapterError: the department failed, or its page tokens go round
            (nothing written).
    """
    first, last = parse_period(period)
    _writable(folder)
    rows: dict[str, list[str]] = {}
    not_death: dict[str, int] = {}
    after, pages, token = 0, 0, None
    tokens: set[str] = set()  # a token answered again: the pages go round, never to end
    while True:
        page = await feed.cancellations_since(first, page=token)
        pages += 1
        for item in page.items:
            if item.cancelled_on > last:
                after += 1
            elif item.cancelled_on < first:
                continue  # the service answered more than asked: not this period's
            elif item.reason is not CancellationReason.death:
                not_death[item.reason.value] = not_death.get(item.reason.value, 0) + 1
            else:
                rows[record_id(item)] = _row(item)
        if page.next_page is None:
            break
        if page.next_page in tokens:
            raise ResponseInvalid(f"the service's page token came round again after {pages} pages")
        token = page.next_page
        tokens.add(token)
    body = _csv(list(rows.values()))
    target = folder / f"{DEPARTMENT}.csv"
    pulled = PulledFeed(
        period, pages, len(rows), target.name, hashlib.sha256(body).hexdigest(),
        dict(sorted(not_death.items())), after,
    )  # fmt: skip
    replace_atomic(folder / NOTE, json.dumps(asdict(pulled), indent=2).encode() + b"\n", 0o600)
    replace_atomic(target, body, 0o600)
    return pulled


def _writable(folder: Path) -> None:
    """Refuse a folder whose public-security feed was dropped, not pulled."""
    if not folder.is_dir():
        raise PullRefused(f"no input folder {folder}")
    dropped = [
        p.name for p in (folder / f"{DEPARTMENT}.csv", folder / f"{DEPARTMENT}.parquet")
        if p.exists()
    ]  # fmt: skip
    if dropped and not (folder / NOTE).exists():
        raise PullRefused(
            f"{folder / dropped[0]} was not pulled (no {NOTE} beside it): the pull never"
            " replaces a dropped feed; move it away to pull"
        )
    if f"{DEPARTMENT}.parquet" in dropped:
        raise PullRefused(f"{folder / dropped[0]}: a pulled feed is a .csv; move the .parquet away")


def _row(item: HouseholdCancellation) -> list[str]:
    """The feed row of a cancellation (no birth date: the service gives none)."""
    values = {
        "record_id": record_id(item),
        "id_number": item.id_number,
        "name": item.name,
        "birth_date": "",
        "county": item.county,
        "kind": KIND,
        "event_date": item.cancelled_on.isoformat(),
        "voids_record_id": "",
    }
    return [values[column] for column in FEED_COLUMNS]


def _csv(rows: list[list[str]]) -> bytes:
    """The feed file: header and rows in record-id order (the same pull, the same bytes)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FEED_COLUMNS)
    writer.writerows(sorted(rows))
    return out.getvalue().encode("utf-8")
