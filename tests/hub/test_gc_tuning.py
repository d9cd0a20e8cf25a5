"""The serving process's garbage-collector settings."""

from __future__ import annotations

import gc

from aiohttp import web

from certhub.hub.runtime.gc_tuning import YOUNG_THRESHOLD, tune_gc_after_startup


async def test_startup_objects_are_frozen_and_young_collections_are_rarer() -> None:
    before = gc.get_threshold()
    try:
        await tune_gc_after_startup(web.Application())
        assert gc.get_freeze_count() > 0  # what start-up loaded is out of the collector's way
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
        assert before[0] < YOUNG_THRESHOLD
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
