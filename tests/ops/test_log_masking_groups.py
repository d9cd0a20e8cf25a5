"""A hub on a real socket logs no ID number whole when it is written in groups.

People write an ID number as it is printed or read aloud: 6-8-4 with spaces or
dashes, or in fours. A clerk pasting "440823 19500101 1231" into a path or a
cursor put it whole into the access log (and aiohttp's request line, as
``440823+19500101+1231`` or ``%20``), runs of digits under 15 each, which the
15-digit rule of the log masker never saw.
"""

from __future__ import annotations

import io
import re

from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from logkit import read_by_cursor, read_by_path

__all__ = ["hub", "hub_factory", "party_keys"]

# Masked by hand: the first 6 and the last 2 digits kept, the separators as they were.
GROUPED = {
    "440823 19500101 1231": "440823 ******** **31",
    "440823-19500101-1231": "440823-********-**31",
    "4408 2319 5001 0112 31": "4408 23** **** **** 31",
    "440823 19500101 123X": "440823 ******** **3X",
    "４４０８２３－１９５００１０１－１２３１": "４４０８２３－********－**３１",
}
KEPT = ["2026-12-07", "0755-8888-6666", "18:49:35", "1 2 3"]  # dates, phone numbers, times


async def test_a_number_written_in_groups_is_logged_masked(
    hub: Hub, json_logs: io.StringIO
) -> None:
    reads = await read_by_cursor(hub, json_logs, [*GROUPED, *KEPT])
    assert [read["after"] for read in reads] == [*GROUPED.values(), *KEPT]
    text = json_logs.getvalue()
    for number in GROUPED:
        assert re.sub(r"\D", "", number) not in re.sub(r"\D", "", text)


async def test_a_number_written_in_groups_in_a_read_path_is_logged_masked(
    hub: Hub, json_logs: io.StringIO
) -> None:
    statuses, paths = await read_by_path(hub, json_logs, GROUPED)
    assert set(statuses) <= {400, 404}
    assert paths == [f"/v1/biometric-enrolments/{masked}" for masked in GROUPED.values()]
