// The meeting page: what is typed is saved as a draft a moment after each change
// (and before the page is left), so a closed tab or a dropped connection loses
// nothing; "add a line" and Ctrl+Enter inside a list add a line below without
// touching the mouse. Nothing here is needed to hold the review: the form posts
// as a plain form.
(function () {
  var form = document.getElementById("meeting-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var token = document.querySelector('meta[name="csrf-token"]');
  var timer = null;
  var dirty = false;
  function save() {
    if (!dirty) { return; }
    dirty = false;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("data-draft"), {
      method: "POST",
      headers: { "X-CSRF-Token": token ? token.content : "", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      keepalive: true
    }).then(function (r) {
      return r.text().then(function (t) {
        if (status) { status.textContent = t; status.classList.toggle("field-error", !r.ok); }
        if (!r.ok) { dirty = true; }
      });
    }).catch(function () {
      dirty = true;
      if (status) { status.textContent = status.getAttribute("data-offline") || "…"; }
    });
  }
  form.addEventListener("input", function () {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
  window.addEventListener("pagehide", save);
  form.addEventListener("submit", function () { dirty = false; clearTimeout(timer); });

  // A new line: the list's last line, emptied, with its index raised.
  function addRow(list, focus) {
    var rows = form.querySelector('.rows[data-list="' + list + '"]');
    if (!rows || !rows.lastElementChild) { return null; }
    var n = rows.children.length;
    var copy = rows.lastElementChild.cloneNode(true);
    copy.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.name) { el.name = el.name.replace(/\[\d+\]/, "[" + n + "]"); }
      if (el.id) { el.id = el.id.replace(/\d+/, String(n)); }
      el.value = "";
      el.classList.remove("invalid");
      el.removeAttribute("aria-invalid");
    });
    copy.querySelectorAll(".field-error").forEach(function (e) { e.textContent = ""; e.removeAttribute("id"); });
    rows.appendChild(copy);
    var first = copy.querySelector("input, textarea");
    if (first && focus) { first.focus(); }
    return copy;
  }
  form.addEventListener("click", function (e) {
    var b = e.target;
    if (b instanceof HTMLElement && b.classList.contains("js-add-row")) {
      addRow(b.getAttribute("data-for"), true);
    }
  });
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) { return; }
    var rows = e.target instanceof HTMLElement ? e.target.closest(".rows") : null;
    if (!rows) { return; }
    // Inside a list, Ctrl+Enter adds a line; elsewhere it submits as on every page.
    e.preventDefault();
    e.stopPropagation();
    addRow(rows.getAttribute("data-list"), true);
  });
})();
