// The e-map page: nearest service points to the phone's position or to a chosen county.
// Plain ES module, no framework; every text goes in through textContent (names come from
// imported files). Works with no base map at all: a list and a small SVG sketch drawn in
// GCJ-02, the frame a Chinese base map would use, so one could be laid under it.
import { wgs84ToGcj02 } from "./gcj02.js";

const SVG = "http://www.w3.org/2000/svg";
const LIMIT = 5;
const $ = (id) => document.getElementById(id);
let places = [];

const UNREACHABLE = "网络不通或服务暂时不可用，请稍后再试。";

async function getJSON(url) {
  let response;
  let body;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
    body = await response.json(); // a gateway's HTML error page is not JSON either
  } catch {
    throw new Error(UNREACHABLE); // not the browser's English ("Failed to fetch")
  }
  if (!response.ok) throw new Error(body.detail || UNREACHABLE);
  return body;
}

function say(text) {
  $("status").textContent = text;
}

function option(value, label) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  return element;
}

/** The gazetteer place for a county, town or village code (longest prefix). */
export function placeFor(code) {
  for (let length = code.length; length >= 6; length -= 1) {
    const found = places.find((place) => place.code === code.slice(0, length));
    if (found) return found;
  }
  return null;
}

export function distanceText(metres) {
  return metres < 1000 ? `${metres} 米` : `${(metres / 1000).toFixed(1)} 公里`;
}

const DAY_NAMES = { Mo: "周一", Tu: "周二", We: "周三", Th: "周四", Fr: "周五", Sa: "周六", Su: "周日" };

/** Opening hours in words a pensioner reads: the registry's canonical text, in Chinese. */
export function hoursText(hours) {
  if (hours === "24/7") return "每天 24 小时";
  const rules = hours.split("; ").map((rule) => {
    const [days, spans = ""] = rule.split(" ");
    const groups = days.split(",").map((group) => group.split("-").map((day) => DAY_NAMES[day]));
    if (groups.some((group) => group.includes(undefined))) return null;
    return `${groups.map((group) => group.join("至")).join("、")} ${spans.split(",").join("、")}`;
  });
  return rules.includes(null) ? hours : rules.join("；");
}

async function search(origin) {
  say("正在查找最近的服务点…");
  const method = $("method").value;
  const query = new URLSearchParams({
    lat: origin.lat.toFixed(6),
    lon: origin.lon.toFixed(6),
    limit: String(LIMIT),
  });
  if (method) query.set("method", method);
  try {
    const found = await getJSON(`/v1/service-points/nearest?${query}`);
    render(origin, found.features);
    say(found.features.length ? `找到 ${found.features.length} 个服务点。` : "附近没有符合条件的服务点。");
  } catch (error) {
    say(`查找失败：${error.message}`);
  }
}

function tags(labels) {
  const line = document.createElement("p");
  line.className = "offers";
  for (const label of labels) {
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = label;
    line.append(tag);
  }
  return line;
}

function line(text, className) {
  const element = document.createElement("p");
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function item(feature) {
  const p = feature.properties;
  const li = document.createElement("li");
  const head = document.createElement("p");
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = p.name;
  const distance = document.createElement("span");
  distance.className = "distance";
  distance.textContent = ` 距离约 ${distanceText(p.distance_m)}`;
  head.append(name, distance);
  li.append(head, line(p.kind_label), line(`地址：${p.address}`), line(`开放时间：${hoursText(p.hours)}`));
  li.append(line("可办理的认证方式："), tags(p.method_labels));
  if (p.accessibility_labels.length) li.append(line("便利设施："), tags(p.accessibility_labels));
  if (p.phone) {
    const call = document.createElement("a");
    call.href = `tel:${p.phone.replaceAll(" ", "")}`;
    call.textContent = `电话 ${p.phone}`;
    const phone = document.createElement("p");
    phone.append(call);
    li.append(phone);
  }
  return li;
}

function render(origin, features) {
  $("results").hidden = false;
  $("origin").textContent = `查找位置：${origin.label}`;
  $("points").replaceChildren(...features.map(item));
  plot(origin, features);
}

function svg(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

const METRES_PER_DEGREE = 111195; // on the mean Earth sphere
const RINGS = [500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000];
const RADIUS = 105; // the sketch's radius in viewBox units (viewBox 340 × 240, centre 170,120)

/** Where the plot's frame is drawn from: the hub's local base map, or none (set at start). */
let tiles = null;

function plot(origin, features) {
  const box = $("plot");
  box.replaceChildren(box.querySelector("title"));
  const [lat0, lon0] = wgs84ToGcj02(origin.lat, origin.lon);
  const gcj = features.map((f) => [f.properties.gcj02[1], f.properties.gcj02[0]]);
  const offsets = tiles ? onTiles(box, lat0, lon0, gcj) : sketch(box, lat0, lon0, gcj);
  offsets.forEach(([x, y], index) => {
    box.append(svg("circle", { cx: 170 + x, cy: 120 + y, r: 11, class: "plot-point" }));
    const label = svg("text", { x: 170 + x, y: 125 + y, "text-anchor": "middle", class: "plot-label" });
    label.textContent = String(index + 1);
    box.append(label);
  });
  box.append(svg("path", { d: "M158 120h24M170 108v24", class: "plot-origin-halo" }));
  box.append(svg("path", { d: "M158 120h24M170 108v24", class: "plot-origin" }));
  $("caption").textContent = tiles
    ? "底图为本中心保存的地图；红十字为查找位置，圆点为服务点（编号与下方列表一致）。"
    : "示意图：红十字为查找位置，圆点为服务点（编号与下方列表一致）；向上为北，虚线圈标出距离。";
}

/**
 * No base map: true directions, distances on a square-root scale (near points do not
 * pile up under far ones) with labelled rings to read them by. Offsets from the centre.
 */
function sketch(box, lat0, lon0, points) {
  const cos = Math.cos((lat0 * Math.PI) / 180);
  const metres = points.map(([lat, lon]) => [
    (lon - lon0) * cos * METRES_PER_DEGREE,
    (lat - lat0) * METRES_PER_DEGREE,
  ]);
  const farthest = Math.max(100, ...metres.map(([x, y]) => Math.hypot(x, y)));
  const scale = (distance) => RADIUS * Math.sqrt(distance / farthest);
  let drawn = 0;
  for (const ring of RINGS.filter((distance) => distance <= farthest)) {
    if (scale(ring) - drawn < 16) continue; // labels 16 units apart at least
    drawn = scale(ring);
    box.append(svg("circle", { cx: 170, cy: 120, r: scale(ring), class: "plot-ring" }));
    const label = svg("text", { x: 172, y: 120 - scale(ring) - 2, class: "plot-ring-label" });
    label.textContent = distanceText(ring);
    box.append(label);
  }
  return metres.map(([x, y]) => {
    const distance = Math.hypot(x, y);
    const reach = distance > 0 ? scale(distance) / distance : 0;
    return [x * reach, -y * reach];
  });
}

/** Web Mercator pixel of a GCJ-02 point at zoom ``z`` (256-pixel tiles). */
function worldPixel(lat, lon, z) {
  const size = 256 * 2 ** z;
  const sin = Math.sin((lat * Math.PI) / 180);
  return [((lon + 180) / 360) * size, (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size];
}

/** The local base map at the closest zoom that shows every point; offsets from the centre. */
function onTiles(box, lat0, lon0, points) {
  const [lowest, highest] = tiles.zooms;
  let zoom = lowest;
  for (let z = highest; z >= lowest; z -= 1) {
    const [cx, cy] = worldPixel(lat0, lon0, z);
    const fits = points.every(([lat, lon]) => {
      const [px, py] = worldPixel(lat, lon, z);
      return Math.abs(px - cx) <= 155 && Math.abs(py - cy) <= 105;
    });
    if (fits) {
      zoom = z;
      break;
    }
  }
  const [cx, cy] = worldPixel(lat0, lon0, zoom);
  const left = cx - 170;
  const top = cy - 120;
  const last = 2 ** zoom - 1;
  for (let tx = Math.max(0, Math.floor(left / 256)); tx <= Math.min(last, Math.floor((left + 340) / 256)); tx += 1) {
    for (let ty = Math.max(0, Math.floor(top / 256)); ty <= Math.min(last, Math.floor((top + 240) / 256)); ty += 1) {
      const href = tiles.template.replace("{z}", zoom).replace("{x}", tx).replace("{y}", ty);
      box.append(svg("image", { href, x: tx * 256 - left, y: ty * 256 - top, width: 256, height: 256 }));
    }
  }
  box.dataset.zoom = String(zoom);
  return points.map(([lat, lon]) => {
    const [px, py] = worldPixel(lat, lon, zoom);
    return [px - cx, py - cy];
  });
}

function locate() {
  if (!("geolocation" in navigator)) {
    say("这台设备不能定位，请在下面选择区县。");
    return;
  }
  say("正在取得您的位置…");
  navigator.geolocation.getCurrentPosition(
    (position) =>
      search({ lat: position.coords.latitude, lon: position.coords.longitude, label: "您现在的位置" }),
    () => say("没有取得您的位置（未允许定位或没有信号），请在下面选择区县。"),
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
  );
}

function chosen(event) {
  event.preventDefault();
  const place = places.find((candidate) => candidate.code === $("place").value);
  if (!place) {
    say("请先选择区县。");
    return;
  }
  search({ lat: place.lat, lon: place.lon, label: `${place.name}（县城）` });
}

async function start() {
  $("locate").addEventListener("click", locate);
  $("choose").addEventListener("submit", chosen);
  let data;
  try {
    data = await getJSON("/v1/service-points/places");
  } catch (error) {
    say(`服务暂时不可用：${error.message}`);
    return;
  }
  places = data.places;
  tiles = data.tiles;
  $("place").append(...places.map((place) => option(place.code, place.name)));
  $("method").append(...data.methods.map((method) => option(method.code, method.label)));
  const params = new URLSearchParams(window.location.search);
  const method = params.get("method");
  if (method && data.methods.some((m) => m.code === method)) $("method").value = method;
  const lat = Number.parseFloat(params.get("lat") ?? "");
  const lon = Number.parseFloat(params.get("lon") ?? "");
  if (Number.isFinite(lat) && Number.isFinite(lon)) {
    await search({ lat, lon, label: "链接给出的位置" });
    return;
  }
  if (!params.get("place")) return;
  const place = placeFor(params.get("place"));
  if (!place) {
    say("链接给出的地区不在本地图的区县中，请用您现在的位置查找，或在下面选择区县。");
    return;
  }
  $("place").value = place.code;
  await search({ lat: place.lat, lon: place.lon, label: `${place.name}（县城）` });
}

start();
