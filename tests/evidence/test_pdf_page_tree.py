"""A PDF's page tree is a tree: a node listed twice is refused before anyone flattens it."""

from __future__ import annotations

from evidence_samples import classic_pdf
from hubkit import Hub

from .conftest import problem_slug, stored_blobs, upload  # type: ignore[import-not-found]


def page_tree_bomb(fan_out: int) -> bytes:
    """Three levels of page-tree nodes, each listing the next ``fan_out`` times: fan_out³ pages.

    At 40, 64,000 pages in 1.2 KB; at 1,000, a billion in 18 KB.
    """
    reference = {3: b"3 0 R ", 4: b"4 0 R ", 5: b"5 0 R "}
    return classic_pdf([
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[%s]/Count %d>>" % (reference[3] * fan_out, fan_out**3),
        b"<</Type/Pages/Parent 2 0 R/Kids[%s]/Count %d>>" % (reference[4] * fan_out, fan_out**2),
        b"<</Type/Pages/Parent 3 0 R/Kids[%s]/Count %d>>" % (reference[5] * fan_out, fan_out),
        b"<</Type/Page/Parent 4 0 R/MediaBox[0 0 9 9]>>",
    ])  # fmt: skip


async def test_a_page_tree_listing_one_node_many_times_is_refused_at_once(hub: Hub) -> None:
    """Before, pypdf flattened it to its limit of 100,000 pages: 64,000 pages were stored
    (seconds of a core per 1.2 KB upload), a larger fan-out cost seconds and then a refusal.
    """
    bomb = page_tree_bomb(40)
    response, body = await upload(hub, bomb, "application/pdf")
    assert response.status == 422, body
    assert problem_slug(body) == "evidence-not-decodable"
    assert "twice" in body["detail"]
    assert stored_blobs(hub) == []


async def test_a_real_page_tree_of_several_levels_is_accepted(hub: Hub) -> None:
    pdf = classic_pdf([
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R 6 0 R]/Count 3>>",
        b"<</Type/Pages/Parent 2 0 R/Kids[4 0 R 5 0 R]/Count 2>>",
        b"<</Type/Page/Parent 3 0 R/MediaBox[0 0 9 9]>>",
        b"<</Type/Page/Parent 3 0 R/MediaBox[0 0 9 9]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>",
    ])  # fmt: skip
    response, body = await upload(hub, pdf, "application/pdf")
    assert response.status == 201, body
