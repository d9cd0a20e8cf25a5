"""GBK as departments write it: with its user-defined areas (造字) for characters it lacks.

A name with a character GBK lacks (a rare one, 生僻字) is written by banks and local
systems in GBK's user-defined areas (0xAAA1-0xAFFE, 0xF8A1-0xFEFE, 0xA140-0xA7A0), which
CP936 and GB18030 map to the Private Use Area (0xAAA1 -> U+E000). Python's ``gbk`` codec
refuses them, so such a record — a death reported, a certification at a bank's terminal —
would be refused at every import. GB18030 reads them as CP936 does; its four-byte
sequences are not GBK and stay refused.
"""

from __future__ import annotations

__all__ = ["decode_gbk"]


def decode_gbk(data: bytes) -> str:
    """``data`` as GBK text, its user-defined areas as the Private Use Area.

    Raises:
        UnicodeDecodeError: the ``gbk`` codec's, naming the first byte that is not GBK.
    """
    try:
        return data.decode("gbk")
    except UnicodeDecodeError as exc:
        refused = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise refused from None
    if any(len(char.encode("gb18030")) > 2 for char in text):  # a four-byte sequence
        raise refused from None
    return text
