// WGS-84 → GCJ-02, for display on a Chinese base map only (the same function as
// certhub.hub.service_points.geo.wgs84_to_gcj02; tests hold both to published points).
const A = 6378245.0; // Krasovsky 1940 semi-major axis
const EE = 0.00669342162296594323; // and its eccentricity squared

/** Whether GCJ-02 leaves the point unshifted (outside the transform's rectangle). */
export function outOfChina(lat, lon) {
  return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

function shiftLat(x, y) {
  let s = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  s += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
  s += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
  s += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2 / 3;
  return s;
}

function shiftLon(x, y) {
  let s = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  s += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
  s += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
  s += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2 / 3;
  return s;
}

/** The GCJ-02 [lat, lon] a Chinese base map draws the WGS-84 point (lat, lon) at. */
export function wgs84ToGcj02(lat, lon) {
  if (outOfChina(lat, lon)) return [lat, lon];
  const x = lon - 105.0;
  const y = lat - 35.0;
  let dLat = shiftLat(x, y);
  let dLon = shiftLon(x, y);
  const rad = lat / 180.0 * Math.PI;
  const sin = Math.sin(rad);
  const magic = 1 - EE * sin * sin;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
  dLon = (dLon * 180.0) / (A / sqrtMagic * Math.cos(rad) * Math.PI);
  return [lat + dLat, lon + dLon];
}
