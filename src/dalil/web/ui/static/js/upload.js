// Evidence upload with progress: the file's bytes go to the API's streaming upload
// (POST /api/cases/{slug}/evidence, raw body) with the session cookie and the CSRF header;
// the upload's progress events drive a <progress> bar. Texts come from the form's data-* attributes
// (already in the page's language). On success the item's page opens, showing its custody trail.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var button = form.querySelector("button[type=submit]");

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.elements.file.files[0];
    if (!file) { say(form.dataset.msgChoose, true); return; }
    if (file.size === 0) { say(form.dataset.msgEmpty, true); return; }
    if (file.size > Number(form.dataset.limit)) { say(form.dataset.msgTooLarge, true); return; }
    var params = new URLSearchParams();
    params.set("source", form.elements.source.value);
    params.set("name", file.name);
    ["supplier_hash", "acquired_from", "note"].forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.api + "?" + params.toString());
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf_token.value);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      bar.max = e.total;
      bar.value = e.loaded;
      say(form.dataset.msgSending + " " + Math.floor((100 * e.loaded) / e.total) + "%", false);
    });
    xhr.upload.addEventListener("load", function () { say(form.dataset.msgPreserving, false); });
    xhr.addEventListener("load", function () {
      button.disabled = false;
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 201 && body && body.item_id) {
        bar.value = bar.max;
        say(form.dataset.msgDone, false);
        window.location.assign(form.dataset.items + "/" + encodeURIComponent(body.item_id) + "?added=1");
        return;
      }
      var message = body && body.error && body.error.message ? body.error.message : "";
      if (!message && body && typeof body.detail === "string") message = body.detail;
      say(form.dataset.msgFailed + (message ? " " + message : ""), true);
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      say(form.dataset.msgFailed, true);
    });
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    say(form.dataset.msgSending + " 0%", false);
    xhr.send(file);
  });
})();
