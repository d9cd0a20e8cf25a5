"""Field types and small models shared by every message of the canonical schema."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Final, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from .enums import ChannelKind, EvidenceKind, Role
from .regions import CountyCode, VillageCode
from .resident_id import ResidentId, mask_resident_id, shanghai_today

__all__ = [
    "MODEL_CONFIG",
    "ActorRef",
    "Channel",
    "EvidenceRef",
    "FreeText",
    "Identifier",
    "Message",
    "Money",
    "PersonName",
    "PersonRef",
    "RegionRef",
    "not_in_future",
]

MODEL_CONFIG: Final = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)
"""Every model refuses unknown fields and is immutable. Inputs are hidden from
``str(ValidationError)`` because they may hold ID numbers."""


def _refuse_unstorable(value: str) -> str:
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
    AfterValidator(_refuse_unstorable),
]
"""Any Unicode text up to 1000 code points except NUL and lone surrogates; never
stripped or normalised, so it round-trips byte-exact."""

PersonName = Annotated[
    str,
    Field(min_length=1, max_length=100, json_schema_extra=_NO_NUL_SCHEMA),
    AfterValidator(_refuse_unstorable),
]
"""A person's name as written (1..100 code points, e.g. ``买买提·艾力``), kept byte-exact."""

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


def not_in_future(value: date, what: str) -> date:
    """Return ``value`` unless it is after today in China Standard Time.

    Raises:
        ValueError: naming ``what`` if the date is in the future.
    """
    if value > shanghai_today():
        raise ValueError(f"{what} is in the future")
    return value


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
    """Base of every top-level message; subclasses declare ``type`` and ``MESSAGE_TYPE``.

    ``type`` is a ``Literal`` defaulting to ``MESSAGE_TYPE``, checked when the
    subclass is defined so the two cannot drift apart.
    """

    model_config = MODEL_CONFIG

    MESSAGE_TYPE: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Check that the subclass's ``type`` default equals its ``MESSAGE_TYPE``."""
        super().__pydantic_init_subclass__(**kwargs)
        field = cls.model_fields.get("type")
        if field is None or field.default != cls.MESSAGE_TYPE:
            raise TypeError(f"{cls.__name__}.type must default to MESSAGE_TYPE")
