// Shrink a chosen photo to at most N px (data-downsize) as JPEG before upload, so a phone on a
// weak rural network sends ~300 KB instead of ~5 MB. Without this script the form still works.
(function () {
  "use strict";
  function shrink(input) {
    var file = input.files && input.files[0], max = +input.dataset.downsize;
    if (!file || !/^image\//.test(file.type) || !window.DataTransfer || !window.createImageBitmap) {
      input.dataset.state = "ready";
      return;
    }
    var button = input.form.querySelector("[type=submit]");
    input.dataset.state = "busy";
    if (button) button.disabled = true;
    function done() {
      input.dataset.state = "ready";
      if (button) button.disabled = false;
    }
    createImageBitmap(file, { imageOrientation: "from-image" }).then(function (img) {
      var scale = Math.min(1, max / Math.max(img.width, img.height));
      if (scale === 1 && file.type === "image/jpeg") return done();
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(img.width * scale);
      canvas.height = Math.round(img.height * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (blob && blob.size < file.size) {
          var list = new DataTransfer();
          list.items.add(new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg",
                                  { type: "image/jpeg" }));
          input.files = list.files;
        }
        done();
      }, "image/jpeg", 0.85);
    }).catch(done);
  }
  document.querySelectorAll("input[type=file][data-downsize]").forEach(function (input) {
    input.addEventListener("change", function () { shrink(input); });
  });
  // A second tap while a slow upload runs would send the form twice (the idempotency key
  // makes that harmless, but the farmer should see that it is on its way).
  function buttons(form) { return form.querySelectorAll("[type=submit]"); }
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      setTimeout(function () { buttons(form).forEach(function (b) { b.disabled = true; }); }, 0);
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once] [type=submit]").forEach(function (b) {
      b.disabled = false;
    });
  });
})();
