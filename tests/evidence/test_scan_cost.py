"""What a hostile upload costs the hub to check: linear in its size, never quadratic.

The content check runs in a worker thread, but a regular expression holds the
GIL for as long as it runs: a check that goes quadratic stalls every request
of the hub, not just the upload's.
"""

from __future__ import annotations

import time

import pytest
from evidence_samples import classic_pdf, pdf
from hubkit import Hub

from certhub.hub.evidence import EvidenceRejected
from certhub.hub.evidence.pdfs import check_pdf

from .conftest import upload  # type: ignore[import-not-found]

_PAGES = [
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>",
]


async def test_a_pdf_full_of_unclosed_stream_keywords_is_checked_at_once(hub: Hub) -> None:
    """256 KB of ``stream`` lines in a comment, no ``endstream``: answered in well under 10 s.

    Before, the byte scan's ``stream.*?endstream`` pattern was retried from each
    of the 32,000 ``stream`` lines to the end of the file: about 40 s of one core,
    with the GIL held, so the whole hub answered nothing meanwhile.
    """
    hostile = classic_pdf(_PAGES, preamble=b"%" + b"stream\n%" * 32_000 + b"\n")
    started = time.monotonic()
    response, body = await upload(hub, hostile, "application/pdf")
    elapsed = time.monotonic() - started
    assert response.status == 201, body
    assert elapsed < 10.0, f"checking a {len(hostile)}-byte PDF took {elapsed:.1f} s"


@pytest.mark.parametrize(
    "extra",
    [
        b"9 0 obj\n<</S/JavaScript>>\nendobj\n",  # between objects, no stream anywhere
        b"9 0 obj\n<</Length 2>>stream\nxx\nendstream\nendobj\n10 0 obj\n<</S/Launch>>\nendobj\n",
        b"9 0 obj\n<</Length 2>>stream\nxx\n10 0 obj\n<</S/Launch>>\nendobj\n",  # never closed
    ],
    ids=["no-stream", "after-a-closed-stream", "after-an-unclosed-stream"],
)
def test_the_byte_scan_still_sees_names_outside_stream_bodies(extra: bytes) -> None:
    """The linear scan skips exactly what the pattern skipped: closed stream bodies."""
    with pytest.raises(EvidenceRejected) as refused:
        check_pdf(classic_pdf(_PAGES, extra=extra))
    assert refused.value.slug == "evidence-active-content"


def test_a_name_inside_a_closed_stream_body_is_left_to_the_object_walk() -> None:
    """Page content is arbitrary bytes: a ``/JS`` in a content stream is no action."""
    content = b"<</Length 12>>stream\n/JS 1 Tf ET\nendstream"
    pages = [*_PAGES[:2], b"<</Type/Page/Parent 2 0 R/Contents 4 0 R/MediaBox[0 0 9 9]>>"]
    check_pdf(classic_pdf([*pages, content]))
    check_pdf(pdf())
