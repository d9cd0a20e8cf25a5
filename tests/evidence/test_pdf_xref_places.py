"""A cross-reference naming one place for many objects: refused before the walk reads it."""

from __future__ import annotations

import io

from hubkit import Hub
from pypdf import PdfWriter

from .conftest import problem_slug, stored_blobs, upload  # type: ignore[import-not-found]

_OBJECTS = [
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>",
    b"<</Note[" + b"1 " * 5_000 + b"]>>",  # 10 KB
]


def aliased_xref(aliases: int) -> bytes:
    """Objects 1-4, then ``aliases`` more numbers whose entries all point at object 4."""
    out = bytearray(b"%PDF-1.4\n")
    places = []
    for number, body in enumerate(_OBJECTS, start=1):
        places.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    places += [places[-1]] * aliases
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(places) + 1)
    out += b"".join(b"%010d 00000 n \n" % place for place in places)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\n" % (len(places) + 1)
    return bytes(out + b"startxref\n%d\n%%%%EOF\n" % xref)


async def test_many_numbers_at_one_place_are_refused(hub: Hub) -> None:
    """Before, 2,000 aliases of one 10 KB object (50 KB) took the walk about 100 s
    (the same object parsed once per number); a 1,000-fold bigger read than the upload.
    """
    response, body = await upload(hub, aliased_xref(200), "application/pdf")
    assert response.status == 422, body
    assert problem_slug(body) == "evidence-not-decodable"
    assert stored_blobs(hub) == []


async def test_a_pdf_with_an_incremental_update_is_accepted(hub: Hub) -> None:
    """Written by pypdf, then updated in place: an object listed again at its new place."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    first = _written(writer)
    updated = PdfWriter(io.BytesIO(first), incremental=True)
    updated.add_metadata({"/Title": "cremation certificate"})
    for data in (first, _written(updated), aliased_xref(0)):
        response, body = await upload(hub, data, "application/pdf")
        assert response.status == 201, body


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
