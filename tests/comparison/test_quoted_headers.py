"""A department's CSV written with every field quoted (QUOTE_ALL) is read, header included.

Before, the header was split on commas as text: ``"record_id","id_number",…`` named no
column of the feed, and the whole file was refused ("header is not the feed's columns"),
its cremation records with it; a roster written so refused the run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.loading import header_of

from .test_bad_input import BOB, _run


def _quoted(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return out.getvalue().encode()


def test_a_feed_with_every_field_quoted_is_compared(tmp_path: Path) -> None:
    death = ["D1", BOB, "黄小明", "", "445302", "cremation", "2026-10-03", ""]
    summary = _run(tmp_path, tmp_path, civil_affairs=_quoted(list(FEED_COLUMNS), death))
    assert summary["notes"] == []
    assert summary["tasks"] == {"death": {"open": 1}}


def test_a_quoted_header_names_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _quoted(["id_number", "name", "county", "village"]))
    assert header_of(path) == ["id_number", "name", "county", "village"]
