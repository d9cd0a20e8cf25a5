"""The content checks below the API: structure walkers, pixel limit, both looks at a PDF."""

from __future__ import annotations

import io

import pytest
from evidence_samples import pdf
from hostile_evidence import ACTIVE_PDFS, photo_jpeg, png_bomb, scan_png
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from certhub.hub.evidence import EvidenceRejected
from certhub.hub.evidence.images import MAX_SCANS, check_image
from certhub.hub.evidence.pdfs import _ACTIVE_NAMES, _names_in_objects
from certhub.hub.evidence.structure import jpeg_end, pdf_end, png_end
from certhub.mocks.documents import certificate_pdf
from certhub.mocks.photos import jpeg_photo

sizes = st.tuples(st.integers(1, 300), st.integers(1, 300))


@settings(max_examples=40, deadline=None)
@given(size=sizes, quality=st.integers(5, 95), progressive=st.booleans())
def test_the_jpeg_walk_ends_exactly_at_the_end_of_any_real_jpeg(
    size: tuple[int, int], quality: int, progressive: bool
) -> None:
    data = photo_jpeg(size, quality=quality, progressive=progressive)
    assert jpeg_end(data, max_scans=MAX_SCANS) == len(data)
    check_image(data, "image/jpeg")


@settings(max_examples=40, deadline=None)
@given(size=sizes)
def test_the_png_walk_ends_exactly_at_the_end_of_any_real_png(size: tuple[int, int]) -> None:
    data = scan_png(size)
    assert png_end(data) == len(data)
    check_image(data, "image/png")


@given(seed=st.text(max_size=20), blocks=st.tuples(st.integers(1, 12), st.integers(1, 12)))
def test_the_mock_departments_photos_pass(seed: str, blocks: tuple[int, int]) -> None:
    data = jpeg_photo(seed, width=8 * blocks[0], height=8 * blocks[1])
    check_image(data, "image/jpeg")


def test_the_mock_departments_certificate_passes() -> None:
    data = certificate_pdf()
    assert pdf_end(data) == len(data)


@pytest.mark.parametrize(("side", "allowed"), [(100, 10_000), (101, 10_000)])
def test_the_pixel_limit_is_width_times_height(side: int, allowed: int) -> None:
    data = scan_png((side, side))
    if side * side <= allowed:
        check_image(data, "image/png", max_pixels=allowed)
        return
    with pytest.raises(EvidenceRejected) as refused:
        check_image(data, "image/png", max_pixels=allowed)
    assert refused.value.slug == "evidence-too-many-pixels"


def test_a_bomb_inside_pillows_warning_band_is_refused_not_warned_about() -> None:
    # 100 million pixels: past Pillow's MAX_IMAGE_PIXELS (warning) but under twice it
    # (error). Under filterwarnings=error a DecompressionBombWarning would raise here.
    with pytest.raises(EvidenceRejected) as refused:
        check_image(png_bomb(10_000), "image/png")
    assert refused.value.slug == "evidence-too-many-pixels"


@pytest.mark.parametrize("kind", sorted(set(ACTIVE_PDFS) - {"orphan-javascript"}))
def test_the_object_walk_alone_finds_the_active_content(kind: str) -> None:
    reader = PdfReader(io.BytesIO(ACTIVE_PDFS[kind]()))
    assert set(_names_in_objects(reader)) & _ACTIVE_NAMES


def test_the_object_walk_finds_nothing_in_a_plain_pdf() -> None:
    for data in (pdf(), certificate_pdf()):
        assert not set(_names_in_objects(PdfReader(io.BytesIO(data)))) & _ACTIVE_NAMES
