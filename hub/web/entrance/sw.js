// The service worker keeps the entrance's shell on the phone, so it opens without
// signal. The shell is served from the cache at once and refreshed in the background
// (stale-while-revalidate); the hub's API (/v1/…) is never cached here: the page keeps
// its own copies of lists in IndexedDB and queues signed reports there.

const CACHE = "entrance-v1";
const SHELL = [
  "./",
  "app.css",
  "app.js",
  "db.js",
  "enrol.js",
  "hub.js",
  "icon.svg",
  "jws.js",
  "manifest.webmanifest",
  "mine.js",
  "people.js",
  "photo.js",
  "problems.js",
  "report.js",
  "ui.js",
  "village.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const scope = new URL(self.registration.scope);
  if (event.request.method !== "GET" || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) {
    return; // the API and anything else go straight to the network
  }
  event.respondWith(shell(event));
});

async function shell(event) {
  const cache = await caches.open(CACHE);
  const key = new URL(event.request.url);
  key.search = "";
  key.hash = "";
  const cached = await cache.match(key.href);
  const fresh = fetch(event.request)
    .then((response) => {
      if (response.ok) cache.put(key.href, response.clone());
      return response;
    })
    .catch(() => cached || Response.error());
  if (cached) {
    event.waitUntil(fresh);
    return cached;
  }
  return fresh;
}
