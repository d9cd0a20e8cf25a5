"""PDF evidence, proven by parsing: a readable, unencrypted document with no active content.

A certificate is a page to read. Anything a viewer would *run* or *open* —
JavaScript, launching a program, an embedded file, a form that submits,
multimedia, XFA — has no place in evidence, so the file is refused rather
than cleaned (the hub stores evidence byte for byte; see README, "Evidence").

Two looks, because a viewer and a parser may disagree about which objects a
file holds: every object pypdf reaches through the cross-reference data
(object streams decompressed, ``#xx`` name escapes decoded) is inspected, and
the file's uncompressed bytes outside streams are scanned for the same names,
which also finds objects no cross-reference lists (a viewer that repairs a
damaged file would still find them).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Final

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from certhub.hub.evidence.errors import EvidenceRejected
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

_STREAM_START: Final = re.compile(rb"stream\r?\n")
_STREAM_END: Final = b"endstream"
_NAME: Final = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_ESCAPE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")


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
    _refuse_names(_names_outside_streams(data), _ACTIVE_RAW_NAMES)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise EvidenceRejected(
                "evidence-encrypted", "the PDF is encrypted, so its content cannot be checked"
            )
        _refuse_names(_names_in_objects(reader), _ACTIVE_NAMES)
        pages = len(reader.pages)
    except EvidenceRejected:
        raise
    except Exception as exc:  # a hostile file may raise anything a parser can: never a 500
        reason = f"{type(exc).__name__}: {str(exc)[:120]}"
        raise refuse_undecodable(f"the PDF cannot be parsed: {reason}") from exc
    if pages < 1:
        raise refuse_undecodable("the PDF has no page")


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
                yield from (str(key) for key in node)
                for key in ("/S", "/Subtype", "/Type"):
                    value = dict.get(node, key)
                    if isinstance(value, NameObject):  # a key's value counts only here
                        yield str(value)
                stack.extend(dict.values(node))
            elif isinstance(node, ArrayObject):
                stack.extend(list.__iter__(node))


def _indirect_objects(reader: PdfReader) -> Iterator[PdfObject | None]:
    """The trailer and every object the cross-reference data lists (in object streams too)."""
    yield reader.trailer
    for generation, table in list(reader.xref.items()):
        for number in list(table):
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in list(reader.xref_objStm):
        yield reader.get_object(IndirectObject(number, 0, reader))


def _names_outside_streams(data: bytes) -> Iterator[str]:
    """Every PDF name in the file's bytes outside stream bodies, ``#xx`` escapes decoded."""
    for match in _NAME.finditer(b" ".join(_outside_streams(data))):
        raw = _ESCAPE.sub(lambda hexa: bytes.fromhex(hexa.group(1).decode()), match.group(1))
        yield "/" + raw.decode("latin-1")


def _outside_streams(data: bytes) -> Iterator[bytes]:
    """The pieces of ``data`` between stream bodies (``stream`` EOL … ``endstream``).

    One forward pass: a lazy ``stream.*?endstream`` pattern retried from every
    ``stream`` EOL that no ``endstream`` follows costs the square of the file's
    size (a 64 KB upload of ``stream`` lines held the GIL for seconds).
    """
    at = 0
    while (start := _STREAM_START.search(data, at)) is not None:
        end = data.find(_STREAM_END, start.end())
        if end < 0:
            break  # no body is closed from here on: the rest is scanned as it is
        yield data[at : start.start()]
        at = end + len(_STREAM_END)
    yield data[at:]
