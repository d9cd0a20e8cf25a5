"""Staff of one county read only their county's evidence, even by citing another's digest.

A staff key confined to county X may send reports of X, each citing evidence
digests. Evidence was served to a confined reader wherever a record of its area
cited it, so X's staff, knowing a digest of county Y's evidence (a leak, a
screenshot, an export), cited it in a report of their own and downloaded Y's
cremation certificate: knowing the digest was the only barrier. A citation now
opens a file to its area only when the key that uploaded the file made it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from evidence_samples import pdf
from hubkit import REPORT_TYPES, with_area_staff
from procedurekit import PARTIES, Office, today, trust_store
from scopekit import A, B, D, X, Y, office_on

from certhub.hub.core.keys import EVIDENCE
from certhub.hub.evidence.pg_store import DatabaseEvidenceVault
from certhub.schemas import problem_type_uri
from certhub.security import SigningKey

# Staff keys confined to a county that may send reports (and so cite evidence).
WRITERS = {"staff-x": ("town_staff", X), "staff-y": ("town_staff", Y)}


@pytest.fixture(params=["sqlite", "postgres"])
async def staffed(
    request: pytest.FixtureRequest, aiohttp_client: Callable[..., Any], tmp_path: Path
) -> AsyncIterator[Office]:
    """A hub trusting the procedure's parties and :data:`WRITERS`, on each ledger."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *WRITERS]}
    store = with_area_staff(trust_store(keys), keys, WRITERS, lambda _role: REPORT_TYPES)
    async with office_on(request.param, aiohttp_client, tmp_path / "data", keys, store) as office:
        vault = office.client.app[EVIDENCE]
        assert isinstance(vault, DatabaseEvidenceVault) == (request.param == "postgres")
        yield office


def death(office: Office, party: str, village: str, *digests: str) -> dict[str, Any]:
    """``party``'s report of a death in ``village`` citing the PDFs ``digests``."""
    county = X if village.startswith(X) else Y
    region = {"county": county, "village": village}
    died = today() - timedelta(days=3)
    report = office.people.death_report(office.people.person() | {"region": region}, died, "")
    report["evidence"] = [
        {"sha256": digest, "kind": "cremation_certificate", "media_type": "application/pdf"}
        for digest in digests
    ]
    return report | {"region": region, "reporter": {"id": party, "role": "town_staff"}}


async def reported(office: Office, party: str, village: str, scan: bytes) -> str:
    """``scan`` uploaded by ``party`` and cited by its death report in ``village``."""
    digest = await office.upload(scan, "application/pdf", party)
    status, body = await office.post("/v1/reports", party, death(office, party, village, digest))
    assert status == 202, body
    return digest


async def download(office: Office, digest: str, party: str) -> tuple[int, Any]:
    """GET the evidence ``digest`` as ``party``: the status and the body (a problem's
    type, title and detail)."""
    response = await office.client.get(f"/v1/evidence/{digest}", headers=office.bearer(party))
    if response.status == 200:
        return 200, await response.read()
    problem = await response.json(content_type=None)
    return response.status, (problem["type"], problem["title"], problem["detail"])


async def test_a_county_s_staff_read_only_their_county_s_evidence(staffed: Office) -> None:
    office = staffed
    own = await reported(office, "staff-x", A, pdf("火化证明 of A, scanned by X's staff"))
    theirs = await reported(office, "staff-y", D, pdf("火化证明 of D, scanned by Y's staff"))
    sent = await reported(office, "city", D, pdf("火化证明 of D, sent by the city's system"))
    # X's staff cite Y's digests (known from a leak) in a report of their own county.
    cited = death(office, "staff-x", B, theirs, sent)
    status, body = await office.post("/v1/reports", "staff-x", cited)
    assert status == 202, body
    missing = await download(office, "0" * 64, "staff-x")  # never stored
    assert missing == (
        404,
        (problem_type_uri("evidence-not-found"), "Evidence not found",
         "no evidence is stored under this digest"),
    )  # fmt: skip
    for digest in (theirs, sent):
        assert await download(office, digest, "staff-x") == missing, digest
    assert await download(office, own, "staff-x") == (
        200,
        pdf("火化证明 of A, scanned by X's staff"),
    )
    for digest in (theirs, sent):  # Y's staff still read Y's evidence
        assert (await download(office, digest, "staff-y"))[0] == 200, digest
    assert (await download(office, own, "staff-y"))[0] == 404
    for digest in (own, theirs, sent):  # a province-wide key reads every area's
        assert (await download(office, digest, "province"))[0] == 200, digest


async def test_a_second_uploader_of_the_same_bytes_reads_what_it_cites(staffed: Office) -> None:
    """The same scan reaches the hub twice: the city's system stored it first (and cited
    it nowhere), then X's staff upload the very bytes (200, already stored) and cite them
    in a report of X. Holding the bytes is what an upload proves, so X's staff read the
    file they sent like any file of theirs; Y's staff, who never sent or held it, do not."""
    office = staffed
    scan = pdf("火化证明 of A, scanned twice")
    first = await office.upload(scan, "application/pdf", "city")
    assert await reported(office, "staff-x", A, scan) == first
    assert await download(office, first, "staff-x") == (200, scan)
    assert (await download(office, first, "staff-y"))[0] == 404
