/* The dispatch plan's timeline: each truck's run and stops placed along the day from their
   data-left / data-width percentages (set here, not in a style attribute, which the
   Content-Security-Policy does not allow). */
(function () {
  document.querySelectorAll(".timeline [data-left]").forEach(function (el) {
    el.style.left = el.dataset.left + "%";
    if (el.dataset.width) el.style.width = el.dataset.width + "%";
  });
})();
