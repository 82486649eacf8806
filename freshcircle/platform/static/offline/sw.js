// FreshCircle's service worker. /sw.js serves this file with RELEASE, SHELL, OFFLINE_URL and
// USER_HEADER defined in front of it (web/offline.py).
//
// - The app shell (style, scripts, the offline page) is stored when a release installs; a new
//   release installs beside it, takes over at once (skipWaiting, clients.claim) and deletes the
//   old shell. The outbox is in IndexedDB and no release touches it.
// - Pages: from the network when it answers within NETWORK_WAIT_MS; else the kept copy, if the
//   page was kept for the farmer signed in now; else the offline page. Only responses marked
//   with USER_HEADER (a farm member's own pages) are kept, and all of them go at sign-out.
"use strict";

const SHELL_CACHE = "fc-shell-" + RELEASE;
const PAGES_CACHE = "fc-pages";
const USER_KEY = "/__freshcircle/user";  // whose pages PAGES_CACHE holds
const NETWORK_WAIT_MS = 4000;
const SIGN_OUT_PATH = "/logout";
const THUMB = /^\/files\/\d+\/thumb$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE)
    .then((cache) => cache.addAll(SHELL))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names
      .filter((name) => name.startsWith("fc-shell-") && name !== SHELL_CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

async function keptUser(cache) {
  const kept = await cache.match(USER_KEY);
  return kept ? kept.text() : null;
}

/** Keep a farmer's page; a page of another farmer first drops everything kept. */
async function keep(request, response) {
  const user = response.headers.get(USER_HEADER);
  if (!user || response.status !== 200) return;
  let cache = await caches.open(PAGES_CACHE);
  const before = await keptUser(cache);
  if (before !== user) {
    await caches.delete(PAGES_CACHE);
    cache = await caches.open(PAGES_CACHE);
    await cache.put(USER_KEY, new Response(user));
  }
  await cache.put(request, response);
}

async function keptPage(request) {
  if (!(await caches.has(PAGES_CACHE))) return null;
  const cache = await caches.open(PAGES_CACHE);
  const response = await cache.match(request);
  if (!response) return null;
  return response.headers.get(USER_HEADER) === await keptUser(cache) ? response : null;
}

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function offlinePage() {
  const cache = await caches.open(SHELL_CACHE);
  return (await cache.match(OFFLINE_URL)) ||
    new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
}

async function page(event) {
  const request = event.request;
  const network = fetch(request).then((response) => {
    if (response.headers.get(USER_HEADER)) event.waitUntil(keep(request, response.clone()));
    return response;
  });
  const kept = await keptPage(request);
  if (!kept) {
    try {
      return await network;
    } catch (error) {
      return offlinePage();
    }
  }
  const answered = network.then((response) => (response.status >= 500 ? kept : response),
                                () => kept);
  event.waitUntil(answered.catch(() => null));
  return Promise.race([answered, wait(NETWORK_WAIT_MS).then(() => kept)]);
}

async function staticFile(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    // A kept page may name an older release's file: the current one of the same name.
    const same = await cache.match(request, { ignoreSearch: true });
    if (same) return same;
    throw error;
  }
}

async function thumbnail(request) {
  try {
    const response = await fetch(request);
    if (response.ok && await caches.has(PAGES_CACHE)) {  // a farmer's pages are kept
      const cache = await caches.open(PAGES_CACHE);
      if (await keptUser(cache)) await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: PAGES_CACHE });
    if (kept) return kept;
    throw error;
  }
}

async function signOut(request) {
  await caches.delete(PAGES_CACHE);
  try {
    return await fetch(request);
  } catch (error) {
    return offlinePage();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === SIGN_OUT_PATH) {
    event.respondWith(signOut(request));
  } else if (request.method !== "GET") {
    return;
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(request));
  } else if (THUMB.test(url.pathname)) {
    event.respondWith(thumbnail(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event));
  }
});
