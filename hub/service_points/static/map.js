// The e-map page: nearest service points to the phone's position or to a chosen county.
// Plain ES module, no framework; every text goes in through textContent (names come from
// imported files). Works with no base map at all: a list and a small SVG sketch drawn in
// GCJ-02, the frame a Chinese base map would use, so one could be laid under it.
import { wgs84ToGcj02 } from "./gcj02.js";

const SVG = "http://www.w3.org/2000/svg";
const LIMIT = 5;
const $ = (id) => document.getElementById(id);
let places = [];

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || response.statusText);
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
  li.append(head, line(p.kind_label), line(`地址：${p.address}`), line(`开放时间：${p.hours}`));
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

/** A sketch around the origin: equirectangular, in GCJ-02 degrees, scaled to fit. */
function plot(origin, features) {
  const box = $("plot");
  box.replaceChildren(box.querySelector("title"));
  const [lat0, lon0] = wgs84ToGcj02(origin.lat, origin.lon);
  const cos = Math.cos((lat0 * Math.PI) / 180);
  const offsets = features.map((f) => [(f.properties.gcj02[0] - lon0) * cos, f.properties.gcj02[1] - lat0]);
  const reach = Math.max(1e-4, ...offsets.map(([x, y]) => Math.max(Math.abs(x) / 150, Math.abs(y) / 100)));
  box.append(svg("path", { d: "M160 120h20M170 110v20", class: "plot-origin" }));
  offsets.forEach(([x, y], index) => {
    const cx = 170 + x / reach;
    const cy = 120 - y / reach;
    box.append(svg("circle", { cx, cy, r: 12, class: "plot-point" }));
    const label = svg("text", { x: cx, y: cy + 5, "text-anchor": "middle", class: "plot-label" });
    label.textContent = String(index + 1);
    box.append(label);
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
  const place = params.get("place") ? placeFor(params.get("place")) : null;
  if (place) {
    $("place").value = place.code;
    await search({ lat: place.lat, lon: place.lon, label: `${place.name}（县城）` });
  }
}

start();
