"""Object streams that inflate far beyond any document's objects: refused, not inflated."""

from __future__ import annotations

import struct
import zlib

from hubkit import Hub

from .conftest import problem_slug, stored_blobs, upload  # type: ignore[import-not-found]


def inflating_object_streams(streams: int, inflated: int) -> bytes:
    """A one-page PDF 1.5 with ``streams`` object streams, each one small object then
    ``inflated`` bytes of spaces (about a thousandth of that once deflated)."""
    out = bytearray(b"%PDF-1.5\n")
    places: dict[int, int] = {}
    plain = {
        1: b"<</Type/Catalog/Pages 2 0 R>>",
        2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        3: b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>",
    }
    for number, body in plain.items():
        places[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, places[number], 0) for number in plain]
    for index in range(streams):
        held, number = 4 + 2 * index, 5 + 2 * index  # the object held, the stream holding it
        packed = zlib.compress(b"%d 0 <</Note %d>>" % (held, index) + b" " * inflated, 9)
        first = len(b"%d 0 " % held)
        places[number] = len(out)
        out += b"%d 0 obj\n<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %d>>\n" % (
            number,
            first,
            len(packed),
        )
        out += b"stream\n" + packed + b"\nendstream\nendobj\n"
        rows += [struct.pack(">BIH", 2, number, 0), struct.pack(">BIH", 1, places[number], 0)]
    xref_number = 4 + 2 * streams
    rows.append(struct.pack(">BIH", 1, len(out), 0))
    table = zlib.compress(b"".join(rows))
    xref = len(out)
    out += b"%d 0 obj\n<</Type/XRef/Size %d/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length %d>>" % (
        xref_number,
        xref_number + 1,
        len(table),
    )
    out += b"\nstream\n" + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


async def test_object_streams_inflating_past_64_mib_are_refused(hub: Hub) -> None:
    """Three streams of 30 MB of spaces, 90 KB uploaded: before, stored after inflating all
    (in 10 MiB, 130 such streams are 10 GB for the walk to inflate)."""
    response, body = await upload(hub, inflating_object_streams(3, 30_000_000), "application/pdf")
    assert response.status == 422, body
    assert problem_slug(body) == "evidence-not-decodable"
    assert "object streams" in body["detail"]
    assert stored_blobs(hub) == []


async def test_ordinary_object_streams_are_accepted(hub: Hub) -> None:
    response, body = await upload(hub, inflating_object_streams(3, 1_000), "application/pdf")
    assert response.status == 201, body
