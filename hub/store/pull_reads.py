"""Reads of one kind's records inside a reader's area: the pull page and an area's evidence.

The same SQL on both dialects (mixed into :class:`~certhub.hub.store.queries.LedgerReads`);
a dialect overrides the two fragments below. The area is
:mod:`certhub.security.scopes`' range over the ``ledger_region`` index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from certhub.hub.store import ledger_rows as schema
from certhub.hub.store.base import LedgerRecord, RecordKind
from certhub.hub.store.sql_transport import SqlReads
from certhub.security.scopes import AreaScope, area_condition

__all__ = ["EVIDENCE_STORED_BY", "PullReads"]

_COUNTY_DIGITS: Final = 6

EVIDENCE_STORED_BY: Final = (
    "SELECT 1 FROM audit WHERE action = 'evidence_stored' AND subject = ? AND actor = {actor}"
)
"""A row when ``actor`` uploaded the evidence whose digest is the parameter: the audit link
a new file gets, read through the ``audit_evidence`` index (no scan of the audit chain)."""


class PullReads(SqlReads):
    """The pull page of a kind, and whether a record cites a piece of evidence, in an area."""

    _BYTES_CONTAIN: str = "instr({haystack}, ?) > 0"
    """A condition true when the bytes column ``haystack`` holds the parameter's bytes."""
    _DECISION_SUBJECT: str = (
        "CAST(json_extract(CAST(ledger.payload AS TEXT), '$.subject_id') AS INTEGER)"
    )
    """The ledger sequence of the item a decision row decides (its signed ``subject_id``)."""

    async def page(
        self, kind: RecordKind, after: int, limit: int, *, area: AreaScope | None = None
    ) -> Sequence[LedgerRecord]:
        """Records of ``kind`` after sequence ``after``, oldest first, inside ``area`` if given."""
        where, params = area_condition(area, county="ledger.county", village="ledger.village")
        order = "ledger.sequence"
        if area is not None and len(area.prefix) > _COUNTY_DIGITS:
            # A town or village is a sliver of the ledger: read it through ledger_region and
            # sort it, rather than walk every record of the kind in sequence order to find
            # its few (`+ 0` keeps the planner off the sequence index; 1000x on a sparse village).
            order = "ledger.sequence + 0"
        if area is not None and kind is RecordKind.DECISION:
            # A decision names no region: it is in the area of the item it decides.
            inside, params = area_condition(area, county="item.county", village="item.village")
            where = (
                "EXISTS (SELECT 1 FROM ledger AS item"
                f" WHERE item.sequence = {self._DECISION_SUBJECT} AND {inside})"
            )
            order = "ledger.sequence"
        rows = await self._read(
            schema.SELECT_PAGE.format(area=where, order=order),
            (kind.value, after, *params, limit),
        )
        return [schema.to_record(row) for row in rows]

    async def cites_evidence(self, digest: str, area: AreaScope | None) -> bool:
        """Tell whether the evidence ``digest`` is ``area``'s: a record inside ``area`` cites
        it, and that record's sender uploaded it — or the record is the hub's own (an
        outcome: a verification task carries its reports' evidence) and a report of the
        same person cites it, sent by its uploader.

        A citation alone does not do: a key confined to county X that may send would cite
        the digest of county Y's file in a record of X and so read Y's file, knowing its
        digest being the only barrier. The uploader of a file decides where it is cited.
        A task may open where its person lives now, not where the report was filed (the
        town that must verify it reads its scan), while a step that adds another area's
        digest to a task of X still opens nothing: no report of X's person cites it.
        """
        where, params = area_condition(area)
        contains = self._BYTES_CONTAIN.format(haystack="ledger.payload")
        # The person's reports, through ledger_reports_person (partial on the message type).
        reported = (
            "SELECT 1 FROM ledger AS source WHERE source.person_id = ledger.person_id"
            " AND source.message_type = 'eligibility_report/v1'"
            f" AND {self._BYTES_CONTAIN.format(haystack='source.payload')}"
            f" AND EXISTS ({EVIDENCE_STORED_BY.format(actor='source.sender')})"
        )
        # Every kind, spelled out: the region index (ledger_region) leads by kind.
        kinds = tuple(kind.value for kind in RecordKind)
        marks = ", ".join("?" for _ in kinds)
        cited, hub_signed = digest.encode("ascii"), RecordKind.OUTCOME.value
        rows = await self._read(
            f"SELECT 1 FROM ledger WHERE kind IN ({marks}) AND {where} AND {contains}"
            f" AND (EXISTS ({EVIDENCE_STORED_BY.format(actor='ledger.sender')})"
            f" OR ledger.kind = ? AND EXISTS ({reported})) LIMIT 1",
            (*kinds, *params, cited, digest, hub_signed, cited, digest),
        )
        return bool(rows)
