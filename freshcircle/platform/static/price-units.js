(function () {
  var jin = document.getElementById("price_jin"), kg = document.getElementById("price_kg");
  if (!jin || !kg) return;
  function norm(v) { return v.replace(/[０-９．]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); }).replace(/[,\s]/g, ""); }
  function other(from, to, factor) {
    var n = parseFloat(norm(from.value));
    to.value = isFinite(n) && n > 0 ? String(Math.round(n * factor * 1000) / 1000) : "";
  }
  jin.addEventListener("input", function () { other(jin, kg, 2); });
  kg.addEventListener("input", function () { other(kg, jin, 0.5); });
})();
