// What the phone keeps of the signed-in farmer's records, for forms and checks offline: the
// snapshot from /api/v1/offline/snapshot (their producers, plots, products, newest batches and
// the inputs whose safety intervals may still matter). Only the farmer's own; forgotten on
// sign-out.
const V = new URL(import.meta.url).search;
const { createStore, get, set, del } = await import("./vendor/idb-keyval.js" + V);

const store = createStore("freshcircle-data", "snapshots");
const FRESH_MS = 10 * 60 * 1000; // a snapshot younger than this is not fetched again

export async function stored(user) {
  return get(`snapshot:${user}`, store);
}

/** The snapshot, fetched again when older than FRESH_MS (or `force`) and the network answers. */
export async function refresh(url, user, force) {
  const kept = await stored(user);
  if (kept && !force && Date.now() - kept.fetched_at < FRESH_MS) return kept;
  try {
    const response = await fetch(url, { credentials: "same-origin",
                                        headers: { Accept: "application/json" } });
    if (!response.ok) return kept;
    const snapshot = { ...(await response.json()), fetched_at: Date.now() };
    if (String(snapshot.user && snapshot.user.id) !== String(user)) return kept;
    await set(`snapshot:${user}`, snapshot, store);
    return snapshot;
  } catch (error) {
    return kept;
  }
}

export async function forget(user) {
  await del(`snapshot:${user}`, store);
}
