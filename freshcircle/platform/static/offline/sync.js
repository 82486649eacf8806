// Sending the outbox: in the order the records were made, each with its Idempotency-Key, so a
// record whose response was lost is stored once however often it is sent again. Photos go
// after their record, in parts; each acknowledged part is kept, so a dropped 2G connection
// resumes where it stopped (README, "Offline farmer app").
const V = new URL(import.meta.url).search;
const outbox = await import("./outbox.js" + V);
const { summary } = await import("./records.js" + V);

const REQUEST_MS = 30000; // a request that has not answered by then is tried again later
const STOP = "stop";      // no network, or the server cannot take it now: try again later

async function request(path, options, ctx) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_MS);
  const send = (token) => fetch(path, {
    credentials: "same-origin", ...options, signal: controller.signal,
    headers: { Accept: "application/json", "X-CSRFToken": token, ...(options.headers || {}) },
  });
  try {
    let response = await send(await ctx.token());
    if (response.status === 400) {
      // A page kept offline may carry the CSRF token of an older session: once with a fresh one.
      const fresh = await ctx.token(true);
      if (fresh) response = await send(fresh);
    }
    return response;
  } catch (error) {
    return null; // offline, or too slow: the record stays 待同步
  } finally {
    clearTimeout(timer);
  }
}

async function json(response) {
  try { return await response.json(); } catch (error) { return {}; }
}

function transient(response) {
  return !response || response.status >= 500 || response.status === 429;
}

async function refuse(record, response, ctx) {
  if (response.status === 401) {
    await outbox.update(record.key, { status: "needs_action",
                                      error: { message: ctx.strings.sign_in_again, auth: true } });
    return STOP;
  }
  const data = await json(response);
  await outbox.update(record.key, {
    status: "needs_action",
    error: { message: data.message || String(response.status), fields: data.errors || {},
             status: response.status },
  });
  return "refused";
}

async function sendRecord(record, done, ctx) {
  const body = { ...record.body };
  for (const [field, key] of Object.entries(record.refs || {})) body[field] = done[key].id;
  const response = await request(record.path, {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "Idempotency-Key": record.key },
  }, ctx);
  if (transient(response)) {
    if (response) await outbox.update(record.key, { error: { message: ctx.strings.server_busy,
                                                             transient: true } });
    return STOP;
  }
  if (!response.ok) return refuse(record, response, ctx);
  await outbox.update(record.key, { status: "synced", error: null,
                                    result: summary(record.kind, await json(response)),
                                    synced_at: new Date().toISOString() });
  return "synced";
}

async function sha256(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function savePhoto(record, index, changes) {
  const fresh = await outbox.find(record.key);
  fresh.photos[index] = { ...fresh.photos[index], ...changes };
  await outbox.update(record.key, { photos: fresh.photos });
  return fresh.photos[index];
}

/** Start (or find again) the photo's upload; its current offset. */
async function openUpload(record, index, photo, ctx) {
  if (photo.upload) {
    const response = await request(`/api/v1/photo-uploads/${photo.upload.id}`, {}, ctx);
    if (transient(response)) return null;
    if (response.ok) return (await json(response)).offset;
  }
  const response = await request(`/api/v1/batches/${record.result.id}/photo-uploads`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": `${record.key}.photo${index}` },
    body: JSON.stringify({ filename: photo.name, content_type: photo.type, size: photo.blob.size,
                           sha256: photo.sha256 || await sha256(photo.blob) }),
  }, ctx);
  if (transient(response)) return null;
  const data = await json(response);
  if (!response.ok) {
    await savePhoto(record, index, { done: true, error: data.message || String(response.status) });
    return undefined;
  }
  await savePhoto(record, index, { upload: { id: data.id, part: data.part_bytes || 65536 } });
  return data.offset;
}

async function sendPhoto(record, index, ctx) {
  let photo = record.photos[index];
  let offset = await openUpload(record, index, photo, ctx);
  if (offset === null) return STOP;
  if (offset === undefined) return "refused";
  photo = (await outbox.find(record.key)).photos[index];
  const size = photo.blob.size;
  while (offset < size) {
    const part = photo.blob.slice(offset, offset + photo.upload.part);
    const response = await request(`/api/v1/photo-uploads/${photo.upload.id}`, {
      method: "PATCH", body: part,
      headers: { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) },
    }, ctx);
    if (transient(response)) return STOP;
    const data = await json(response);
    if (response.status === 409 && typeof data.offset === "number") { offset = data.offset; continue; }
    if (!response.ok) {
      await savePhoto(record, index, { done: true, error: data.message || String(response.status) });
      return "refused";
    }
    offset = data.offset;
    ctx.progress(record, Math.round((100 * offset) / size));
  }
  await savePhoto(record, index, { done: true, blob: null, error: null });
  return "synced";
}

async function run(ctx) {
  const records = await outbox.list(ctx.user);
  const done = {};
  let stopped = false;
  for (const record of records) {
    if (record.status === "needs_action" && record.error && record.error.auth) {
      await outbox.update(record.key, { status: "pending", error: null }); // signed in again
      record.status = "pending";
    }
    if (record.status === "synced") done[record.key] = record.result;
    if (record.status !== "pending") continue;
    if (Object.values(record.refs || {}).some((key) => !done[key])) continue; // waits
    const outcome = await sendRecord(record, done, ctx);
    ctx.progress(record);
    if (outcome === STOP) { stopped = true; break; }
    if (outcome === "synced") done[record.key] = (await outbox.find(record.key)).result;
  }
  if (!stopped) {
    for (const record of await outbox.list(ctx.user)) {
      if (!outbox.unfinishedPhotos(record)) continue;
      for (let index = 0; index < record.photos.length; index++) {
        if (record.photos[index].done) continue;
        const outcome = await sendPhoto(await outbox.find(record.key), index, ctx);
        ctx.progress(record);
        if (outcome === STOP) { stopped = true; break; }
      }
      if (stopped) break;
    }
  }
  await outbox.prune(ctx.user);
  return { stopped };
}

/** Send what is waiting, one sync at a time per phone (several tabs may ask at once). */
export function syncOutbox(ctx) {
  if (navigator.locks) return navigator.locks.request("freshcircle-sync", () => run(ctx));
  return run(ctx);
}
