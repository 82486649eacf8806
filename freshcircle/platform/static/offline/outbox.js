// The outbox: records a farmer made on this phone, kept in IndexedDB until the server has them.
//
// A record is saved here before anything is sent, so once the page says 待同步 it is never
// lost: not by a dead zone, a closed tab, a reboot or a new release of the app (releases
// replace the service worker's caches, never this database). Each record carries the
// Idempotency-Key it is sent with, so sending it twice stores it once.
//
// A record: {key, user, kind, seq, created_at, status, path, body, refs, photos, fields,
//            form, title, error, result, synced_at}
//   status  "pending" (待同步), "needs_action" (需处理: the server refused it; error says why)
//           or "synced" (kept a while to show the lot code, then dropped);
//   refs    {field: key of an earlier record}: the field is filled with that record's id at sync;
//   photos  [{blob, name, type, size, sha256, upload: {id, offset}, done}] sent after the record.
const V = new URL(import.meta.url).search;
const { createStore, get, set, del, values } = await import("./vendor/idb-keyval.js" + V);

const store = createStore("freshcircle-outbox", "records");
const KEEP_SYNCED = 20; // synced records shown with their lot codes, newest first

export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)),
                 (b) => b.toString(16).padStart(2, "0")).join("");
}

let counter = 0;

export async function add(record) {
  const full = { status: "pending", refs: {}, photos: [], created_at: new Date().toISOString(),
                 seq: Date.now() * 1000 + (counter++ % 1000), ...record };
  await set(full.key, full, store);
  return full;
}

export async function find(key) {
  return get(key, store);
}

export async function update(key, changes) {
  const record = await get(key, store);
  if (!record) return null;
  const changed = { ...record, ...changes };
  await set(key, changed, store);
  return changed;
}

export async function remove(key) {
  await del(key, store);
}

/** The user's records in the order they were made (the order they are sent in). */
export async function list(user) {
  const all = await values(store);
  return all.filter((r) => r.user === user).sort((a, b) => a.seq - b.seq);
}

export async function counts(user) {
  const records = await list(user);
  return {
    pending: records.filter((r) => r.status === "pending" || unfinishedPhotos(r)).length,
    needsAction: records.filter((r) => r.status === "needs_action").length,
  };
}

export function unfinishedPhotos(record) {
  return record.status === "synced" && record.photos.some((p) => !p.done);
}

/** Forget synced records beyond the newest few (their lot codes are on 我的批次 anyway). */
export async function prune(user) {
  const synced = (await list(user)).filter((r) => r.status === "synced" && !unfinishedPhotos(r))
    .sort((a, b) => (b.synced_at || "").localeCompare(a.synced_at || ""));
  await Promise.all(synced.slice(KEEP_SYNCED).map((r) => del(r.key, store)));
}
