"""The e-map on a 390×844 phone: nearest to my position, to a chosen county, from a link.

Debian's Chromium runs the page against a real hub on 127.0.0.1 whose registry holds
the shipped Yunfu/Zhaoqing sample. Every request to any other origin is refused and
recorded: the page must work with no map tiles and no internet. Screenshots go to
tests/browser/screenshots/ (map-NN-*.png).
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from livehub import LiveHub
from PIL import Image, ImageDraw
from playwright.sync_api import BrowserContext, Page, Route, expect

from certhub.hub.core.settings import Settings
from certhub.hub.service_points import import_file, parse_file, wgs84_to_gcj02
from certhub.hub.service_points.sample import SAMPLE_NAME, sample_points
from certhub.hub.store import open_ledger

Shot = Callable[[Page, str], Path]
YUNCHENG_SEAT = {"latitude": 22.9287, "longitude": 112.0441}
# Published WGS-84 -> GCJ-02 pairs (eviltransform's test points; coordtransform's README).
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),
    ((51.4779, -0.0015), (51.4779, -0.0015)),  # Greenwich: outside China, unchanged
]


async def _import_sample(data_dir: Path) -> None:
    ledger = await open_ledger(Settings(data_dir=data_dir))
    try:
        data = sample_points()
        parsed = parse_file(data, SAMPLE_NAME)
        await import_file(ledger, parsed, source=SAMPLE_NAME, actor="test", data=data)
    finally:
        await ledger.aclose()


@pytest.fixture
def hub(live_hub_factory: Callable[..., LiveHub], tmp_path: Path) -> LiveHub:
    """A live hub whose ledger already holds the sample (imported before it starts)."""
    data_dir = tmp_path / "hub0"  # where live_hub_factory puts its first hub
    with ThreadPoolExecutor(1) as thread:  # Playwright owns this thread's event loop
        thread.submit(asyncio.run, _import_sample(data_dir)).result()
    started = live_hub_factory()
    assert started.settings.data_dir == data_dir
    return started


def tile_set(data_dir: Path, zooms: range, box: tuple[float, float, float, float]) -> int:
    """Plain PNG tiles (grey, a dark edge, their z/x/y written on) over (S, N, W, E); how many."""
    south, north, west, east = box
    made = 0
    for z in zooms:
        (x0, y0), (x1, y1) = tile_of(north, west, z), tile_of(south, east, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                image = Image.new("RGB", (256, 256), (226, 232, 226))
                draw = ImageDraw.Draw(image)
                draw.rectangle((0, 0, 255, 255), outline=(150, 160, 150))
                draw.text((8, 8), f"{z}/{x}/{y}", fill=(90, 90, 90))
                path = data_dir / "map-tiles" / str(z) / str(x) / f"{y}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                image.save(path)
                made += 1
    return made


def tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The Web Mercator tile holding (lat, lon) at zoom ``z``."""
    n = 2**z
    sin = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * n
    return int((lon + 180) / 360 * n), int(y)


@pytest.fixture
def offline(phone_page: Page) -> Iterator[list[str]]:
    """Refuse (and list) every request that leaves 127.0.0.1: no tiles, no internet."""
    elsewhere: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    phone_page.context.route("**/*", only_local)
    yield elsewhere
    assert elsewhere == [], f"the page reached outside the hub: {elsewhere}"


def located(context: BrowserContext, url: str, position: dict[str, float]) -> None:
    context.grant_permissions(["geolocation"], origin=url)
    context.set_geolocation(position)


def test_nearest_to_my_position(
    hub: LiveHub,
    phone_page: Page,
    offline: list[str],
    screenshot: Shot,
    accessible: Callable[[Page], None],
) -> None:
    page = phone_page
    located(page.context, hub.url, YUNCHENG_SEAT)
    page.goto(f"{hub.url}/map/")
    screenshot(page, "map-01-start")
    accessible(page)
    page.get_by_role("button", name="用我现在的位置查找").click()
    expect(page.get_by_role("status")).to_have_text("找到 5 个服务点。")
    items = page.locator("#points > li")
    expect(items).to_have_count(5)
    # 220 m: 0.0015° north (166.8 m) and 0.0014° west at 22.93° N (143.4 m).
    expect(items.nth(0)).to_contain_text("云城区社会保险服务中心 距离约 220 米")
    expect(items.nth(0)).to_contain_text("柜面认证")
    expect(items.nth(0)).to_contain_text("无障碍通道")
    expect(items.nth(1)).to_contain_text("中国农业银行云浮分行营业部")
    expect(page.locator("#origin")).to_have_text("查找位置：您现在的位置")
    expect(page.locator("#plot circle.plot-point")).to_have_count(5)
    expect(page.locator("#plot .plot-ring-label").last).to_have_text("10.0 公里")  # 11.8 km away
    screenshot(page, "map-02-nearest-to-me")
    accessible(page)


def test_nearest_to_a_chosen_county_offering_a_method(
    hub: LiveHub, phone_page: Page, offline: list[str], screenshot: Shot
) -> None:
    page = phone_page
    page.goto(f"{hub.url}/map/")
    page.get_by_label("或选择区县").select_option(label="罗定市")
    page.get_by_label("认证方式").select_option(label="指静脉认证")
    page.get_by_role("button", name="查找", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("找到 5 个服务点。")
    first = page.locator("#points > li").nth(0)
    expect(first).to_contain_text("中国农业银行罗定支行")
    expect(first).to_contain_text("指静脉认证")
    for index in range(5):
        expect(page.locator("#points > li").nth(index)).to_contain_text("指静脉认证")
    screenshot(page, "map-03-chosen-county")


def test_a_link_from_the_entrance_opens_on_the_pensioners_county(
    hub: LiveHub, phone_page: Page, offline: list[str], screenshot: Shot
) -> None:
    page = phone_page
    # The entrance knows a village code, not a house: the village's county seat is used.
    page.goto(f"{hub.url}/map/?place=441224100201&method=counter")
    expect(page.locator("#origin")).to_have_text("查找位置：怀集县（县城）")
    expect(page.get_by_label("认证方式")).to_have_value("counter")
    expect(page.locator("#points > li").nth(0)).to_contain_text("怀集县社会保险服务中心")
    screenshot(page, "map-04-from-a-link")


def test_without_permission_the_page_says_to_choose_a_county(
    hub: LiveHub, phone_page: Page, offline: list[str], screenshot: Shot
) -> None:
    page = phone_page
    page.context.clear_permissions()
    page.goto(f"{hub.url}/map/")
    page.get_by_role("button", name="用我现在的位置查找").click()
    expect(page.get_by_role("status")).to_contain_text("没有取得您的位置")
    expect(page.locator("#results")).to_be_hidden()
    screenshot(page, "map-05-no-position")


def test_the_page_shifts_to_gcj02_exactly_as_the_api_and_the_published_points(
    hub: LiveHub, phone_page: Page, offline: list[str]
) -> None:
    page = phone_page
    page.goto(f"{hub.url}/map/")
    points = [list(wgs) for wgs, _ in REFERENCE]
    shifted = page.evaluate(
        "async (points) => {"
        " const { wgs84ToGcj02 } = await import('/map/gcj02.js');"
        " return points.map(([lat, lon]) => wgs84ToGcj02(lat, lon)); }",
        points,
    )
    for (wgs, published), (lat, lon) in zip(REFERENCE, shifted, strict=True):
        assert lat == pytest.approx(published[0], abs=1e-12)
        assert lon == pytest.approx(published[1], abs=1e-12)
        assert (lat, lon) == pytest.approx(wgs84_to_gcj02(*wgs), abs=1e-13)


def test_a_local_base_map_lies_under_the_points(
    hub: LiveHub, phone_page: Page, offline: list[str], screenshot: Shot
) -> None:
    page = phone_page
    made = tile_set(hub.settings.data_dir, range(8, 13), (22.6, 23.3, 111.6, 112.5))
    served: list[str] = []
    page.on(
        "response",
        lambda r: served.append(r.url) if r.status == 200 and "/map/tiles/" in r.url else None,
    )
    located(page.context, hub.url, YUNCHENG_SEAT)
    page.goto(f"{hub.url}/map/")
    page.get_by_role("button", name="用我现在的位置查找").click()
    expect(page.get_by_role("status")).to_have_text("找到 5 个服务点。")
    # The farthest point (Todong, 11.8 km) lies 0.1053° west: 153 pixels at zoom 11 (70 m a
    # pixel), inside the sketch's 155; at zoom 12 it would be 307. So zoom 11.
    expect(page.locator("#plot")).to_have_attribute("data-zoom", "11")
    expect(page.locator("#plot image")).not_to_have_count(0)
    expect(page.locator("#caption")).to_contain_text("底图")
    page.wait_for_load_state("networkidle")
    assert served, "no tile was loaded"
    assert all("/map/tiles/11/" in url for url in served), served
    assert made > len(served)
    screenshot(page, "map-06-local-base-map")
    missing = hub.http.get("/map/tiles/11/0/0.png")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_opening_hours_read_in_chinese(hub: LiveHub, phone_page: Page, offline: list[str]) -> None:
    # A pensioner reads 周一至周五, not the registry's OSM syntax (Mo-Fr, Sa, 24/7).
    page = phone_page
    page.goto(f"{hub.url}/map/?lat=22.9287&lon=112.0441")
    items = page.locator("#points > li")
    expect(items).to_have_count(5)
    expect(items.nth(0)).to_contain_text("开放时间：周一至周五 08:30-12:00、14:30-17:30")
    expect(page.locator("#points")).to_contain_text(
        "开放时间：周一至周五 08:30-17:30；周六 09:00-12:00"
    )
    expect(page.locator("#points")).not_to_contain_text(re.compile(r"Mo|Tu|We|Th|Fr|Sa|Su|24/7"))


def test_a_link_to_a_place_the_map_does_not_know_says_so(
    hub: LiveHub, phone_page: Page, offline: list[str]
) -> None:
    # The entrance links a Guangzhou village; the gazetteer holds Yunfu and Zhaoqing's seats.
    page = phone_page
    page.goto(f"{hub.url}/map/?place=440104001001")
    expect(page.get_by_role("status")).to_contain_text("请用您现在的位置查找，或在下面选择区县")


def test_a_failed_search_is_told_in_chinese(hub: LiveHub, phone_page: Page) -> None:
    # An old phone on a weak signal: the request never reaches the hub.
    page = phone_page
    page.route("**/v1/service-points/nearest?*", lambda route: route.abort())
    page.goto(f"{hub.url}/map/?place=445302")
    expect(page.get_by_role("status")).to_have_text(
        "查找失败：网络不通或服务暂时不可用，请稍后再试。"
    )
