"""A hub on a real socket logs no mistyped ID number whole: paths and cursors as they came.

A reader asks for a person's biometric enrolments by ID number in the path, and pages
with a cursor it pastes; the number typed wrong (check character, length, full width,
lower-case x) is refused, but the access log keeps a line for every read of personal
data, path and cursor included. The test reads the captured JSON lines.
"""

from __future__ import annotations

import io
import re

from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from logkit import read_by_cursor, read_by_path

__all__ = ["hub", "hub_factory", "party_keys"]

# Masked by hand: first 6 and last 2 kept. 440823195001011231 would be the real number.
TYPED = {
    "440823195001011235": "440823**********35",  # wrong check character
    "44082319500101123": "440823*********23",  # a digit dropped
    "4408231950010112311": "440823***********11",  # a digit doubled
    "44082319500101123x": "440823**********3x",  # lower-case x, and a wrong check character
    "４４０８２３１９５００１０１１２３１": "４４０８２３**********３１",  # full width
}


async def test_a_mistyped_number_in_a_read_path_is_logged_masked(
    hub: Hub, json_logs: io.StringIO
) -> None:
    statuses, paths = await read_by_path(hub, json_logs, TYPED)
    assert statuses == [404] * len(TYPED)  # not a valid number: no such person
    assert paths == [f"/v1/biometric-enrolments/{masked}" for masked in TYPED.values()]
    _assert_nothing_long(json_logs.getvalue(), TYPED)


async def test_a_number_pasted_as_a_cursor_is_logged_masked(
    hub: Hub, json_logs: io.StringIO
) -> None:
    reads = await read_by_cursor(hub, json_logs, TYPED)
    assert [(read["after"], read["limit"]) for read in reads] == [
        (masked, "20") for masked in TYPED.values()
    ]
    _assert_nothing_long(json_logs.getvalue(), TYPED)


def _assert_nothing_long(text: str, numbers: dict[str, str]) -> None:
    for number in numbers:
        assert number not in text
    assert re.search(r"\d{15}", text) is None  # \d: any script's digits, full width too
