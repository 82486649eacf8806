/* The dispatch plan's timeline: each truck's run and stops placed along the day from their
   data-left / data-width percentages (set here, not in a style attribute, which the
   Content-Security-Policy does not allow). Stop markers that would overlap at this width go
   down to the next lane of their track, so every stop number stays readable; the track grows
   to hold its lanes. Laid out again when the width changes (a phone turned, a window resized). */
(function () {
  var LANE_REM = 1.5;
  function place() {
    document.querySelectorAll(".timeline [data-left]").forEach(function (el) {
      el.style.left = el.dataset.left + "%";
      if (el.dataset.width) el.style.width = el.dataset.width + "%";
      if (el.classList.contains("tl-stop")) el.style.top = "0";
    });
    document.querySelectorAll(".timeline .tl-track").forEach(function (track) {
      var width = track.getBoundingClientRect().width;
      var ends = [];  // per lane: the right edge (px) of its last marker
      var stops = Array.prototype.slice.call(track.querySelectorAll(".tl-stop"));
      stops.sort(function (a, b) { return a.dataset.left - b.dataset.left; });
      stops.forEach(function (stop) {
        var size = stop.getBoundingClientRect().width;
        var centre = width * stop.dataset.left / 100;
        var lane = 0;
        while (lane < ends.length && ends[lane] > centre - size / 2) lane += 1;
        ends[lane] = centre + size / 2 + 2;
        stop.style.top = (lane * LANE_REM) + "rem";
        stop.dataset.lane = lane;
      });
      track.style.height = (Math.max(ends.length, 1) * LANE_REM + 0.1) + "rem";
    });
    // Axis marks that would run into the one before are left out at this width.
    document.querySelectorAll(".timeline .tl-scale").forEach(function (scale) {
      var edge = -Infinity;
      scale.querySelectorAll(".tl-tick").forEach(function (tick) {
        tick.hidden = false;
        var box = tick.getBoundingClientRect();
        tick.hidden = box.left < edge + 4;
        if (!tick.hidden) edge = box.right;
      });
    });
  }
  place();
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(place, 100);
  });
})();
