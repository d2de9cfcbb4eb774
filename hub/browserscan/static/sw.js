// The browser scanner's service worker: keeps the screen, its code and the QR decoder in a cache,
// so the scanner opens and registers without a network. The device API (/scanner/api/) is never
// cached or answered here: a check-in goes to the hub or stays in the page's outbox.
const CACHE = "aanwezig-scanner-v1";
const SHELL = [
  "/scanner/",
  "/scanner/manifest.webmanifest",
  "/scanner/static/scanner.js",
  "/scanner/static/store.js",
  "/scanner/static/collecting.js",
  "/scanner/static/scanner.css",
  "/scanner/static/icon.svg",
  "/scanner/static/vendor/zxing-wasm/es/reader/index.js",
  "/scanner/static/vendor/zxing-wasm/es/share.js",
  "/scanner/static/vendor/zxing-wasm/reader/zxing_reader.wasm",
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
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (!url.pathname.startsWith("/scanner/") || url.pathname.startsWith("/scanner/api/")) return;
  const key = url.pathname === "/scanner/index.html" ? "/scanner/" : url.pathname;
  // the cached copy first (it opens offline); refreshed from the hub in the background when online
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(key);
      const fresh = fetch(event.request)
        .then((response) => {
          if (response.ok) cache.put(key, response.clone());
          return response;
        })
        .catch(() => undefined);
      if (cached) {
        event.waitUntil(fresh);
        return cached;
      }
      return (await fresh) || new Response("offline", { status: 503 });
    }),
  );
});
