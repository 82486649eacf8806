// The pre-harvest interval rule (安全间隔期) on the phone: the server's rule
// (farms/services/safety.judge) over the inputs the phone keeps (the offline snapshot), so a
// harvest registered offline is judged as the server will judge it on sync. The server checks
// again and wins; tests/platform/farms/test_offline_safety_parity.py compares the two.
//
// Dates are ISO strings (YYYY-MM-DD), compared as strings; no time zones are involved.

/**
 * A harvest on `harvestDate` from plot `plotId`, judged on `snapshot.inputs` of that plot:
 * {outcome: "passed" | "not_passed" | "no_records", safe_from, blocking: [input...]}.
 * "not_passed": some input's interval was still running at harvest (blocking, latest-ending
 * last; safe_from the first allowed day); "passed": pesticides were recorded on the plot up to
 * the harvest and every interval was over; "no_records": no pesticide was recorded there.
 */
export function harvestCheck(harvestDate, plotId, snapshot) {
  const inputs = (snapshot.inputs || []).filter((input) => input.plot_id === plotId)
    .sort((a, b) => a.id - b.id);
  const before = inputs.filter((input) => input.applied_on <= harvestDate);
  const blocking = before.filter((input) => harvestDate < input.safe_harvest_date)
    .sort((a, b) => (a.safe_harvest_date < b.safe_harvest_date ? -1
      : a.safe_harvest_date > b.safe_harvest_date ? 1 : 0));
  if (blocking.length) {
    return { outcome: "not_passed", safe_from: blocking[blocking.length - 1].safe_harvest_date,
             blocking };
  }
  const plot = (snapshot.plots || []).find((p) => p.id === plotId);
  const older = plot && plot.first_pesticide_on && plot.first_pesticide_on <= harvestDate;
  const recorded = older || before.some((input) => input.kind === "pesticide");
  return { outcome: recorded ? "passed" : "no_records", safe_from: null, blocking: [] };
}

/** The server's sentence for a refused harvest, from the page's catalog strings. */
export function intervalMessage(check, plotName, strings) {
  const last = check.blocking[check.blocking.length - 1];
  const values = { plot: plotName, product: last.product_name, applied: last.applied_on,
                   days: last.pre_harvest_interval_days, safe: last.safe_harvest_date };
  return strings.interval_not_over.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}
