"""A database row becomes its dataclass by the fields' types, whatever the driver returned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest

from certhub.hub.store.base import ItemRow, TaskRow
from certhub.hub.store.register_reads import PersonRegister
from certhub.hub.store.rows import row_as


def test_each_column_takes_its_field_type() -> None:
    # SQLite's 0/1 for a boolean, asyncpg's Decimal for a number, a numeric string
    row = (Decimal("7"), "report", "accepted", "3", None, "county-1", 1)
    assert row_as(ItemRow, row) == ItemRow(7, "report", "accepted", 3, None, "county-1", True)


def test_a_blob_arrives_as_bytes() -> None:
    task = row_as(TaskRow, ("t-1", memoryview(b"{}"), 2, Decimal("15")))
    assert task == TaskRow("t-1", b"{}", 2, 15)
    assert type(task.snapshot) is bytes


def test_a_shorter_row_leaves_the_later_fields_at_their_defaults() -> None:
    row = ("440103195001011234", "440103", None, "active", None, None, None, None, 9, 9, 5, 17)
    person = row_as(PersonRegister, row)
    assert (person.due_month, person.face_enrolled, person.failed_face_attempts) == (17, False, 0)
    assert person.name is None


def test_more_columns_than_fields_is_refused() -> None:
    with pytest.raises(ValueError, match="5 columns for the 4 fields of TaskRow"):
        row_as(TaskRow, ("t-1", b"", 1, 1, "extra"))


@dataclass(frozen=True)
class _Stamped:
    at: datetime


def test_a_field_type_without_a_decoding_is_refused() -> None:
    with pytest.raises(TypeError, match="no column decoding"):
        row_as(_Stamped, ("2026-01-01T00:00:00+08:00",))
