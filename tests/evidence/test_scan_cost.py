"""What a hostile upload costs the hub to check: bounded, and linear in its size.

The content check runs in a worker thread, but a regular expression holds the
GIL for as long as it runs: a check that goes quadratic stalls every request
of the hub, not just the upload's.
"""

from __future__ import annotations

import struct
import time

import pytest
from evidence_samples import classic_pdf, pdf
from hubkit import Hub

from certhub.hub.evidence import EvidenceRejected
from certhub.hub.evidence.images import MAX_SCANS, check_image
from certhub.hub.evidence.pdfs import check_pdf

from .conftest import problem_slug, stored_blobs, upload  # type: ignore[import-not-found]

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


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def _entropy_coded(bits: str) -> bytes:
    """``bits`` padded with ones, each FF byte stuffed."""
    bits += "1" * (-len(bits) % 8)
    coded = bytes(int(bits[at : at + 8], 2) for at in range(0, len(bits), 8))
    return coded.replace(b"\xff", b"\xff\x00")


def progressive_scan_bomb(side: int, scans: int) -> bytes:
    """A grey ``side``×``side`` progressive JPEG: one DC scan, then ``scans`` empty AC scans.

    Each AC scan is a few end-of-band runs (32,767 blocks a code), some 50 bytes,
    yet the decoder walks every block of the image for it.
    """
    blocks = ((side + 7) // 8) ** 2
    dc_table = b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"  # symbol 0 (no difference): "0"
    ac_table = b"\x11" + b"\x01" + b"\x00" * 15 + b"\xe0"  # EOB14 run: "0" + 14 bits
    empty_ac = _segment(0xDA, b"\x01\x01\x01\x01\x3f\x00") + _entropy_coded(
        ("0" + "1" * 14) * -(-blocks // 32_767)
    )
    return b"".join((
        b"\xff\xd8",
        _segment(0xDB, b"\x00" + b"\x01" * 64),
        _segment(0xC2, struct.pack(">BHHB", 8, side, side, 1) + b"\x01\x11\x00"),
        _segment(0xC4, dc_table),
        _segment(0xC4, ac_table),
        _segment(0xDA, b"\x01\x01\x00\x00\x00\x00"),
        _entropy_coded("0" * blocks),
        empty_ac * scans,
        b"\xff\xd9",
    ))  # fmt: skip


async def test_a_jpeg_of_hundreds_of_empty_scans_is_refused_before_decoding(hub: Hub) -> None:
    """A 6000×6000 grey JPEG in 300 scans (90 KB): seconds of a core to decode, refused at once.

    Before, it was decoded and stored; in 10 MiB, 180,000 such scans are most of an
    hour of a core for one upload (about 13 ms a scan here).
    """
    bomb = progressive_scan_bomb(6000, 300)
    response, body = await upload(hub, bomb, "image/jpeg")
    assert response.status == 422, body
    assert problem_slug(body) == "evidence-too-many-pixels"
    assert "scans" in body["detail"]
    assert stored_blobs(hub) == []


def test_a_progressive_jpeg_within_the_scan_limit_is_accepted() -> None:
    """The same construction at the limit decodes (a small image: cheap per scan)."""
    check_image(progressive_scan_bomb(64, MAX_SCANS - 1), "image/jpeg")
    with pytest.raises(EvidenceRejected) as refused:
        check_image(progressive_scan_bomb(64, MAX_SCANS), "image/jpeg")
    assert refused.value.slug == "evidence-too-many-pixels"
