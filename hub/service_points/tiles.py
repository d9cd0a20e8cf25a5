"""A local base map for the e-map: raster tiles from the hub's own data folder, if any.

The page needs no tiles: without them it draws its sketch on a blank ground.
A deployment that holds a licensed tile set of a Chinese base map (cut in
GCJ-02 on Web Mercator, as AutoNavi's and Tencent's are) puts it under
``DATA_DIR/map-tiles/{z}/{x}/{y}.png``; the hub then serves it at
``/map/tiles/{z}/{x}/{y}.png`` — the hub's own origin, so the page's
Content-Security-Policy (``img-src 'self'``) still allows nothing else — and
the page lays the points on it at their GCJ-02 positions. No internet either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

FOLDER: Final = "map-tiles"
MAX_ZOOM: Final = 20
TEMPLATE: Final = "/map/tiles/{z}/{x}/{y}.png"


def zoom_range(data_dir: Path) -> tuple[int, int] | None:
    """The lowest and highest zoom the data folder holds tiles for, or None without tiles."""
    root = data_dir / FOLDER
    if not root.is_dir():
        return None
    zooms = [
        int(entry.name)
        for entry in root.iterdir()
        if entry.is_dir() and entry.name.isascii() and entry.name.isdigit()
        and int(entry.name) <= MAX_ZOOM
    ]  # fmt: skip
    return (min(zooms), max(zooms)) if zooms else None


def tile_file(data_dir: Path, z: int, x: int, y: int) -> Path | None:
    """The file of tile (z, x, y) if the coordinates exist on Web Mercator and the file does."""
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        return None
    path = data_dir / FOLDER / str(z) / str(x) / f"{y}.png"
    return path if path.is_file() else None
