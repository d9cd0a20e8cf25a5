"""A reader's list as one keyset query: area, filters, region prefix, cursor, limit."""

from __future__ import annotations

from certhub.hub.store.accountability_reads import PageQuery
from certhub.hub.store.listing import Listing
from certhub.security import parse_area

TASKS = Listing("SELECT * FROM tasks", "changed_seq")
OVERPAYMENTS = Listing("SELECT * FROM o", "o.task_id", county="o.county", village=None)
VILLAGE = "440103001201"


def test_a_page_is_the_filters_given_then_the_region_after_the_cursor() -> None:
    sql, params = TASKS.page(PageQuery(7, 20, VILLAGE), ("status=?", ("open",)), None)

    assert sql == (
        "SELECT * FROM tasks WHERE 1=1 AND status=? AND coalesce(village, county) LIKE ?"
        " AND changed_seq>? ORDER BY changed_seq LIMIT ?"
    )
    assert params == ("open", f"{VILLAGE}%", 7, 20)


def test_a_list_without_villages_reads_a_village_region_by_its_county() -> None:
    area = parse_area("440103")
    sql, params = OVERPAYMENTS.page(PageQuery("", 5, VILLAGE, area))

    assert "coalesce(NULL, o.county) >= ?" in sql
    assert "o.county LIKE ?" in sql
    assert params == ("440103", "440103:", "440103%", "", 5)
