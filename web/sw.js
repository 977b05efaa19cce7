// nnpy's service worker: after one visit the whole site — the Pyodide runtime and the numpy wheel
// included — works with the network off.
//
// build.py replaces the two placeholders below with the build's content hash and the list of files the
// page needs, so every deployment changes this file's bytes and the browser notices the update.
// Caches are named after this worker's scope and version: another site on the same origin (a different
// GitHub Pages project) is never touched, and only this site's old versions are removed.
const VERSION = "__NNPY_VERSION__";
const FILES = __NNPY_PRECACHE__;

const SCOPE = new URL(self.registration.scope).pathname;
const PREFIX = `nnpy:${SCOPE}:`;
const CACHE = PREFIX + VERSION;

self.addEventListener("install", (event) => {
  // No skipWaiting here: a visitor mid-session keeps the version they started with until they accept
  // the "update available — reload" offer (the page then posts {type: "skip-waiting"}).
  // "no-cache": every file is revalidated with the server (never a stale copy from the HTTP cache
  // mixed into a new version), yet files the page has just downloaded come back as cheap 304s.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(FILES.map((file) => new Request(file, { cache: "no-cache" }))),
    ),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  // Cache first: every file of this version is precached, so a hit is the right file. The cached
  // responses are same-origin ("basic", not opaque), so fetches that carry `integrity` (PyScript's
  // numpy wheel) still verify against them.
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      // Pages are matched without their query (?embed=1&dataset=spiral is still index.html).
      const isPage = request.mode === "navigate";
      const hit = await cache.match(isPage ? new URL("./", self.registration.scope).href : request,
        { ignoreSearch: isPage });
      return hit || fetch(request);
    }),
  );
});
