"""PDF links: a web page may be linked (README), nothing a click would open on the PC.

A ``/URI`` action is the one action evidence may hold, "a link to a web page".
Before, any target passed: ``file:`` opens a file of the reviewer's PC, and a
``\\\\server\\share`` or ``smb:`` link makes Windows hand the reviewer's NTLM
credentials to whoever runs that server.
"""

from __future__ import annotations

import pytest
from evidence_samples import classic_pdf
from hubkit import Hub

from .conftest import problem_slug, stored_blobs, upload  # type: ignore[import-not-found]

_PAGES = [
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Annots[4 0 R]>>",
]


def linking_to(target: bytes) -> bytes:
    """A one-page PDF whose link annotation opens ``target`` (a PDF literal string)."""
    link = b"<</Type/Annot/Subtype/Link/Rect[0 0 9 9]/A<</S/URI/URI(%s)>>>>" % target
    catalog = b"<</Type/Catalog/Pages 2 0 R>>"
    return classic_pdf([catalog, *_PAGES, link])


@pytest.mark.parametrize(
    "target",
    [
        b"\\\\\\\\203.0.113.1\\\\share\\\\scan.png",  # \\203.0.113.1\share\scan.png
        b"file://203.0.113.1/share/scan.png",
        b"file:///C:/Windows/System32/calc.exe",
        b"smb://203.0.113.1/share",
        b"javascript:app.alert(1)",
    ],
)
async def test_a_link_off_the_web_is_refused(hub: Hub, target: bytes) -> None:
    response, body = await upload(hub, linking_to(target), "application/pdf")
    assert response.status == 422, body
    assert problem_slug(body) == "evidence-active-content"
    assert stored_blobs(hub) == []


@pytest.mark.parametrize("target", [b"https://www.gd.gov.cn/", b"HTTP://www.mohrss.gov.cn/"])
async def test_a_web_link_is_still_accepted(hub: Hub, target: bytes) -> None:
    response, body = await upload(hub, linking_to(target), "application/pdf")
    assert response.status == 201, body
