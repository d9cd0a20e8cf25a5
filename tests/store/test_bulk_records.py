"""A bulk's records of written-out ledger rows are what ``ledger_rows.to_record`` makes.

:func:`certhub.hub.store.bulk_append.plan_bulk` builds the record of a prefilled
message's ledger row with the bulk's kind and time of receipt parsed once
(``_Records``); every record must still equal the one
:func:`~certhub.hub.store.ledger_rows.to_record` maps the same row to, whatever the
row holds, and a row of other types than a record's own goes through ``to_record``.
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.store import bulk_append, ledger_rows
from certhub.hub.store.records import RecordKind

TIMES = st.datetimes(timezones=st.just(datetime.now().astimezone().tzinfo)).map(
    lambda t: t.isoformat()
)
ROWS = st.tuples(
    st.integers(min_value=1, max_value=2**62),
    st.sampled_from([k.value for k in RecordKind]),
    *[st.text(max_size=20)] * 5,  # type, sender, message id, kid, digest
    st.binary(max_size=40),
    st.binary(max_size=40),
    TIMES,
    st.text(max_size=8),  # receipt
    st.just("440103"),  # the columns after COLUMNS' (county …) are not the record's
)


@given(st.lists(ROWS, min_size=1, max_size=8))
def test_each_record_is_to_records(rows: list[tuple[object, ...]]) -> None:
    records = bulk_append._Records()
    for row in rows:
        assert records.of(row) == ledger_rows.to_record(row[:11])


def test_one_bulk_with_two_times_and_kinds_keeps_each_its_own() -> None:
    records = bulk_append._Records()
    columns = ("t", "s", "m", "k", "d", b"j", b"p")
    first = (1, "certification", *columns, "2026-12-06T10:00:00+00:00", "")
    second = (2, "outcome", *columns, "2026-12-06T10:00:01+08:00", "")
    for row in (first, second, first):
        record = records.of(row)
        assert record == ledger_rows.to_record(row)
        assert record.received_at == datetime.fromisoformat(str(row[9]))


def test_a_row_of_other_types_is_mapped_by_to_record() -> None:
    row = ("7", "certification", "t", "s", "m", "k", "d", memoryview(b"j"), b"p",
           "2026-12-06T10:00:00+00:00", "")  # fmt: skip
    record = bulk_append._Records().of(row)
    assert record.sequence == 7
    assert record.jws == b"j"
    assert record == ledger_rows.to_record(row)
