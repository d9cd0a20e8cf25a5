"""JPEG and PNG evidence, proven by decoding: whole structure, bounded pixels, no location.

Order matters for cost: the byte walk (:mod:`certhub.hub.evidence.structure`) and the
header come first, so a decompression bomb — a tiny file declaring billions
of pixels — is refused from its declared size before one pixel is inflated.

Pillow's format plugins are called directly rather than through
``Image.open``: that keeps other decoders out of reach, and keeps the hub's
pixel limit the only one in play. ``Image.open`` would apply Pillow's own
process-wide ``MAX_IMAGE_PIXELS`` by *warning* between one and two times the
limit, and a warning is neither a refusal nor safe to turn into one from a
worker thread (warning filters are process-global).
"""

from __future__ import annotations

import io
from typing import Final

from PIL import ExifTags, ImageFile, JpegImagePlugin, PngImagePlugin

from certhub.hub.evidence.errors import EvidenceRejected
from certhub.hub.evidence.sniff import JPEG
from certhub.hub.evidence.structure import jpeg_end, png_end, refuse_undecodable

__all__ = ["MAX_PIXELS", "MAX_SCANS", "check_image"]

MAX_PIXELS: Final = 40_000_000
"""Largest image accepted, in pixels: an A4 page scanned at 600 dpi is 35 million."""

MAX_SCANS: Final = 100
"""Most scans a JPEG may be coded in: libjpeg's progressive script writes 10, phones 1."""

_GPS_LATITUDE: Final = 2  # GPS IFD tags (EXIF 2.3 §4.6.6)
_GPS_LONGITUDE: Final = 4
_XMP_LOCATION: Final = (b"GPSLatitude", b"GPSLongitude")


def check_image(data: bytes, media_type: str, *, max_pixels: int = MAX_PIXELS) -> None:
    """Refuse ``data`` unless it is one whole, decodable image of at most ``max_pixels``.

    Args:
        data: the upload, whose signature said ``media_type``.
        media_type: ``image/jpeg`` or ``image/png``.
        max_pixels: the largest width × height accepted.

    Raises:
        EvidenceRejected: ``evidence-truncated``, ``evidence-not-decodable``,
            ``evidence-trailing-data``, ``evidence-too-many-pixels`` (also a JPEG
            in more than :data:`MAX_SCANS` scans) or ``evidence-location-data``.
    """
    end = jpeg_end(data, max_scans=MAX_SCANS) if media_type == JPEG else png_end(data)
    if end != len(data):
        raise EvidenceRejected(
            "evidence-trailing-data",
            f"{len(data) - end} bytes follow the image's end; evidence must be the image alone",
        )
    image = _open(data, media_type)
    try:
        width, height = image.size
        if width * height > max_pixels:
            raise EvidenceRejected(
                "evidence-too-many-pixels",
                f"the image declares {width}×{height} pixels; at most {max_pixels} are accepted",
            )
        _decode(image)
        _refuse_location(image)
    finally:
        image.close()


def _open(data: bytes, media_type: str) -> ImageFile.ImageFile:
    """The image's header, parsed by the one plugin for its format (no pixel is decoded)."""
    plugin = JpegImagePlugin.JpegImageFile if media_type == JPEG else PngImagePlugin.PngImageFile
    try:
        return plugin(io.BytesIO(data))
    except Exception as exc:  # a hostile file may raise anything a parser can: never a 500
        raise refuse_undecodable(f"the image header cannot be read: {_reason(exc)}") from exc


def _decode(image: ImageFile.ImageFile) -> None:
    try:
        image.load()
    except Exception as exc:  # same: any decoder failure is the file's fault
        raise refuse_undecodable(f"the image does not decode: {_reason(exc)}") from exc


def _refuse_location(image: ImageFile.ImageFile) -> None:
    """Refuse a photo that says where it was taken (EXIF GPS or XMP coordinates).

    The hub stores evidence byte for byte (its SHA-256 is its name), so it
    cannot strip the location itself; the sender strips it before hashing.
    """
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except Exception as exc:  # EXIF that cannot be read cannot be cleared of a location
        raise refuse_undecodable(f"the image's EXIF metadata is malformed: {_reason(exc)}") from exc
    xmp = image.info.get("xmp", b"")
    xmp_bytes = xmp.encode("utf-8", "replace") if isinstance(xmp, str) else bytes(xmp)
    if (
        _GPS_LATITUDE in gps
        or _GPS_LONGITUDE in gps
        or any(tag in xmp_bytes for tag in _XMP_LOCATION)
    ):
        raise EvidenceRejected(
            "evidence-location-data",
            "the photo carries GPS coordinates (personal data); remove the location "
            "metadata before computing the digest and uploading",
        )


def _reason(exc: Exception) -> str:
    """The exception's class and first words, short enough for a problem detail."""
    return f"{type(exc).__name__}: {str(exc)[:120]}"
