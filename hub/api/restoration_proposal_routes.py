"""The readers' list of restoration proposals: voided terminations awaiting people's decision.

``GET /v1/restoration-proposals?status=open&region=&after=&limit=`` pages the
hub's ``restoration_proposal/v1`` records (items under review, decided at
``POST /v1/restoration-proposals/{item}/decisions``) in ledger order, each
with its review status: ``open`` (the default) is received or accepted, the
others one status each. A reader confined to an area reads inside it.
:func:`items_under_review` is that listing for any kind of item; the
termination amendments' (``GET /v1/termination-amendments``) is the same.
"""

from __future__ import annotations

from functools import partial
from typing import Final

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.api.params import choice_param, page, region_param
from certhub.hub.api.pull_routes import page_limit, pull_item
from certhub.hub.core.keys import CURSORS, STORE
from certhub.hub.rules.decisions import ItemKind, ItemStatus
from certhub.hub.store import PageQuery

routes = web.RouteTableDef()

CURSOR: Final = "restoration-proposal"
STATUSES: Final = {
    "open": (ItemStatus.RECEIVED.value, ItemStatus.ACCEPTED.value),
    **{status.value: (status.value,) for status in ItemStatus},
}


async def items_under_review(request: web.Request, kind: ItemKind, cursor: str) -> web.Response:
    """One page of the hub's items of ``kind`` by review status (the ``status`` query,
    ``open`` by default) and region prefix, oldest first, each with its status; paged by
    cursors named ``cursor``. A reader confined to an area reads inside it."""
    reader = require_reader(request)
    status = choice_param(request, "status", tuple(STATUSES), "open")
    region = region_param(request)
    cursors = request.app[CURSORS]
    after = cursors.decode(request.query.get("after"), cursor)
    limit = page_limit(request)
    records = list(
        await request.app[STORE].list_items(
            kind.value,
            PageQuery(after, limit + 1, region, reader.area),
            statuses=STATUSES[status],
        )
    )
    encoded = partial(cursors.encode, cursor)
    return page(records, limit, pull_item, lambda record: encoded(record.sequence), encoded(after))


@routes.get("/v1/restoration-proposals")
async def list_restoration_proposals(request: web.Request) -> web.Response:
    """One page of restoration proposals by review status and region prefix, oldest first."""
    return await items_under_review(request, ItemKind.RESTORATION_PROPOSAL, CURSOR)
