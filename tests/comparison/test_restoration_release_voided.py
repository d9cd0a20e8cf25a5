"""A release stated on the restoration of a voided termination ends nothing: refused.

Civil affairs records a false cremation in ``DIED_IN``; the county confirms the death
(the roster active, paid through ``DIED_IN``) and civil affairs voids the record in
``VOIDED_IN``. Staff's ``restoration/v1`` back-pays ``VOIDED_IN`` (238.00) and resumes
payment this month. Stated with a release (the last day of ``DIED_IN``, a stored release
record), it is refused: no imprisonment the hub suspended the person for stands, and a
release ends nothing else (``restoration-no-imprisonment``, 409, nothing stored, the
closure stays). The same restoration without the release lifts the closure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import evidence_payloads
from reversalkit import (
    DIED,
    VOIDED_IN,
    last_day,
    proposed,
    refused_whole,
    restored,
    voided_restoration,
)


async def test_a_release_on_a_voided_termination_s_restoration_is_refused(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, _, _ = await proposed(tmp_path, aiohttp_client)
    one = voided_restoration(person)
    digest = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    release = {
        "released_on": last_day(DIED.strftime("%Y-%m")),
        "release_evidence": {
            "sha256": digest, "kind": "court_judgment", "media_type": "application/pdf"
        },
    }  # fmt: skip
    await refused_whole(office, person, one | release, 409, "restoration-no-imprisonment")

    assert await restored(office, person, one) == {VOIDED_IN}
    await office.client.close()
