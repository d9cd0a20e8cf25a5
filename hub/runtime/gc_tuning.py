"""Garbage-collector settings for a long-running hub process.

The hub allocates many short-lived objects per request (parsed headers,
pydantic models, SQL parameters) and creates almost no reference cycles, so
CPython's default of a young-generation collection every 700 net
allocations is pure overhead: measured at about 50 µs of every request's
CPU, much of it re-scanning the tens of thousands of long-lived objects
loaded at start-up (schemas, WSDL, metrics) in the older generations.

After start-up those objects are moved out of the collector's sight
(``gc.freeze``) and the young generation is collected less often. Cycles are
still collected, only in larger batches.
"""

from __future__ import annotations

import gc

from aiohttp import web

__all__ = ["YOUNG_THRESHOLD", "tune_gc_after_startup"]

YOUNG_THRESHOLD = 10_000
"""Net allocations between young-generation collections (CPython's default: 700)."""


async def tune_gc_after_startup(_app: web.Application) -> None:
    """An ``on_startup`` hook: freeze what start-up loaded, collect less often."""
    gc.collect()
    gc.freeze()
    _young, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
