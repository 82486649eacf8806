// What each form that works offline (<form data-offline="kind">) becomes in the outbox: the API
// request it is replayed as, a line to show it by, and the page to open once it is stored.
//
// The forms are the server's own pages (they work without this script too); the requests are
// the JSON API's, documented in /api/docs and in README ("Offline farmer app").

const API = "/api/v1";

function value(form, name) {
  const field = form.elements.namedItem(name);
  if (!field) return "";
  if (field instanceof RadioNodeList) return field.value || "";
  if (field.type === "checkbox") return field.checked ? (field.value || "y") : "";
  return (field.value || "").trim();
}

function checked(form, name) {
  return Array.from(form.querySelectorAll(`input[name="${name}"]:checked`), (box) => box.value);
}

function optionLabel(form, name) {
  const field = form.elements.namedItem(name);
  if (!field || !field.options || field.selectedIndex < 0) return "";
  return field.options[field.selectedIndex].text.trim();
}

function radioLabel(form, name) {
  const box = form.querySelector(`input[name="${name}"]:checked`);
  const label = box && box.closest("label");
  return label ? label.textContent.trim() : "";
}

/** The body without empty fields; numbers where the API takes integers. */
function body(fields, integers = []) {
  const out = {};
  for (const [name, raw] of Object.entries(fields)) {
    if (raw === "" || raw === null || raw === undefined) continue;
    out[name] = integers.includes(name) && /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

/** Every named field's value, to fill the form in again when a refused record is changed. */
export function formFields(form) {
  const fields = {};
  for (const element of form.elements) {
    if (!element.name || element.type === "file" || element.name === "csrf_token") continue;
    if ((element.type === "radio" || element.type === "checkbox") && !element.checked) continue;
    (fields[element.name] = fields[element.name] || []).push(element.value);
  }
  return fields;
}

export function fillForm(form, fields) {
  for (const element of form.elements) {
    if (!element.name || element.type === "file" || !(element.name in fields)) continue;
    const values = fields[element.name];
    if (element.type === "radio" || element.type === "checkbox") {
      element.checked = values.includes(element.value);
    } else if (element.name !== "csrf_token") {
      element.value = values[0];
    }
  }
}

function plotFields(form) {
  return {
    plot_id: value(form, "plot_id"),
    new_plot_name: value(form, "new_plot_name"),
    new_plot_area_mu: value(form, "new_plot_area_mu"),
  };
}

function plotLabel(form) {
  return value(form, "new_plot_name") || (value(form, "plot_id") ? optionLabel(form, "plot_id") : "");
}

function batch(form) {
  const grade = value(form, "grade") === "other" ? value(form, "grade_other") : value(form, "grade");
  const photo = form.elements.namedItem("photo");
  const file = photo && photo.files && photo.files[0];
  return {
    path: `${API}/batches`,
    body: body({
      producer_id: value(form, "producer_id"), product_id: value(form, "product_id"),
      variety: value(form, "variety"), ...plotFields(form),
      harvest_date: value(form, "harvest_date"), quantity: value(form, "quantity"),
      unit: value(form, "unit"), grade, notes: value(form, "notes"),
      confirm_in_interval: value(form, "confirm_in_interval") ? true : "",
    }, ["producer_id", "product_id", "plot_id"]),
    title: [optionLabel(form, "product_id"),
            `${value(form, "quantity")} ${radioLabel(form, "unit")}`, plotLabel(form)]
      .filter(Boolean).join(" · "),
    photos: file ? [{ blob: file, name: file.name, type: file.type, size: file.size }] : [],
  };
}

function input(form) {
  return {
    path: `${API}/inputs`,
    body: body({
      producer_id: value(form, "producer_id"), kind: value(form, "kind"),
      product_name: value(form, "product_name"),
      active_ingredient: value(form, "active_ingredient"), dose: value(form, "dose"),
      ...plotFields(form), applied_on: value(form, "applied_on"),
      pre_harvest_interval_days: value(form, "pre_harvest_interval_days"),
      notes: value(form, "notes"),
    }, ["producer_id", "plot_id", "pre_harvest_interval_days"]),
    title: [radioLabel(form, "kind"), value(form, "product_name"), value(form, "dose"),
            plotLabel(form), value(form, "applied_on")].filter(Boolean).join(" · "),
  };
}

function test(form) {
  return {
    path: `${API}/tests`,
    body: body({
      batch_id: form.dataset.batch, method: value(form, "method"),
      result: value(form, "result"), measured_values: value(form, "measured_values"),
      tester: value(form, "tester"), tested_on: value(form, "tested_on"),
    }, ["batch_id"]),
    title: [form.dataset.lot, radioLabel(form, "method"), radioLabel(form, "result"),
            value(form, "tested_on")].filter(Boolean).join(" · "),
  };
}

function split(form) {
  const unit = value(form, "unit") || "jin";
  const parts = ["part1", "part2", "part3", "part4"].map((name) => value(form, name))
    .filter(Boolean).map((quantity) => ({ quantity, unit }));
  return {
    path: `${API}/batches/${form.dataset.batch}/split`,
    body: { parts },
    title: [form.dataset.lot, parts.map((p) => p.quantity).join(" + ") + " " +
            radioLabel(form, "unit")].join(" · "),
  };
}

function merge(form) {
  const others = checked(form, "others");
  return {
    path: `${API}/batches/merge`,
    body: { inputs: [form.dataset.batch, ...others].map((id) => ({ batch_id: Number(id) })) },
    title: [form.dataset.lot, ...others.map((id) => {
      const box = form.querySelector(`input[name="others"][value="${id}"]`);
      const label = box && box.closest("label");
      return label ? label.textContent.trim().split(/\s+/)[0] : id;
    })].join(" + "),
  };
}

export const CAPTURE = { batch, input, test, split, merge };

/** What the farmer sees of a stored record, and the page that shows it. */
export function summary(kind, data) {
  if (kind === "split") {
    const outputs = Array.isArray(data) ? data : [];
    return { id: outputs[0] && outputs[0].id, lot: outputs.map((b) => b.lot_code).join("、"),
             url: outputs[0] ? `/batches/${outputs[0].id}` : "/" };
  }
  if (kind === "input") return { id: data.id, lot: data.product_name, url: "/inputs" };
  if (kind === "test") return { id: data.id, lot: data.lot_code, url: `/batches/${data.batch_id}` };
  return { id: data.id, lot: data.lot_code, url: `/batches/${data.id}` };
}
