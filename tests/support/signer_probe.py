"""A work function for :class:`~certhub.hub.comparison.signing.BatchSigner` tests: which
process ran it (a worker imports it by name, so it lives on the tests' import path)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from certhub.security import SigningKey


def pids(key: SigningKey, part: Sequence[object]) -> list[int]:
    """The id of the process that ran this part, once per item (``key`` unused)."""
    del key
    return [os.getpid()] * len(part)


def pause(key: SigningKey, seconds: float, part: Sequence[object]) -> list[int]:
    """:func:`pids` after ``seconds`` (a worker kept busy)."""
    time.sleep(seconds)
    return pids(key, part)
