"""Field types and small models shared by every message of the canonical schema."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar, Final, Literal, Protocol, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from .clock import CHINA_STANDARD_TIME
from .enums import ChannelKind, EvidenceKind, Role
from .regions import CountyCode, VillageCode
from .resident_id import ResidentId, birth_date_of, mask_resident_id

__all__ = [
    "CLOCK_SKEW",
    "MODEL_CONFIG",
    "SCHEME_START",
    "ActorRef",
    "Channel",
    "EvidenceRef",
    "FreeText",
    "Identifier",
    "MaskedAccount",
    "Message",
    "Money",
    "Month",
    "PersonName",
    "PersonRef",
    "RegionRef",
    "blank",
    "not_ahead_of_clock",
    "not_before_birth",
    "not_in_future",
    "not_in_future_check",
    "other_needs_remarks",
    "refuse_invisible",
    "refuse_unstorable",
    "require_remarks_for_other",
    "validation_now",
]

MODEL_CONFIG: Final = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)
"""Every model refuses unknown fields and is immutable. Inputs are hidden from
``str(ValidationError)`` because they may hold ID numbers."""


CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far ahead of the hub's clock a sender's timestamp may be (as for ``iat``)."""

SCHEME_START: Final = date(2009, 1, 1)
"""No certification before this day (China Standard Time): the new rural pension
pilot (新农保, 国发〔2009〕32号) began in 2009, the urban one in 2011, and the two
were unified as 城乡居保 in 2014 (国发〔2014〕8号). Nobody was certified for
these benefits earlier, so an older date is a wrong unit or a typo."""


def validation_now(info: ValidationInfo | None) -> datetime:
    """The "now" a validation judges dates against (aware, UTC).

    A caller that knows its clock passes ``context={"now": <aware datetime>}``
    (the hub's ingress does; tests do, to stay deterministic); otherwise the
    system clock.
    """
    context = info.context if info is not None else None
    now = context.get("now") if isinstance(context, Mapping) else None
    if isinstance(now, datetime) and now.tzinfo is not None:
        return now.astimezone(UTC)
    return datetime.now(UTC)


def refuse_unstorable(value: str) -> str:
    """Refuse what PostgreSQL ``text`` or UTF-8 cannot hold; keep all else byte-exact."""
    if "\x00" in value:
        raise ValueError("NUL character (U+0000) is not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("lone surrogate code point is not allowed") from None
    return value


_NO_NUL_SCHEMA: Final = {"pattern": "^[^\\u0000]*$"}

FreeText = Annotated[
    str,
    Field(max_length=1000, json_schema_extra=_NO_NUL_SCHEMA),
    AfterValidator(refuse_unstorable),
]
"""Any Unicode text up to 1000 code points except NUL and lone surrogates; never
stripped or normalised, so it round-trips byte-exact."""

# Control (ESC, newlines), format (zero-width, bidi overrides) and line/paragraph
# separators: invisible or terminal-active, so two names that look alike could differ.
_NOT_IN_NAMES: Final = frozenset({"Cc", "Cf", "Zl", "Zp"})


def refuse_invisible(value: str) -> str:
    """Refuse blank names and control/format characters; keep all else byte-exact."""
    if not value.isprintable():  # printable text holds none of them: the usual fast path
        for char in value:
            if unicodedata.category(char) in _NOT_IN_NAMES:
                raise ValueError(f"a name may not contain U+{ord(char):04X} (control or format)")
    if value.isspace():
        raise ValueError("a name may not be blank")
    return value


@cache
def _name_pattern() -> str:
    """The name rule as a JSON Schema pattern (built once, from Python's Unicode tables)."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x110000):
        if unicodedata.category(chr(code)) in _NOT_IN_NAMES:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    refused = "".join(_class_range(low, high) for low, high in ranges)
    return f"^(?!\\s*$)[^{refused}]+$"


def _class_range(low: int, high: int) -> str:
    # \uXXXX for the BMP; astral characters literally (ECMA-262 ``u`` mode and Python agree)
    def one(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    return one(low) if low == high else f"{one(low)}-{one(high)}"


def _name_schema(schema: dict[str, Any]) -> None:
    schema["pattern"] = _name_pattern()


PersonName = Annotated[
    str,
    Field(min_length=1, max_length=100, json_schema_extra=_name_schema),
    AfterValidator(refuse_unstorable),
    AfterValidator(refuse_invisible),
]
"""A person's name as written (1..100 code points, e.g. ``买买提·艾力``, rare CJK such
as ``𠮷``), kept byte-exact; never blank or whitespace-only, and free of control,
format, line- and paragraph-separator characters (Unicode Cc, Cf, Zl, Zp)."""

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]
"""An opaque ASCII identifier of a message, task or other subject."""

Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "multipleOf": 0.01},
                {"type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$"},
            ],
            "description": "amount in yuan, at most 2 decimal places, serialised as a string",
        }
    ),
]
"""A non-negative amount in yuan with at most two decimal places."""

Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
"""A calendar month written ``YYYY-MM``; a field adds what month it is as description."""

MaskedAccount = Annotated[str, Field(pattern=r"^[0-9*]{0,28}[0-9]{4}$")]
"""A bank account as kept on file: masked with ``*`` except at least its last 4 digits."""


def not_in_future(value: date, what: str, info: ValidationInfo | None = None) -> date:
    """Return ``value`` unless it is after today in China Standard Time.

    Today is taken from :func:`validation_now` of ``info``.

    Raises:
        ValueError: naming ``what`` if the date is in the future.
    """
    if value > validation_now(info).astimezone(CHINA_STANDARD_TIME).date():
        raise ValueError(f"{what} is in the future")
    return value


def not_in_future_check(what: str) -> AfterValidator:
    """A field validator refusing a date after today, naming ``what`` (see :func:`not_in_future`).

    It takes no validation context, so today is the system clock's.
    """

    def check(value: date) -> date:
        return not_in_future(value, what)

    return AfterValidator(check)


def not_ahead_of_clock(value: datetime, what: str, info: ValidationInfo | None) -> datetime:
    """Return ``value`` unless it is more than :data:`CLOCK_SKEW` after :func:`validation_now`.

    Raises:
        ValueError: naming ``what``.
    """
    if value > validation_now(info) + CLOCK_SKEW:
        raise ValueError(f"{what} is more than 5 minutes in the future")
    return value


def not_before_birth(day: date, what: str, info: ValidationInfo) -> None:
    """Refuse ``day`` if it is before the birth of the model's ``person``.

    For a field validator declared after ``person`` (already validated there, or
    absent if invalid): an event dated before the person was born is a typo or a
    wrong person.

    Raises:
        ValueError: naming ``what``.
    """
    person = info.data.get("person")
    if isinstance(person, PersonRef) and day < birth_date_of(person.id_number):
        raise ValueError(f"{what} is before the person's birth date (from the ID number)")


def blank(text: str | None) -> bool:
    """True if ``text`` is absent or only white space."""
    return text is None or not text.strip()


def require_remarks_for_other(reason: str, remarks: str | None) -> None:
    """Refuse a reason ``other`` (any enum's) that comes without remarks saying what it is.

    Raises:
        ValueError: "reason 'other' requires remarks".
    """
    if reason == "other" and blank(remarks):
        raise ValueError("reason 'other' requires remarks")


class _ReasonWithRemarks(Protocol):
    @property
    def reason(self) -> str: ...
    @property
    def remarks(self) -> str | None: ...


_WithRemarks = TypeVar("_WithRemarks", bound=_ReasonWithRemarks)


def other_needs_remarks(model: _WithRemarks) -> _WithRemarks:
    """A model validator (``mode="after"``): :func:`require_remarks_for_other` on the model.

    For a message with ``reason`` and ``remarks`` fields; declare it in the class body
    as ``_other_needs_remarks = model_validator(mode="after")(other_needs_remarks)``.
    """
    require_remarks_for_other(model.reason, model.remarks)
    return model


class RegionRef(BaseModel):
    """A Guangdong county and, optionally, a village/community within it."""

    model_config = MODEL_CONFIG

    county: CountyCode
    village: VillageCode | None = None

    @model_validator(mode="after")
    def _village_in_county(self) -> Self:
        if self.village is not None and not self.village.startswith(self.county):
            raise ValueError("village code does not belong to the county")
        return self


class PersonRef(BaseModel):
    """One pensioner: resident ID number, name and registered region.

    ``repr``/``str`` mask the ID number, also when nested in other models.
    """

    model_config = MODEL_CONFIG

    id_number: ResidentId
    name: PersonName
    region: RegionRef

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        """Yield repr fields with the ID number masked."""
        for key, value in super().__repr_args__():
            yield key, mask_resident_id(value) if key == "id_number" else value


class EvidenceRef(BaseModel):
    """Digest of an evidence file stored separately (the file itself never travels here)."""

    model_config = MODEL_CONFIG

    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    kind: EvidenceKind
    media_type: Literal["image/jpeg", "image/png", "application/pdf"]


class Channel(BaseModel):
    """Where a certification happened: platform kind and optional device/bank code."""

    model_config = MODEL_CONFIG

    kind: ChannelKind
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")] | None = None


class ActorRef(BaseModel):
    """A person or system acting in a role (reporter, operator, approver, …)."""

    model_config = MODEL_CONFIG

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:@-]{1,64}$")]
    role: Role
    name: PersonName | None = None


class Message(BaseModel):
    """Base of every top-level message; a subclass declares only ``type``.

    ``type`` is a ``Literal`` with its one value as default (``type:
    Literal["decision/v1"] = "decision/v1"``); :attr:`MESSAGE_TYPE` is read from
    it when the subclass is defined, so the two cannot drift apart.
    """

    model_config = MODEL_CONFIG

    MESSAGE_TYPE: ClassVar[str]
    """The wire name of the message type, e.g. ``decision/v1`` (the ``type`` default)."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Take :attr:`MESSAGE_TYPE` from the subclass's ``type`` default."""
        super().__pydantic_init_subclass__(**kwargs)
        field = cls.model_fields.get("type")
        if field is None or not isinstance(field.default, str):
            raise TypeError(f"{cls.__name__}.type must be a Literal with its value as default")
        cls.MESSAGE_TYPE = field.default
