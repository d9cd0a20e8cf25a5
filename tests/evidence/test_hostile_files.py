"""Hostile evidence files through the real HTTP API: refused by reason, never stored, counted.

Issue 14, items 9 and 10: polyglots, payloads wrapped in image markers,
decompression bombs and PDFs with active content were stored and served to
reviewers, because evidence was recognised by its first and last bytes only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from evidence_samples import jpeg, pdf, png
from hostile_evidence import (
    ACTIVE_PDFS,
    exe_between_jpeg_markers,
    exe_in_a_jpeg_comment,
    html_in_png_markers,
    jpeg_with_camera_exif,
    jpeg_with_gps,
    jpeg_with_xmp_gps,
    jpeg_zip_polyglot,
    pdf_encrypted,
    pdf_with_uri_link,
    photo_jpeg,
    png_bomb,
    png_with_data_after_iend,
    png_with_exif_gps,
    png_with_xmp_gps,
    scan_png,
)
from hubkit import Hub

from certhub.hub.core.keys import METRICS

from .conftest import download, problem_slug, stored_blobs, upload  # type: ignore[import-not-found]

REFUSED = "certhub_evidence_refused_total"


def refusals(hub: Hub, reason: str) -> float:
    """How many uploads the hub's metric counts as refused for ``reason``."""
    value = hub.client.app[METRICS].registry.get_sample_value(REFUSED, {"reason": reason})
    return value or 0.0


async def assert_refused(hub: Hub, data: bytes, declared: str, status: int, slug: str) -> None:
    """Upload ``data``: refused with ``status``/``slug``, nothing stored, the metric counts it."""
    before = refusals(hub, slug)
    response, body = await upload(hub, data, declared)
    assert (response.status, problem_slug(body)) == (status, slug), body.get("detail")
    assert response.content_type == "application/problem+json"
    assert body["status"] == status
    assert stored_blobs(hub) == []
    assert refusals(hub, slug) == before + 1
    digest = hashlib.sha256(data).hexdigest()
    assert (await download(hub, digest)).status == 404


ATTACKS: dict[str, tuple[Callable[[], bytes], str, int, str]] = {
    "jpeg-zip-polyglot": (jpeg_zip_polyglot, "image/jpeg", 422, "evidence-trailing-data"),
    "exe-between-jpeg-markers": (
        exe_between_jpeg_markers, "image/jpeg", 422, "evidence-not-decodable",
    ),
    "exe-in-jpeg-comment": (exe_in_a_jpeg_comment, "image/jpeg", 422, "evidence-not-decodable"),
    "html-in-png-markers": (html_in_png_markers, "image/png", 422, "evidence-not-decodable"),
    "png-after-iend": (png_with_data_after_iend, "image/png", 422, "evidence-trailing-data"),
    "png-bomb": (png_bomb, "image/png", 422, "evidence-too-many-pixels"),
    "jpeg-with-gps": (jpeg_with_gps, "image/jpeg", 422, "evidence-location-data"),
    "jpeg-with-xmp-gps": (jpeg_with_xmp_gps, "image/jpeg", 422, "evidence-location-data"),
    "png-with-exif-gps": (png_with_exif_gps, "image/png", 422, "evidence-location-data"),
    "png-with-xmp-gps": (png_with_xmp_gps, "image/png", 422, "evidence-location-data"),
    "pdf-encrypted": (pdf_encrypted, "application/pdf", 422, "evidence-encrypted"),
    "pdf-zip-polyglot": (
        lambda: pdf() + jpeg_zip_polyglot(), "application/pdf", 422, "evidence-trailing-data",
    ),
}  # fmt: skip


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_a_hostile_file_is_refused_by_reason(hub: Hub, attack: str) -> None:
    make, declared, status, slug = ATTACKS[attack]
    await assert_refused(hub, make(), declared, status, slug)


@pytest.mark.parametrize("kind", sorted(ACTIVE_PDFS))
async def test_a_pdf_with_active_content_is_refused(hub: Hub, kind: str) -> None:
    await assert_refused(
        hub, ACTIVE_PDFS[kind](), "application/pdf", 422, "evidence-active-content"
    )


async def test_the_bomb_is_refused_from_its_header_without_inflating_it(hub: Hub) -> None:
    bomb = png_bomb()
    assert len(bomb) < 200_000  # 400 million pixels in a small upload
    await assert_refused(hub, bomb, "image/png", 422, "evidence-too-many-pixels")


@pytest.mark.parametrize(
    ("make", "media_type"),
    [
        (photo_jpeg, "image/jpeg"),
        (scan_png, "image/png"),
        (jpeg_with_camera_exif, "image/jpeg"),
        (pdf_with_uri_link, "application/pdf"),
        (jpeg, "image/jpeg"),
        (png, "image/png"),
        (pdf, "application/pdf"),
    ],
    ids=["pillow-jpeg", "pillow-png", "exif-without-gps", "pdf-web-link", "tiny-jpeg",
         "tiny-png", "tiny-pdf"],
)  # fmt: skip
async def test_ordinary_evidence_is_still_stored_byte_for_byte(
    hub: Hub, make: Callable[[], bytes], media_type: str
) -> None:
    data = make()
    response, body = await upload(hub, data, media_type)
    assert response.status == 201, body
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert await (await download(hub, body["sha256"])).read() == data


async def test_metrics_expose_refusals_by_reason(hub: Hub) -> None:
    await upload(hub, jpeg_zip_polyglot(), "image/jpeg")
    await upload(hub, ACTIVE_PDFS["open-action-javascript"](), "application/pdf")
    exposed = await (await hub.client.get("/metrics")).text()
    assert f'{REFUSED}{{reason="evidence-trailing-data"}} 1.0' in exposed
    assert f'{REFUSED}{{reason="evidence-active-content"}} 1.0' in exposed
