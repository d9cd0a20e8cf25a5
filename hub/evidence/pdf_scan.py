"""The byte look at a PDF: every name in its bytes, read as a viewer's lexer would.

pypdf's objects are one look; this is the other (see :mod:`certhub.hub.evidence.pdfs`).
It sees what the objects hide: objects no cross-reference lists, and every value
of a key written twice in one dictionary — pypdf keeps the first, while viewers
(pdf.js, MuPDF, PDFium) keep the last, so ``/S/GoTo … /S/Launch`` reads as a
harmless link to pypdf and launches a program in a viewer.

Stream bodies are skipped (page content and images are arbitrary bytes), but a
body starts only where a viewer's lexer sees the ``stream`` keyword: after the
stream's dictionary, outside literal strings and comments. A ``(stream`` EOL``)``
string or a ``%stream`` comment must not hide the names that follow it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Final

__all__ = ["first_name_of", "names_in", "names_outside_streams"]

_SKIP: Final = re.compile(
    rb"(?:[^(%s]++"  # bytes that open nothing
    rb"|%[^\r\n]*+"  # a comment, to the end of its line
    rb"|\((?:[^()\\]|\\.)*+\)"  # a literal string without nested parentheses
    rb"|s(?!tream\r?\n))*+",  # an s that starts no stream keyword
    re.DOTALL,
)  # possessive throughout: one pass, never a step back
_KEYWORD: Final = re.compile(rb"stream\r?\n")
_BEFORE_KEYWORD: Final = b"\x00\t\n\x0c\r >"  # after the stream's dictionary, not in a name
_PARENTHESIS: Final = re.compile(rb"\\.|[()]", re.DOTALL)
_STREAM_END: Final = b"endstream"
_NAME: Final = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_ESCAPE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")


def names_outside_streams(data: bytes) -> Iterator[str]:
    """Every PDF name in ``data`` outside stream bodies, ``#xx`` escapes decoded.

    Names inside strings and comments count too: a false alarm costs a refusal,
    a missed name an active document.
    """
    return names_in(b" ".join(_outside_streams(data)))


def names_in(data: bytes) -> Iterator[str]:
    """Every PDF name in ``data`` (e.g. a decompressed object stream), escapes decoded."""
    for match in _NAME.finditer(data):
        raw = _ESCAPE.sub(lambda hexa: bytes.fromhex(hexa.group(1).decode()), match.group(1))
        yield "/" + raw.decode("latin-1")


def first_name_of(names: frozenset[str], data: bytes) -> str | None:
    """The first of ``names`` written in ``data`` (any character may be ``#xx``), if any.

    One regular-expression search, no Python step per name: for decompressed
    object streams, which may be many times larger than the upload.
    """
    match = _pattern_of(names).search(data)
    if match is None:
        return None
    raw = _ESCAPE.sub(lambda hexa: bytes.fromhex(hexa.group(1).decode()), match.group(1))
    return "/" + raw.decode("latin-1")


@functools.cache
def _pattern_of(names: frozenset[str]) -> re.Pattern[bytes]:
    """``/`` and one of ``names``, each character as itself or ``#xx``, then no name character."""
    alternatives = b"|".join(
        b"".join(
            b"(?:%s|#%s)" % (re.escape(bytes([c])), _hex_either_case(c)) for c in name[1:].encode()
        )
        for name in sorted(names, key=len, reverse=True)
    )
    return re.compile(rb"/(" + alternatives + rb")(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])")


def _hex_either_case(code: int) -> bytes:
    return b"".join(b"[%s%s]" % (digit.encode(), digit.upper().encode()) for digit in f"{code:02x}")


def _outside_streams(data: bytes) -> Iterator[bytes]:
    """The pieces of ``data`` between stream bodies (``stream`` EOL … ``endstream``).

    One forward pass, linear in the size of ``data``: a lazy
    ``stream.*?endstream`` pattern retried from every ``stream`` EOL that no
    ``endstream`` follows costs the square of it.
    """
    at = scan = 0
    while (scan := _skip(data, scan)) < len(data):
        keyword = _KEYWORD.match(data, scan)
        if data[scan] == ord("("):  # a string with nested parentheses, or never closed
            scan = _string_end(data, scan)
        elif keyword is None or data[scan - 1] not in _BEFORE_KEYWORD:
            scan += 1  # "stream" ending another word ("endstream") or a name
        elif (end := data.find(_STREAM_END, keyword.end())) < 0:
            break  # no body is closed from here on: the rest is scanned as it is
        else:
            yield data[at:scan]
            at = scan = end + len(_STREAM_END)
    yield data[at:]


def _skip(data: bytes, scan: int) -> int:
    """Past everything from ``scan`` that cannot start a stream body or a nested string."""
    match = _SKIP.match(data, scan)
    return len(data) if match is None else match.end()


def _string_end(data: bytes, start: int) -> int:
    """Where the literal string opening at ``start`` ends (balanced parentheses, escapes)."""
    depth = 0
    for match in _PARENTHESIS.finditer(data, start):
        if match.group() == b"(":
            depth += 1
        elif match.group() == b")":
            depth -= 1
            if depth == 0:
                return match.end()
    return len(data)  # never closed: nothing after it is a stream
