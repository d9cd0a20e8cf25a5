"""The shipped sample: 38 service points in Yunfu and Zhaoqing, for the demo and the tests.

Hand-placed near the real offices, towns and banks they are named after (WGS-84,
to about 100 m; not surveyed positions): every kind of point, each county of
the two cities, one temporarily closed and one defunct point.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Final

SAMPLE_NAME: Final = "sample_points.csv"


def sample_points() -> bytes:
    """The sample CSV's bytes (UTF-8, English column names)."""
    return files("certhub.hub.service_points").joinpath("data", SAMPLE_NAME).read_bytes()
