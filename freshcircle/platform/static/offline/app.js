// The farmer app, offline first (issue 15; README, "Offline farmer app").
//
// On a farm member's pages only (base.html loads it, with the page's words as JSON in
// #offline-strings[data-strings]):
// - installs the service worker (/sw.js), which keeps the app shell and the pages opened;
// - keeps the signed-in farmer's records (batches, plots, products, recent inputs) on the phone
//   for the safety-interval check, refreshed from /api/v1/offline/snapshot;
// - turns every <form data-offline> submit into an outbox record first, then sends it at once
//   if it can: online the farmer sees the new record's page, offline 我的批次 with 待同步;
// - shows the outbox (待同步 / 需处理 / 已同步) on 我的批次 and the count in the header, and
//   syncs when the network comes back and on 立即同步.
// Without this script (or without a service worker) every form still posts as a plain page.
const V = new URL(import.meta.url).search;
const config = document.getElementById("offline-strings");
const S = JSON.parse(config.dataset.strings);
const USER = config.dataset.user;
const outbox = await import("./outbox.js" + V);
const { CAPTURE, formFields, fillForm } = await import("./records.js" + V);
const { syncOutbox } = await import("./sync.js" + V);
const data = await import("./data.js" + V);
let safety = null;
try { safety = await import("./safety.js" + V); } catch (error) { safety = null; }

const FLASH_KEY = "freshcircle-flash";
const RETRY_MS = 30000;

function say(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : `{${name}}`));
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// --- flash messages carried to the next page (like the server's flash) ---------------------

function flashNext(message, category = "success") {
  sessionStorage.setItem(FLASH_KEY, JSON.stringify({ message, category }));
}

function showFlash() {
  const raw = sessionStorage.getItem(FLASH_KEY);
  if (!raw) return;
  sessionStorage.removeItem(FLASH_KEY);
  const { message, category } = JSON.parse(raw);
  const main = document.querySelector("main");
  main.prepend(element("p", { class: `flash flash-${category}`, role: "status", text: message }));
}

// --- header: network state and how many records wait -----------------------------------------

let waitingCount = 0; // records not yet on the server, for the sign-out question

async function showCounts() {
  const { pending, needsAction } = await outbox.counts(USER);
  waitingCount = pending + needsAction;
  const link = document.getElementById("outbox-count");
  if (link) {
    const parts = [];
    if (pending) parts.push(say(S.pending_count, { n: pending }));
    if (needsAction) parts.push(say(S.needs_action_count, { n: needsAction }));
    link.textContent = parts.join(" · ");
    link.hidden = parts.length === 0;
    link.classList.toggle("needs-action", needsAction > 0);
  }
  const state = document.getElementById("offline-state");
  if (state) state.hidden = navigator.onLine;
  const bar = document.getElementById("syncbar");
  if (bar) bar.hidden = navigator.onLine && !(pending + needsAction);
  document.documentElement.classList.toggle("is-offline", !navigator.onLine);
  markOnlineOnly();
  await showOutbox();
}

function markOnlineOnly() {
  for (const node of document.querySelectorAll("[data-online-only]")) {
    const offline = !navigator.onLine;
    for (const button of node.querySelectorAll("button, input[type=submit]")) {
      if (offline) button.setAttribute("disabled", "");
      else if (!button.closest("form[data-once]") || !button.dataset.sending) button.removeAttribute("disabled");
    }
    for (const link of node.querySelectorAll("a[href]")) {
      link.classList.toggle("is-disabled", offline);
      if (offline) link.setAttribute("aria-disabled", "true");
      else link.removeAttribute("aria-disabled");
    }
    let note = node.querySelector(":scope > .offline-note");
    if (offline && !note) {
      note = element("p", { class: "offline-note", role: "status", text: S.online_only });
      node.prepend(note);
    } else if (!offline && note) {
      note.remove();
    }
  }
}

// --- the outbox on 我的批次 -----------------------------------------------------------------

function statusBadge(record) {
  if (record.status === "needs_action") {
    return element("span", { class: "badge badge-bad", text: S.status_needs_action });
  }
  if (record.status === "synced" && !outbox.unfinishedPhotos(record)) {
    return element("span", { class: "badge badge-ok", text: S.status_synced });
  }
  return element("span", { class: "badge badge-warn", text: S.status_pending });
}

function errorLines(error) {
  // The fields' reasons first (the confirmation's hint last); the general message only when
  // no field says more.
  const fields = Object.entries(error.fields || {})
    .sort(([a], [b]) => (a === "confirm_in_interval") - (b === "confirm_in_interval"));
  const lines = [];
  for (const [, messages] of fields) {
    const list = Array.isArray(messages) ? messages : (typeof messages === "string" ? [messages] : []);
    for (const text of list) if (!lines.includes(text)) lines.push(text);
  }
  return lines.length ? lines : [error.message];
}

function outboxItem(record) {
  const state = outbox.unfinishedPhotos(record) ? "pending" : record.status;
  const item = element("li", { class: `outbox-item outbox-${state}`, "data-key": record.key },
    statusBadge(record), " ",
    element("strong", { text: S[`kind_${record.kind}`] || record.kind }), " ",
    element("span", { class: "outbox-title", text: record.title || "" }));
  if (record.status === "synced" && record.result) {
    item.append(" ", element("a", { class: "outbox-lot", href: record.result.url,
                                   text: record.result.lot || "" }));
  }
  for (const photo of record.photos || []) {
    if (photo.error) item.append(element("p", { class: "field-error", text: photo.error }));
    else if (!photo.done) item.append(element("p", { class: "outbox-note", text: S.photo_waiting }));
  }
  if (record.status === "pending" && record.error && record.error.transient) {
    item.append(element("p", { class: "outbox-note", text: record.error.message }));
  }
  if (record.status === "needs_action" && record.error) {
    for (const line of errorLines(record.error)) {
      item.append(element("p", { class: "field-error", text: line }));
    }
    const actions = element("p", { class: "outbox-actions" });
    if (!record.error.auth) {
      actions.append(element("a", { class: "button", href: `${record.form_url}#outbox-edit=${record.key}`,
                                    text: S.edit }), " ");
    }
    const discard = element("button", { type: "button", class: "link", "data-discard": record.key,
                                        text: S.discard });
    actions.append(discard);
    item.append(actions);
  }
  return item;
}

async function showOutbox() {
  const section = document.getElementById("outbox");
  if (!section) return;
  const records = await outbox.list(USER);
  section.hidden = records.length === 0;
  const list = element("ul", { class: "outbox-list" });
  const waiting = records.filter((r) => r.status !== "synced" || outbox.unfinishedPhotos(r));
  const synced = records.filter((r) => r.status === "synced" && !outbox.unfinishedPhotos(r)).reverse();
  for (const record of [...waiting, ...synced]) list.append(outboxItem(record));
  const button = element("button", { type: "button", id: "sync-now", class: "button",
                                     text: syncing ? S.syncing : S.sync_now });
  if (syncing || !navigator.onLine) button.setAttribute("disabled", "");
  section.replaceChildren(element("h2", { text: S.outbox_title }, " ", button), list);
}

document.addEventListener("click", async (event) => {
  const target = event.target;
  if (target.id === "sync-now") {
    await sync();
  } else if (target.dataset && target.dataset.discard) {
    if (window.confirm(S.discard_confirm)) {
      await outbox.remove(target.dataset.discard);
      await showCounts();
    }
  }
});

// --- syncing --------------------------------------------------------------------------------

let syncing = false;

async function token(fresh = false) {
  if (!fresh) {
    const field = document.querySelector("input[name=csrf_token]");
    if (field && field.value) return field.value;
  }
  const snapshot = await data.refresh(config.dataset.snapshot, USER, true);
  return snapshot ? snapshot.csrf_token : "";
}

async function sync() {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  await showOutbox();
  try {
    const before = (await outbox.list(USER)).filter((r) => r.status === "synced").length;
    await syncOutbox({ user: USER, strings: S, token, progress: () => showCounts() });
    const after = (await outbox.list(USER)).filter((r) => r.status === "synced").length;
    if (after !== before) await data.refresh(config.dataset.snapshot, USER, true);
  } finally {
    syncing = false;
    await showCounts();
  }
}

// --- forms that work offline ----------------------------------------------------------------

function clearErrors(form) {
  form.querySelectorAll("[data-offline-error]").forEach((node) => node.remove());
  form.querySelectorAll(".field.invalid[data-offline-invalid]").forEach((node) => {
    node.classList.remove("invalid");
    node.removeAttribute("data-offline-invalid");
  });
}

function fieldBox(form, name) {
  const control = form.elements.namedItem(name);
  const node = control instanceof RadioNodeList ? control[0] : control;
  return node ? node.closest(".field") : null;
}

function showErrors(form, error) {
  clearErrors(form);
  const top = [];
  for (const [name, messages] of Object.entries(error.fields || {})) {
    const list = Array.isArray(messages) ? messages : (typeof messages === "string" ? [messages] : []);
    const box = fieldBox(form, name);
    for (const text of list) {
      if (box) box.append(element("p", { class: "field-error", "data-offline-error": "", text }));
      else top.push(text);
    }
    if (box && list.length) {
      box.classList.add("invalid");
      box.setAttribute("data-offline-invalid", "");
    }
  }
  const alert = element("div", { class: "alert", role: "alert", "data-offline-error": "" },
    ...[error.message, ...top].filter(Boolean).map((text) => element("p", { text })));
  form.prepend(alert);
  alert.scrollIntoView({ block: "start" });
  if (error.fields && error.fields.confirm_in_interval) revealIntervalConfirm(form);
}

function revealIntervalConfirm(form) {
  const box = form.querySelector("[data-confirm-interval]");
  if (box) box.hidden = false;
}

/** The safety-interval rule, on the phone, from the records it keeps; the server checks again. */
async function intervalRefusal(form, kind) {
  if (kind !== "batch" || !safety) return null;
  const confirm = form.elements.namedItem("confirm_in_interval");
  if (confirm && confirm.checked) return null;
  const plotId = form.elements.namedItem("plot_id");
  const harvest = form.elements.namedItem("harvest_date");
  if (!plotId || !plotId.value || !harvest || !harvest.value) return null;
  const snapshot = await data.stored(USER);
  if (!snapshot) return null;
  const check = safety.harvestCheck(harvest.value, Number(plotId.value), snapshot);
  if (check.outcome !== "not_passed") return null;
  const plot = (snapshot.plots || []).find((p) => p.id === Number(plotId.value));
  const message = safety.intervalMessage(check, plot ? plot.name : "", S);
  return { message, fields: { harvest_date: [message], confirm_in_interval: [S.interval_confirm || ""] } };
}

function buttonsOf(form, disabled) {
  for (const button of form.querySelectorAll("[type=submit]")) {
    button.disabled = disabled;
    if (disabled) button.dataset.sending = "1"; else delete button.dataset.sending;
  }
}

async function submitOffline(event) {
  const form = event.target.closest("form[data-offline]");
  if (!form) return;
  const kind = form.dataset.offline;
  const file = form.querySelector("input[type=file][data-offline-refuses]");
  if (file && file.files && file.files.length) {
    if (navigator.onLine) return; // the page form takes the file; the outbox carries none
    event.preventDefault();
    showErrors(form, { message: "", fields: { [file.name]: [file.dataset.offlineRefuses] } });
    return;
  }
  event.preventDefault();
  buttonsOf(form, true);
  const refusal = await intervalRefusal(form, kind);
  if (refusal) {
    showErrors(form, refusal);
    buttonsOf(form, false);
    return;
  }
  const editing = editKey();
  const earlier = editing ? await outbox.find(editing) : null;
  const captured = CAPTURE[kind](form);
  if (earlier && !captured.photos?.length && earlier.photos?.length) captured.photos = earlier.photos;
  const record = await outbox.add({
    key: outbox.newKey(), user: USER, kind, form_url: location.pathname,
    fields: formFields(form), ...captured,
  });
  if (earlier) await outbox.remove(earlier.key);
  if (navigator.onLine) await sync();
  const stored = await outbox.find(record.key);
  if (stored.status === "synced") {
    const message = kind === "batch" ? say(S.batch_registered, { lot: stored.result.lot })
      : say(S.synced_as, { lot: stored.result.lot || "" });
    flashNext(message);
    location.assign(stored.result.url);
    return;
  }
  if (stored.status === "needs_action" && !stored.error.auth) {
    // Refused while the farmer is still on the form: say why right here; the form keeps what
    // was filled in, so the outbox need not.
    await outbox.remove(stored.key);
    showErrors(form, stored.error);
    buttonsOf(form, false);
    await showCounts();
    return;
  }
  flashNext(stored.status === "needs_action" ? stored.error.message : S.saved_offline,
            stored.status === "needs_action" ? "error" : "info");
  location.assign(config.dataset.home + "#outbox");
}

function editKey() {
  const match = /#outbox-edit=([\w-]+)/.exec(location.hash);
  return match ? match[1] : null;
}

async function startEditing() {
  const key = editKey();
  const form = document.querySelector("form[data-offline]");
  if (!key || !form) return;
  const record = await outbox.find(key);
  if (!record || record.user !== USER) return;
  fillForm(form, record.fields || {});
  if (record.error) showErrors(form, record.error);
}

// --- sign-out: the farmer's kept pages and records go; unsent records stay for them ----------

function signingOut(event) {
  if (event.target.id !== "sign-out-form") return;
  if (waitingCount && !window.confirm(say(S.signout_pending, { n: waitingCount }))) {
    event.preventDefault();
    return;
  }
  event.preventDefault(); // the kept snapshot goes first, then the sign-out is sent
  data.forget(USER).finally(() => event.target.submit());
}

// --- start -----------------------------------------------------------------------------------

async function start() {
  if (!("serviceWorker" in navigator) || !window.indexedDB) return;
  navigator.serviceWorker.register(config.dataset.sw, { scope: "/" }).catch(() => {});
  document.addEventListener("submit", signingOut, true);
  document.addEventListener("submit", submitOffline);
  showFlash();
  await startEditing();
  window.addEventListener("online", () => { showCounts(); sync(); });
  window.addEventListener("offline", () => showCounts());
  await showCounts();
  if (navigator.onLine) {
    await data.refresh(config.dataset.snapshot, USER, false);
    const { pending } = await outbox.counts(USER);
    if (pending) await sync();
  }
  setInterval(async () => {
    const { pending } = await outbox.counts(USER);
    if (pending && navigator.onLine) await sync();
  }, RETRY_MS);
}

document.documentElement.classList.add("offline-app");
start();
