"""PDF evidence, proven by parsing: a readable, unencrypted document with no active content.

A certificate is a page to read. Anything a viewer would *run* or *open* —
JavaScript, launching a program, an embedded file, a form that submits,
multimedia, XFA — has no place in evidence, so the file is refused rather
than cleaned (the hub stores evidence byte for byte; see README, "Evidence").

Two looks, because a viewer and a parser may disagree about which objects a
file holds: every object pypdf reaches through the cross-reference data
(object streams decompressed, ``#xx`` name escapes decoded) is inspected, and
the file's bytes outside streams, and its decompressed object streams, are
scanned for the same names (:mod:`certhub.hub.evidence.pdf_scan`), which also
finds objects no cross-reference lists (a viewer that repairs a damaged file
would still find them) and the value pypdf drops of a key written twice.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Final

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from certhub.hub.evidence.errors import EvidenceRejected
from certhub.hub.evidence.pdf_scan import first_name_of, names_outside_streams
from certhub.hub.evidence.structure import pdf_end, refuse_undecodable

__all__ = ["check_pdf"]

_ACTIVE_KEYS: Final = frozenset({
    "/JS", "/JavaScript", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/EF",
    "/RichMedia", "/RichMediaContent", "/RichMediaSettings", "/XFA",
})  # fmt: skip
_ACTIVE_ACTIONS: Final = frozenset({
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
    "/Rendition", "/Movie", "/Sound", "/RichMediaExecute",
})  # fmt: skip
_ACTIVE_SUBTYPES: Final = frozenset({
    "/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D",
})  # fmt: skip
_ACTIVE_TYPES: Final = frozenset({"/EmbeddedFile"})
_ACTIVE_NAMES: Final = _ACTIVE_KEYS | _ACTIVE_ACTIONS | _ACTIVE_SUBTYPES | _ACTIVE_TYPES
# /Screen is also a blend mode (/BM /Screen), so the byte scan, which sees no
# context, leaves it to the object walk, which only reads it as a /Subtype.
_ACTIVE_RAW_NAMES: Final = _ACTIVE_NAMES - {"/Screen"}
_WEB_SCHEMES: Final = (b"http://", b"https://")
_MAX_OBJECT_STREAM_BYTES: Final = 64 * 1024 * 1024


def check_pdf(data: bytes) -> None:
    """Refuse ``data`` unless it is a whole, parseable, unencrypted PDF without active content.

    Raises:
        EvidenceRejected: ``evidence-truncated``, ``evidence-trailing-data``,
            ``evidence-not-decodable``, ``evidence-encrypted`` or
            ``evidence-active-content``.
    """
    end = pdf_end(data)
    if end != len(data):
        raise EvidenceRejected(
            "evidence-trailing-data",
            f"{len(data) - end} bytes follow the end of the PDF; evidence must be the PDF alone",
        )
    _refuse_names(names_outside_streams(data), _ACTIVE_RAW_NAMES)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise EvidenceRejected(
                "evidence-encrypted", "the PDF is encrypted, so its content cannot be checked"
            )
        _refuse_names(_names_in_object_streams(reader), _ACTIVE_RAW_NAMES)
        _refuse_names(_names_in_objects(reader), _ACTIVE_NAMES)
        pages = _page_count(reader)
    except EvidenceRejected:
        raise
    except Exception as exc:  # a hostile file may raise anything a parser can: never a 500
        reason = f"{type(exc).__name__}: {str(exc)[:120]}"
        raise refuse_undecodable(f"the PDF cannot be parsed: {reason}") from exc
    if pages < 1:
        raise refuse_undecodable("the PDF has no page")


def _page_count(reader: PdfReader) -> int:
    """The leaves of the document's page tree, reaching each node once.

    A node listed twice makes a graph of the tree: three levels each listing the
    level below a thousand times are a billion pages, in 20 KB, to a reader that
    flattens the tree (pypdf's ``reader.pages`` does, to its limit of 100,000 —
    seconds of a core for each such upload).

    Raises:
        EvidenceRejected: ``evidence-not-decodable`` when a node is listed twice.
    """
    catalog = reader.trailer["/Root"].get_object()
    if not isinstance(catalog, DictionaryObject):
        raise refuse_undecodable("the PDF's /Root is not a catalog dictionary")
    stack: list[PdfObject | None] = [dict.get(catalog, "/Pages")]
    seen: set[tuple[int, int]] = set()
    pages = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                raise refuse_undecodable(f"the PDF's page tree lists object {node.idnum} twice")
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if not isinstance(node, DictionaryObject):
            continue
        kids = dict.get(node, "/Kids")
        kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
        if isinstance(kids, ArrayObject):
            stack.extend(list.__iter__(kids))
        else:
            pages += 1
    return pages


def _refuse_names(names: Iterator[str], active: frozenset[str]) -> None:
    for name in names:
        if name in active:
            raise EvidenceRejected(
                "evidence-active-content",
                f"the PDF contains {name}; evidence may not hold scripts, actions that "
                "launch, submit or open files, embedded files, multimedia or XFA forms",
            )


def _names_in_objects(reader: PdfReader) -> Iterator[str]:
    """Every dictionary key, and each action, annotation or stream kind, of every object."""
    for root in _indirect_objects(reader):
        stack: list[PdfObject | None] = [root]
        while stack:  # a stack, not recursion: nesting depth is the sender's choice
            node = stack.pop()
            if isinstance(node, DictionaryObject):  # stream dictionaries included
                _refuse_link_off_the_web(dict.get(node, "/URI"))
                yield from (str(key) for key in node)
                for key in ("/S", "/Subtype", "/Type"):
                    value = dict.get(node, key)
                    if isinstance(value, NameObject):  # a key's value counts only here
                        yield str(value)
                stack.extend(dict.values(node))
            elif isinstance(node, ArrayObject):
                stack.extend(list.__iter__(node))


def _refuse_link_off_the_web(target: PdfObject | None) -> None:
    """Refuse a URI action that opens anything but a web page (http, https).

    ``file:`` opens a file of the reviewer's PC, and ``\\\\server\\share`` or
    ``smb:`` makes Windows send the reviewer's credentials to that server.
    """
    if not isinstance(target, TextStringObject | ByteStringObject):
        return  # the catalog's /URI dictionary (a /Base), or no link at all
    raw = target.original_bytes if isinstance(target, TextStringObject) else bytes(target)
    if not raw.strip().lower().startswith(_WEB_SCHEMES):
        raise EvidenceRejected(
            "evidence-active-content",
            f"the PDF links to {raw[:60].decode('latin-1')!r}; a link may only open a web "
            "page (http or https), not a file or a network share",
        )


def _indirect_objects(reader: PdfReader) -> Iterator[PdfObject | None]:
    """The trailer and every object the cross-reference data lists (in object streams too).

    Each object has a place of its own: a cross-reference listing one place for
    many numbers makes the walk read the same large object once per number (8,000
    entries for one 10 KB object, 170 KB, took minutes of a core).

    Raises:
        EvidenceRejected: ``evidence-not-decodable`` when two numbers share a place.
    """
    places = [offset for table in reader.xref.values() for offset in table.values()]
    places += [(place,) for place in reader.xref_objStm.values()]
    if len(set(places)) != len(places):
        raise refuse_undecodable("the PDF's cross-reference lists two objects at one place")
    yield reader.trailer
    for generation, table in list(reader.xref.items()):
        for number in list(table):
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in list(reader.xref_objStm):
        yield reader.get_object(IndirectObject(number, 0, reader))


def _names_in_object_streams(reader: PdfReader) -> Iterator[str]:
    """The active names in the decompressed object streams, which the byte look cannot read.

    An object stream holds objects only, no stream: nothing in it is skipped. It
    holds dictionaries, kilobytes of them: past :data:`_MAX_OBJECT_STREAM_BYTES`
    in all, a few kilobytes of upload inflating to gigabytes, the PDF is refused
    before the object walk inflates the rest.

    Raises:
        EvidenceRejected: ``evidence-not-decodable`` past that size.
    """
    inflated = 0
    for number in sorted({stream for stream, _ in reader.xref_objStm.values()}):
        stream = reader.get_object(IndirectObject(number, 0, reader))
        if isinstance(stream, StreamObject):
            data = stream.get_data()
            inflated += len(data)
            if inflated > _MAX_OBJECT_STREAM_BYTES:
                raise refuse_undecodable(
                    f"the PDF's object streams inflate to more than {_MAX_OBJECT_STREAM_BYTES} "
                    "bytes; a document's objects take far less"
                )
            found = first_name_of(_ACTIVE_RAW_NAMES, data)
            if found is not None:
                yield found
