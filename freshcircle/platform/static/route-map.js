// The dispatch, driver and journey maps, drawn with Leaflet (static/leaflet, vendored).
// Each <div class="route-map" data-map="ID"> draws the JSON in <script type="application/json"
// id="ID"> (dispatch/pages/dispatch_map.py, trace/services/journey_map.py): the configured
// tiles, or with none the shipped province and prefecture outlines and the cities' names; each
// route in its colour from its start along its stops; a [data-route="N"] button whose
// data-map-for names the map highlights route N. No inline script or style (the CSP).
(function () {
  "use strict";
  if (!window.L) return;

  function outlineStyle(feature) {
    var province = feature.properties.level === "province";
    return {color: province ? "#6b7280" : "#b8bec6", weight: province ? 1.6 : 0.7,
            fill: !province, fillColor: "#fbfbf8", fillOpacity: 1, interactive: false,
            className: province ? "outline-province" : "outline-prefecture"};
  }

  function icon(className, text) {
    var el = document.createElement("span");
    el.textContent = text;
    return L.divIcon({className: className, html: el, iconSize: null});
  }

  function colour(marker, color) {
    marker.on("add", function () {
      var el = marker.getElement();
      if (el) { el.style.backgroundColor = color; el.style.borderColor = color; }
    });
    return marker;
  }

  function stopText(stop, words) {
    var parts = [stop.n + ". " + stop.name];
    if (stop.arrival) parts.push(words.arrives + " " + stop.arrival);
    if (stop.unload) parts.push(words.unloads + " " + stop.unload);
    return parts.join(" · ");
  }

  function tip(layer, text) {
    layer.bindTooltip(text, {direction: "top", offset: [0, -10]});
    layer.bindPopup(text);  // a tap opens it on a phone
    return layer;
  }

  function drawRoute(map, route, words, pane) {
    var layers = [];
    var points = [[route.depot.lat, route.depot.lon]];
    route.stops.forEach(function (s) { points.push([s.lat, s.lon]); });
    var line = L.polyline(points, {color: route.color, weight: 4, opacity: 0.9, pane: pane,
                                   className: "route-line route-line-" + route.no});
    tip(line, words.truck + " " + route.no + " " + route.plate);
    layers.push(line);
    // Stops closer than a marker's width at this zoom share one marker ("1·2"), so no
    // number hides another; regrouped after every zoom.
    var stopLayer = L.featureGroup();
    function placeStops() {
      stopLayer.clearLayers();
      var groups = [];
      route.stops.forEach(function (s) {
        var at = map.latLngToLayerPoint([s.lat, s.lon]);
        var near = groups.filter(function (g) { return g.at.distanceTo(at) < 24; })[0];
        if (near) near.stops.push(s); else groups.push({at: at, stops: [s]});
      });
      groups.forEach(function (g) {
        var text = g.stops.map(function (s) { return stopText(s, words); }).join("\n");
        var marker = L.marker([g.stops[0].lat, g.stops[0].lon], {
          icon: icon("stop-marker", g.stops.map(function (s) { return s.n; }).join("·")),
          title: text, keyboard: true, riseOnHover: true});
        stopLayer.addLayer(tip(colour(marker, route.color), text));
      });
    }
    map.on("zoomend", placeStops);
    layers.push(stopLayer);
    route.stops.forEach(function (s, i) {
      if (!s.rests) return;
      var from = i ? route.stops[i - 1] : route.depot;
      var text = words.rests.replace("%(n)s", s.rests);
      var rest = L.marker([(from.lat + s.lat) / 2, (from.lon + s.lon) / 2], {
        icon: icon("rest-marker", words.rest), title: text, keyboard: false});
      layers.push(tip(rest, text));
    });
    return {line: line, group: L.featureGroup(layers), placeStops: placeStops, stops: stopLayer};
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.map);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var words = data.labels || {};
    var map = L.map(el, {zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: !!data.tiles,
                         zoomControl: false,
                         maxZoom: 16, minZoom: 5});
    L.control.zoom({position: "topright"}).addTo(map);  // the cold store is often top left
    map.createPane("outlines").style.zIndex = 250;  // over tiles (200), under routes (400)
    map.createPane("cities").style.zIndex = 350;
    if (data.tiles) {
      data.tiles.urls.forEach(function (url) {
        L.tileLayer(url, {subdomains: data.tiles.subdomains, maxZoom: 18,
                          attribution: data.tiles.attribution}).addTo(map);
      });
    } else {
      el.classList.add("outline-map");
      fetch(data.outlines).then(function (r) { return r.json(); }).then(function (geo) {
        // Prefectures first, provinces over them.
        geo.features.sort(function (a, b) {
          return (a.properties.level === "province") - (b.properties.level === "province");
        });
        L.geoJSON(geo, {style: outlineStyle, pane: "outlines"}).addTo(map);
        el.dataset.outlines = geo.features.length;
      });
    }
    var cityLabels = (data.cities || []).map(function (c) {
      return L.marker([c.lat, c.lon], {icon: icon("city-label", c.name), interactive: false,
                                       keyboard: false, pane: "cities"}).addTo(map);
    });
    var drawn = {};
    var all = L.featureGroup().addTo(map);
    (data.routes || []).forEach(function (route) {
      var r = drawRoute(map, route, words, "overlayPane");
      r.group.addTo(all);
      drawn[route.no] = r;
    });
    var ends = (data.points || []).map(function (p) {
      var marker = L.marker([p.lat, p.lon], {icon: icon("journey-marker " + (p.kind || ""), p.name),
                                             title: p.name, keyboard: false});
      return tip(marker, p.name + (p.detail ? " · " + p.detail : ""));
    });
    if (ends.length > 1) {
      L.polyline(ends.map(function (m) { return m.getLatLng(); }), {
        color: "#1f7a3a", weight: 3, dashArray: "6 5", className: "route-line journey-line"}).addTo(all);
    }
    ends.forEach(function (m) { m.addTo(all); });
    var depots = {};
    (data.routes || []).forEach(function (route) {
      var key = route.depot.lat + "," + route.depot.lon;
      if (depots[key]) return;
      depots[key] = tip(L.marker([route.depot.lat, route.depot.lon], {
        icon: icon("depot-marker", words.depot), title: words.depot + " " + route.depot.name}),
        words.depot + " " + route.depot.name).addTo(all);
    });
    var bounds = all.getBounds();
    (data.routes || []).forEach(function (route) {
      route.stops.forEach(function (s) { bounds.extend([s.lat, s.lon]); });
    });
    if (bounds.isValid()) map.fitBounds(bounds, {padding: [24, 24], maxZoom: 11});
    else map.setView([31.5, 118.5], 6);
    Object.keys(drawn).forEach(function (key) { drawn[key].placeStops(); });
    // A city's name that a marker or another name covers moves beside its point (below,
    // above, right, left), or hides when every place is taken (the markers name their sites
    // on hover and tap); again after every zoom, once the stops have regrouped.
    var PLACES = ["", "at-below", "at-above", "at-right", "at-left"];
    function overlaps(a, b) {
      return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }
    function declutter() {
      var taken = [], frame = el.getBoundingClientRect();
      // A marker and its span: the depot's and a journey point's marker has no size of its own,
      // its name (the span) is drawn around the point.
      el.querySelectorAll(".stop-marker, .depot-marker, .rest-marker, .journey-marker")
        .forEach(function (m) {
          taken.push(m.getBoundingClientRect());
          if (m.firstElementChild) taken.push(m.firstElementChild.getBoundingClientRect());
        });
      cityLabels.forEach(function (label) {
        var e = label.getElement();
        if (!e) return;
        var free = PLACES.some(function (place) {
          PLACES.forEach(function (p) { if (p) e.classList.remove(p); });
          if (place) e.classList.add(place);
          // A name is its span: the marker around it has no size of its own (iconSize null).
          var box = (e.firstElementChild || e).getBoundingClientRect();
          var hit = box.left < frame.left || box.right > frame.right || box.top < frame.top ||
            box.bottom > frame.bottom || taken.some(function (t) { return overlaps(box, t); });
          if (!hit) taken.push(box);
          return !hit;
        });
        if (!free) PLACES.forEach(function (p) { if (p) e.classList.remove(p); });
        e.classList.toggle("covered", !free);
      });
    }
    map.on("zoomend", declutter);
    declutter();

    var chosen = null;
    function applyDim() {
      Object.keys(drawn).forEach(function (key) {
        var on = chosen === null || String(chosen) === key;
        drawn[key].line.setStyle({opacity: on ? 0.95 : 0.15, weight: chosen !== null && on ? 7 : 4});
        var dim = function (layer) {
          if (layer.eachLayer) { layer.eachLayer(dim); return; }
          var e = layer.getElement && layer.getElement();
          if (e && layer !== drawn[key].line) e.classList.toggle("dimmed", !on);
        };
        drawn[key].group.eachLayer(dim);
        if (on && chosen !== null) drawn[key].line.bringToFront();
      });
    }
    map.on("zoomend", applyDim);  // after the stops are regrouped
    function highlight(no) {
      chosen = chosen === no ? null : no;
      applyDim();
      document.querySelectorAll('[data-map-for="' + el.id + '"][data-route]').forEach(function (b) {
        b.setAttribute("aria-pressed", String(chosen !== null && b.dataset.route === String(chosen)));
      });
      el.dataset.highlighted = chosen === null ? "" : chosen;
      if (chosen !== null) map.fitBounds(drawn[chosen].line.getBounds(), {padding: [24, 24], maxZoom: 11});
      else if (bounds.isValid()) map.fitBounds(bounds, {padding: [24, 24], maxZoom: 11});
    }
    document.querySelectorAll('[data-map-for="' + el.id + '"][data-route]').forEach(function (b) {
      var swatch = b.querySelector(".swatch");
      var route = (data.routes || []).filter(function (r) { return String(r.no) === b.dataset.route; })[0];
      if (swatch && route) swatch.style.backgroundColor = route.color;
      b.addEventListener("click", function () { highlight(Number(b.dataset.route)); });
    });
    el.dataset.routes = Object.keys(drawn).length;
    el.classList.add("drawn");
  }

  document.querySelectorAll(".route-map[data-map]").forEach(draw);
})();
