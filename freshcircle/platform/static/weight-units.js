(function () {
  /* Switching 斤 and kg converts the weights already typed (1 斤 = 0.5 kg), so a default
     in 斤 is never read as kg. Without script the server still refuses 20% over. */
  var form = document.getElementById("step-form");
  if (!form) return;
  var unit = "jin";
  form.querySelectorAll('input[name="unit"]').forEach(function (radio) {
    if (radio.checked) unit = radio.value;
    radio.addEventListener("change", function () {
      if (!radio.checked || radio.value === unit) return;
      var factor = radio.value === "kg" ? 0.5 : 2;
      form.querySelectorAll("input[data-weight]").forEach(function (input) {
        var n = parseFloat(input.value.replace(/[,\s]/g, ""));
        if (isFinite(n)) input.value = String(Math.round(n * factor * 1000) / 1000);
      });
      unit = radio.value;
    });
  });
})();
