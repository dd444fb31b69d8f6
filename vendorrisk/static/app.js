// A file over the upload limit is refused here, before it is sent: the form keeps what was
// typed, and the message stands next to the file field (the server refuses it too).
if (!window.vendorriskUploadLimit) window.vendorriskUploadLimit = document.addEventListener("submit", function (event) {
  var meta = document.querySelector('meta[name="upload-limit"]');
  if (!meta) return;
  var limit = Number(meta.content), form = event.target, refused = false;
  form.querySelectorAll('input[type="file"]').forEach(function (input) {
    var old = input.parentNode.querySelector(".field-error.upload-too-large");
    if (old) old.remove();
    var big = Array.prototype.some.call(input.files || [], function (file) { return file.size > limit; });
    if (big) {
      var message = document.createElement("p");
      message.className = "field-error upload-too-large";
      message.setAttribute("role", "alert");
      message.textContent = meta.getAttribute("data-message");
      input.insertAdjacentElement("afterend", message);
      refused = true;
    }
  });
  // a form that sends several files at once (a contract set) says how much one request may carry
  var total = form.getAttribute && Number(form.getAttribute("data-total-limit"));
  if (total && !refused) {
    var inputs = form.querySelectorAll('input[type="file"]'), sum = 0;
    inputs.forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { sum += file.size; });
    });
    if (sum > total) {
      var note = document.createElement("p");
      note.className = "field-error upload-too-large";
      note.setAttribute("role", "alert");
      note.textContent = form.getAttribute("data-total-message");
      inputs[inputs.length - 1].insertAdjacentElement("afterend", note);
      refused = true;
    }
  }
  if (refused) event.preventDefault();
}, true) || true;

// "Select all" on a list with a bulk action: a checkbox data-select-all="NAME" ticks or
// clears every enabled checkbox named NAME in its form (links you may not approve stay off).
if (!window.vendorriskSelectAll) window.vendorriskSelectAll = document.addEventListener("change", function (event) {
  var box = event.target, name = box.getAttribute && box.getAttribute("data-select-all");
  if (!name) return;
  document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (item) {
    if (!item.disabled && item.form === box.form) item.checked = box.checked;
  });
}) || true;

// Keyboard first: the field marked autofocus gets the focus, also where the browser skips
// it (a page reached at #add-link, after a form was sent), so typing can start at once.
// On "load": after the browser has moved to the fragment.
if (!window.vendorriskAutofocus) window.vendorriskAutofocus = window.addEventListener("load", function () {
  var field = document.querySelector("main [autofocus]");
  if (field && (document.activeElement === document.body || !document.activeElement)) {
    field.focus({preventScroll: true});
  }
}) || true;
