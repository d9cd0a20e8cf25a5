"""The widening box search finds exactly the k nearest points a brute-force scan finds."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from certhub.hub.service_points import ServicePoint, haversine_m, nearest
from certhub.hub.service_points.registry import to_row
from certhub.hub.store.service_points import PointRow


class MemoryRegistry:
    """The registry's box query over a list (the SQL's semantics: BETWEEN, active, LIKE)."""

    def __init__(self, points: Sequence[ServicePoint]) -> None:
        self.rows = [to_row(point) for point in points]
        self.queries = 0

    async def service_points_in_box(
        self, box: tuple[float, float, float, float], method: str | None
    ) -> list[PointRow]:
        self.queries += 1
        south, north, west, east = box
        return [
            row
            for row in self.rows
            if south <= float(str(row[5])) <= north
            and west <= float(str(row[6])) <= east
            and row[12] == "active"
            and (method is None or f"|{method}|" in str(row[7]))
        ]


def point(n: int, lat: float, lon: float, methods: list[str], status: str) -> ServicePoint:
    return ServicePoint(
        id=f"p{n:03d}", kind="si_terminal", name=f"点{n}", address="地址", county="445302",
        lat=lat, lon=lon, methods=methods, hours="24/7", status=status,
    )  # type: ignore[arg-type]  # fmt: skip


points = st.lists(
    st.tuples(
        st.floats(20.0, 25.7),
        st.floats(109.5, 117.5),
        st.sampled_from([["face"], ["counter"], ["face", "finger_vein"]]),
        st.sampled_from(["active", "active", "active", "defunct"]),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    points,
    st.floats(-90, 90),
    st.floats(-180, 180),
    st.sampled_from([None, "face", "counter", "finger_vein"]),
    st.integers(1, 8),
)
def test_the_search_agrees_with_a_brute_force_scan(
    raw: list[tuple[float, float, list[str], str]],
    lat: float,
    lon: float,
    method: str | None,
    limit: int,
) -> None:
    registry = MemoryRegistry([point(n, *values) for n, values in enumerate(raw)])
    found = asyncio.run(nearest(registry, lat, lon, method=method, limit=limit))
    eligible = [
        (haversine_m(lat, lon, p_lat, p_lon), f"p{n:03d}")
        for n, (p_lat, p_lon, methods, status) in enumerate(raw)
        if status == "active" and (method is None or method in methods)
    ]
    expected = [pid for _, pid in sorted(eligible)[:limit]]
    assert [near.point.id for near in found] == expected
    assert [near.distance_m for near in found] == sorted(d for d, _ in eligible)[:limit]


def test_a_dense_neighbourhood_is_answered_by_the_first_box() -> None:
    around = [point(n, 22.93 + n * 1e-4, 112.04, ["face"], "active") for n in range(10)]
    registry = MemoryRegistry(around)
    found = asyncio.run(nearest(registry, 22.93, 112.04, method=None, limit=5))
    assert [near.point.id for near in found] == ["p000", "p001", "p002", "p003", "p004"]
    assert registry.queries == 1  # 2 km was enough: nothing else was read
