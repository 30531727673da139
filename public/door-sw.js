// The door's service worker (scope /checkin): keeps the check-in pages and the app's code
// on the phone, so the door opens and judges scans without the network. Server functions
// (POST) always go to the network; the page itself falls back to its own copy of the
// tickets when they fail.
const CACHE = 'eventos-door-v2';
// A page slower than this is served from the phone, as the door treats slow as offline.
const PATIENCE_MS = 3000;

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page lists what it loaded before this worker was in charge (its own address and its
// /pkg files), so the first visit is enough to open the door offline next time.
self.addEventListener('message', (event) => {
  const urls = (event.data && Array.isArray(event.data.keep)) ? event.data.keep : [];
  const own = urls.filter((u) => {
    try { return new URL(u).origin === self.location.origin; } catch (_) { return false; }
  });
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(own.map((u) =>
    fetch(u, { credentials: 'same-origin' })
      .then((response) => response.ok ? cache.put(u, response) : undefined)
      .catch(() => undefined)))));
});

function keep(request, response) {
  if (response && response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

function slow(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === 'navigate') {
    // The page as the server renders it now; the one kept last time when the network is
    // gone or slow.
    event.respondWith((async () => {
      const network = fetch(request).then((response) => keep(request, response));
      const kept = slow(PATIENCE_MS).then(() => caches.match(request));
      try {
        const first = await Promise.race([network, kept]);
        if (first) return first;
        return await network;
      } catch (_) {
        const hit = await caches.match(request);
        if (hit) return hit;
        return (await caches.match('/checkin')) || Response.error();
      }
    })());
    return;
  }

  if (url.pathname.startsWith('/pkg/') || url.pathname.startsWith('/door-')) {
    if (contentHashed(url.pathname)) {
      // A file named by its content never changes: the phone's copy first.
      event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((r) => keep(request, r))));
    } else {
      // Anything else (the chunk loader, the icons) may change with a deploy: the network
      // first, the phone's copy when there is none.
      event.respondWith(fetch(request).then((r) => keep(request, r)).catch(() =>
        caches.match(request).then((hit) => hit || Response.error())));
    }
  }
});

// The rule the server's cache headers follow (server::security): a 22-character hash
// between the name and the extension, and never the loader of lazily loaded chunks, whose
// name can outlive the chunks it names.
function contentHashed(path) {
  const name = path.split('/').pop();
  if (name.startsWith('__wasm_split')) return false;
  const parts = name.split('.');
  return parts.length >= 3 && parts.slice(1, -1).some((part) => /^[A-Za-z0-9_-]{22}$/.test(part));
}
