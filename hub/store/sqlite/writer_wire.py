"""The local channel between ingress processes and the one process that writes the SQLite ledger.

With ``certhub serve --processes N`` on the embedded ledger, N processes
answer HTTP on one port, but one of them — the writer — owns the ledger file
(its lock, its sequence numbers, its audit chain, its group commit). The
others verify and validate what they receive, then hand each write to the
writer over a Unix socket in the data folder and answer only after the
writer's commit (:mod:`certhub.hub.store.sqlite.writer_client`,
:mod:`certhub.hub.store.sqlite.writer_server`).

Frames: a 4-byte big-endian length, an 8-byte call id, then a pickle (the
id stays readable when the pickle is not, so even a refused call is answered). Pickle carries the
store's own frozen dataclasses (messages, effects, write operations,
records) without a second schema to keep in step with them; what may be
unpickled is limited to those classes (:class:`_LedgerUnpickler`), and the
socket is the owner's alone (mode 0600 in the data folder), so only the
deployment's own processes speak on it.

Requests are ``(operation, arguments)``, answers ``(ok, value)`` where a
failed write's value is the store error (a refusal keeps its slug).
Enumerations of other modules (a rule's ``ItemKind`` in an effect's ``str``
field) travel as their plain values.

The call every pushed message makes — an append whose only effect is at most
an item under review, received at a UTC time — and its answer, a sequence and
a receipt, travel as fixed binary records instead (:mod:`.writer_records`,
told apart by their first byte: a pickle's is ``0x80``); they cost a fifth of
their pickles (≈ 6 against ≈ 35 µs of CPU per append, both ends).
"""

from __future__ import annotations

import asyncio
import copyreg
import dataclasses
import datetime
import enum
import io
import operator
import pickle
import struct
from collections.abc import Callable
from typing import Any, Final

from certhub.hub.store.sqlite import writer_records
from certhub.schemas import Refusal

__all__ = ["FrameBatch", "FrameError", "decode", "encode", "read_frame"]

MAX_FRAME: Final = 64 * 1024 * 1024  # far above any message (max body 1 MiB) with its effects
_HEAD = struct.Struct(">IQ")  # pickle length, call id

_ALLOWED: Final = {
    "builtins": {"frozenset", "set", "bytearray", "str", "int"},
    "datetime": {"datetime", "date", "time", "timedelta", "timezone"},
    "decimal": {"Decimal"},
    "zoneinfo": {"ZoneInfo"},
    "certhub.hub.store.records": {"NewMessage", "RecordKind", "SignedMessage"},
    "certhub.hub.store.effects": None,  # every class there is a plain frozen record
    "certhub.hub.store.person_guard": {"PersonGuard", "CertifiedGuard"},  # what a planner read
    "certhub.hub.store.register_withdrawal": {"RegisterWithdrawal"},  # a certification out
    "certhub.hub.store.writes": {"Run", "RunMany", "Check", "Link"},
    "certhub.hub.store.base": {
        "AppendOutcome",
        "LedgerRecord",
        "Conflict",
        "ReplayConflict",
        "StoreError",
        "StoreUnavailable",
    },
}
"""Modules and names a frame may refer to (None: any class the module defines)."""


class FrameError(Exception):
    """A frame was malformed, too large, or named a class outside the ledger's records."""


class _Reducers(dict[type, Callable[[Any], Any]]):
    """How the ledger's own types pickle, found by the C pickler per type (no per-object hook).

    Frozen slotted dataclasses pickle by their fields in order and rebuild
    through their constructor (their default pickling looks up the fields on
    every call: a few times slower); refusals by (slug, detail, extensions)
    (their ``args`` hold only the detail); other modules' enumerations as
    their plain values.
    """

    def __missing__(self, cls: type) -> Callable[[Any], Any]:
        reducer: Callable[[Any], Any]
        if issubclass(cls, Refusal):
            reducer = _refusal
        elif dataclasses.is_dataclass(cls) and cls.__module__ in _ALLOWED:
            reducer = _by_fields(cls)
        elif issubclass(cls, enum.Enum):
            reducer = _plain if cls.__module__ not in _ALLOWED else _member
        elif issubclass(cls, type):  # a class itself (an enum's metaclass): by its name
            reducer = _by_name
        else:  # pickled as pickle does; not cached, so rare types only
            raise KeyError(cls)
        self[cls] = reducer
        return reducer


def _by_fields(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    names = [field.name for field in dataclasses.fields(cls)]
    values = operator.attrgetter(*names) if len(names) > 1 else None

    def reduce(obj: Any) -> tuple[Any, ...]:
        args = values(obj) if values is not None else (getattr(obj, names[0]),)
        return cls, args

    return reduce


def _refusal(obj: Refusal) -> tuple[Any, ...]:
    return type(obj), (obj.slug, obj.detail, dict(obj.extensions))


def _own(obj: Any) -> tuple[Any, ...]:
    reduced: tuple[Any, ...] = obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    return reduced


def _member(obj: enum.Enum) -> tuple[Any, ...]:
    return type(obj), (obj.value,)


def _by_name(obj: type) -> str:
    return obj.__qualname__


def _plain(obj: enum.Enum) -> tuple[Any, ...]:
    if isinstance(obj, str):
        return str, (str(obj),)
    return int, (int(obj.value),)


_REDUCERS = _Reducers(copyreg.dispatch_table)
_REDUCERS.update(  # in every message: its time, in its time zone
    dict.fromkeys((datetime.datetime, datetime.timezone, datetime.timedelta), _own)
)


class _LedgerUnpickler(pickle.Unpickler):
    """Refuses every global outside :data:`_ALLOWED`: no frame can run arbitrary code."""

    def find_class(self, module: str, name: str) -> Any:
        """The class ``module.name`` if it is one of the ledger's records."""
        found = _ADMITTED.get((module, name))
        if found is not None:
            return found
        if module in _ALLOWED:
            names = _ALLOWED[module]
            if names is None or name in names:
                found = super().find_class(module, name)
                if isinstance(found, type):
                    _ADMITTED[module, name] = found
                    return found
        raise FrameError(f"a ledger frame may not name {module}.{name}")


_ADMITTED: dict[tuple[str, str], type] = {}
"""Classes admitted once (every frame names the same few)."""


def encode(call_id: int, value: object) -> bytes:
    """``value`` as one frame of call ``call_id`` (head included)."""
    record = writer_records.encode(value)
    if record is not None:
        return b"".join((_HEAD.pack(sum(map(len, record)), call_id), *record))
    buffer = io.BytesIO()
    buffer.write(bytes(_HEAD.size))
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    frame = buffer.getbuffer()
    _HEAD.pack_into(frame, 0, len(frame) - _HEAD.size, call_id)
    return bytes(frame)


def decode(body: bytes) -> Any:
    """The value of one frame's body (after its length prefix).

    Raises:
        FrameError: the body is not a pickle of the ledger's records.
    """
    if body[:1] in writer_records.TAGS:
        try:
            return writer_records.decode(body)
        except (ValueError, LookupError, OverflowError, struct.error) as exc:
            raise FrameError(f"malformed ledger record: {exc}") from exc
    try:
        return _LedgerUnpickler(io.BytesIO(body)).load()
    except FrameError:
        raise
    except Exception as exc:  # any unpickling failure is a malformed frame
        raise FrameError(f"malformed ledger frame: {exc}") from exc


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """The next frame's call id and body (:func:`decode` it).

    Raises:
        asyncio.IncompleteReadError: the stream ended.
        FrameError: the frame is too large (the stream cannot be read further).
    """
    length, call_id = _HEAD.unpack(await reader.readexactly(_HEAD.size))
    if length > MAX_FRAME:
        raise FrameError(f"ledger frame of {length} bytes (at most {MAX_FRAME})")
    return call_id, await reader.readexactly(length)


class FrameBatch:
    """The frames written to one stream in a loop turn, sent together at its end.

    A signature-helper batch resumes a dozen requests in one turn, each with an
    append; a group commit answers as many. One ``send`` for them all instead
    of one each (and one wake-up of the reader). The frames leave in the order
    written. Nothing is sent once the stream is closing: its reader fails the
    calls still waiting (:class:`~certhub.hub.store.sqlite.writer_client.WriterChannel`).
    """

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        """Batch the frames written to ``writer``."""
        self._writer = writer
        self._frames: list[bytes] = []

    def write(self, frame: bytes) -> None:
        """Send ``frame`` with the others of this loop turn."""
        if not self._frames:
            asyncio.get_running_loop().call_soon(self._flush)
        self._frames.append(frame)

    def _flush(self) -> None:
        frames, self._frames = self._frames, []
        if not self._writer.is_closing():
            self._writer.write(b"".join(frames) if len(frames) > 1 else frames[0])
