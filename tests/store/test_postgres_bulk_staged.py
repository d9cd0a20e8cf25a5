"""A large bulk's register, notice and delivery statements read a staging table on PostgreSQL.

Their ``unnest`` forms (:data:`~certhub.hub.store.postgres.executor.BULK`) become
the same statement over a temporary table of the same columns, which ``COPY``
fills (:mod:`certhub.hub.store.postgres.bulk_append`); that the rows come out
as one by one's is tests/comparison/test_bulk_ledger.py (its batches of 128 go
this way). Here: the rewriting itself, on fixed statements.
"""

from __future__ import annotations

from certhub.hub.store import outbox, register, writes
from certhub.hub.store.postgres import bulk_append
from certhub.hub.store.postgres.executor import BULK


def test_a_statement_over_arrays_reads_a_table_of_those_columns() -> None:
    create, insert = bulk_append.staged(BULK[writes.NOTICE_INSERT], "stage_x") or ("", "")
    assert create == (
        "CREATE TEMPORARY TABLE stage_x (c0 text, c1 text, c2 text, c3 text, c4 bigint)"
        " ON COMMIT DROP"
    )
    assert insert == (
        "INSERT INTO notices (notice_id, person_id, kind, text, sequence)"
        " SELECT * FROM stage_x ON CONFLICT (notice_id) DO NOTHING"
    )


def test_a_renamed_unnest_keeps_its_names_and_conflict_rule() -> None:
    create, insert = bulk_append.staged(BULK[outbox.INSERT], "stage_y") or ("", "")
    assert "(c0 text, c1 text, c2 text, c3 bytea, c4 text, c5 float8, c6 float8, c7 bigint)" in (
        create
    )
    assert " FROM stage_y AS t(delivery_id, destination, operation, payload," in insert
    assert insert.endswith(" ON CONFLICT (delivery_id) DO NOTHING")
    assert "unnest" not in insert


def test_every_certification_statement_is_staged_under_a_name_of_its_own() -> None:
    staged = bulk_append.STAGED
    certification = (register.CERTIFIED, register.LINKED, writes.NOTICE_INSERT, outbox.INSERT)
    assert set(certification) <= set(staged)
    names = [stage for stage, _ in staged.values()]
    assert len(set(names)) == len(names)  # asyncpg caches a COPY's column types by name


def test_a_statement_without_a_single_unnest_is_not_staged() -> None:
    assert bulk_append.staged("INSERT INTO t (a) VALUES ($1)", "stage_z") is None
    twice = "INSERT INTO t SELECT * FROM unnest($1::text[]) UNION SELECT * FROM unnest($2::text[])"
    assert bulk_append.staged(twice, "stage_z") is None
