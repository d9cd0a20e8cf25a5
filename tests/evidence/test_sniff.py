"""The content checks and the Content-Digest parser: properties over arbitrary bytes.

The sniffer only reads a signature; what makes an upload evidence is the whole
check (:func:`outcome`): structure walked, image decoded, PDF parsed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from evidence_samples import SAMPLES, jpeg, pdf, png
from hypothesis import example, given
from hypothesis import strategies as st

from certhub.hub.evidence import EvidenceRejected, parse_content_digest, sniff_media_type
from certhub.hub.evidence.content_check import check_content

REFUSALS = {
    "evidence-unsupported",
    "evidence-truncated",
    "evidence-not-decodable",
    "evidence-trailing-data",
    "evidence-too-many-pixels",
    "evidence-location-data",
    "evidence-active-content",
    "evidence-encrypted",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
PDF_PADDING = b" \t\r\n\x0c\x00"


def outcome(data: bytes) -> str:
    """The media type of accepted evidence, or the refusal's slug."""
    try:
        media_type = sniff_media_type(data)
        check_content(data, media_type)
    except EvidenceRejected as exc:
        return exc.slug
    return media_type


@given(st.binary(max_size=4096))
@example(b"")
@example(b"\xff")
@example(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHD")
@example(b"%PDF-")
@example(b"%PDF-%%EOF")
@example(b"\xff\xd8\xff\xd9")
def test_random_bytes_never_crash_the_checks(data: bytes) -> None:
    assert outcome(data) in REFUSALS | set(SAMPLES)


@given(st.binary(max_size=2048))
def test_jpeg_markers_around_anything_are_not_a_jpeg(middle: bytes) -> None:
    data = b"\xff\xd8\xff" + middle + b"\xff\xd9"
    assert sniff_media_type(data) == "image/jpeg"  # the signature claims it …
    assert outcome(data) in REFUSALS  # … the structure and the decoder disprove it


@given(st.binary(min_size=17, max_size=17), st.binary(max_size=2048))
def test_png_signature_ihdr_and_iend_around_anything_are_not_a_png(
    ihdr: bytes, middle: bytes
) -> None:
    data = PNG_SIGNATURE + b"\x00\x00\x00\x0dIHDR" + ihdr + middle + PNG_IEND
    assert outcome(data) in REFUSALS


@given(st.binary(max_size=4096), st.binary(max_size=1019))
def test_pdf_header_and_a_late_eof_are_not_a_pdf(body: bytes, tail: bytes) -> None:
    assert outcome(b"%PDF-" + body + b"%%EOF" + tail) in REFUSALS


@pytest.mark.parametrize("make", [jpeg, png, pdf], ids=["jpeg", "png", "pdf"])
@given(junk=st.binary(min_size=1, max_size=512))
def test_anything_after_a_valid_file_is_trailing_data(
    make: Callable[[], bytes], junk: bytes
) -> None:
    data = make()
    if data.startswith(b"%PDF-") and not junk.strip(PDF_PADDING):
        return  # end-of-line padding after %%EOF is part of a PDF
    assert outcome(data + junk) == "evidence-trailing-data"


def _complete_length(data: bytes) -> int:
    """How many leading bytes must survive for the sample to stay whole."""
    return data.rindex(b"%%EOF") + 5 if data.startswith(b"%PDF-") else len(data)


@pytest.mark.parametrize(
    "sample", [jpeg(), png(), pdf(), pdf(padding=3000)], ids=["jpeg", "png", "pdf", "long-pdf"]
)
@given(cut=st.integers(min_value=1))
def test_truncating_any_valid_sample_is_detected(sample: bytes, cut: int) -> None:
    kept = cut % _complete_length(sample)
    if kept == 0:
        kept = 1
    assert outcome(sample[:kept]) == "evidence-truncated"


@pytest.mark.parametrize("kept", range(1, 40))
def test_every_short_prefix_is_truncated(kept: int) -> None:
    for make in (jpeg, png, pdf):
        assert outcome(make()[:kept]) == "evidence-truncated", make.__name__


def test_the_samples_are_accepted() -> None:
    for media_type, make in SAMPLES.items():
        assert outcome(make()) == media_type


def test_the_png_first_chunk_must_be_ihdr() -> None:
    broken = png().replace(b"IHDR", b"IDAT", 1)
    assert outcome(broken) == "evidence-not-decodable"


@given(st.binary(max_size=512))
def test_a_content_digest_round_trips(data: bytes) -> None:
    encoded = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert parse_content_digest(f"sha-256=:{encoded}:") == hashlib.sha256(data).hexdigest()
    assert parse_content_digest(f"sha-512=:AA==:, sha-256=:{encoded}:;x=1") == (
        hashlib.sha256(data).hexdigest()
    )


@given(st.text(max_size=200))
def test_any_content_digest_header_parses_or_is_a_digest_mismatch(header: str) -> None:
    assert outcome_of_header(header) in {"digest-mismatch", "sha-256"}


def outcome_of_header(header: str) -> str:
    """``sha-256`` for a parsed 64-hex digest, else the refusal's slug."""
    try:
        parsed = parse_content_digest(header)
    except EvidenceRejected as exc:
        return exc.slug
    return "sha-256" if len(parsed) == 64 else parsed
