"""The service-point registry's table (issue 18), one step of ``tables.LADDER``.

Kept apart from :mod:`certhub.hub.store.service_points` (its statements) so the
ladder imports a string and nothing else.
"""

from __future__ import annotations

from typing import Final

SERVICE_POINTS: Final = """
CREATE TABLE service_points (
    point_id      {TEXT} PRIMARY KEY,
    kind          {TEXT} NOT NULL,
    name          {TEXT} NOT NULL,
    address       {TEXT} NOT NULL,
    county        {TEXT} NOT NULL,
    lat           {REAL} NOT NULL,
    lon           {REAL} NOT NULL,
    methods       {TEXT} NOT NULL,
    hours         {TEXT} NOT NULL,
    accessibility {TEXT} NOT NULL,
    organization  {TEXT},
    phone         {TEXT},
    status        {TEXT} NOT NULL,
    digest        {TEXT} NOT NULL,
    updated_at    {TEXT} NOT NULL
);
CREATE INDEX service_points_position ON service_points (lat, lon);
CREATE INDEX service_points_county ON service_points (county)
"""
"""Point rows keyed by stable id; ``(lat, lon)`` indexed for the bounding-box prefilter."""
