"""Files that are two formats at once, inside the framing the structure walk accepts."""

from __future__ import annotations

import io
import struct

import pytest
from hostile_evidence import pdf_open_action_javascript, photo_jpeg
from hubkit import Hub
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from .conftest import problem_slug, stored_blobs, upload  # type: ignore[import-not-found]


def jpeg_carrying_a_pdf() -> bytes:
    """A real photo whose first segment, a comment, is a whole PDF with an OpenAction script.

    PDF readers look for ``%PDF-`` in a file's first 1024 bytes and for ``%%EOF``
    in its last 1024, and rebuild the cross-reference when offsets are off: the
    file opens as that PDF as well as it displays as the photo.
    """
    document = pdf_open_action_javascript()
    photo = photo_jpeg()
    comment = b"\xff\xfe" + struct.pack(">H", len(document) + 2) + document
    return photo[:2] + comment + photo[2:]


@pytest.mark.xfail(
    strict=True,
    reason=(
        "decision wanted: a JPEG (or PNG) that is also a PDF with JavaScript (the PDF in a "
        "comment segment or text chunk, where the walk accepts any bytes) is stored and served "
        "as image/jpeg (nosniff, attachment .jpg); refuse an image holding %PDF- in its first "
        "1024 bytes, like the JPEG+ZIP polyglot (evidence-trailing-data), and under which slug?"
    ),
)
async def test_a_photo_that_is_also_a_pdf_with_javascript_is_refused(hub: Hub) -> None:
    polyglot = jpeg_carrying_a_pdf()
    reader = PdfReader(io.BytesIO(polyglot))  # a PDF reader opens it, script and all
    catalog = reader.trailer["/Root"].get_object()
    assert isinstance(catalog, DictionaryObject)
    assert "/OpenAction" in catalog
    response, body = await upload(hub, polyglot, "image/jpeg")
    assert response.status == 422, body
    assert problem_slug(body).startswith("evidence-")
    assert stored_blobs(hub) == []
