// Sends the session's CSRF token with every htmx request, keeps the page to come
// back to after a language switch, resets a quick form only after its own
// successful request, and gives the keyboard its shortcuts ("/" and Ctrl+K for
// search, Ctrl+Enter to submit a form).
document.addEventListener("htmx:configRequest", function (e) {
  var m = document.querySelector('meta[name="csrf-token"]');
  if (m && m.content) { e.detail.headers["X-CSRF-Token"] = m.content; }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".js-next").forEach(function (i) { i.value = location.pathname + location.search; });
  // A list filtered as one types (a long list of sites): hides what does not match.
  document.querySelectorAll("input.js-filter").forEach(function (input) {
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      document.querySelectorAll(input.getAttribute("data-filter")).forEach(function (li) {
        li.hidden = q !== "" && li.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });
  var toggle = document.getElementById("menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = document.body.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
});

// "Now" in the browser's clock, as a datetime-local value.
function bilanNowLocal() {
  var d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

// A form marked data-confirm asks before it is sent (deleting a record): the
// Content-Security-Policy allows no inline handler, so the question lives here.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
    if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
  }
});

// A form marked data-reset-on-success is reset only when the request that ended
// is the form's own: a contact picker's type-ahead inside it bubbles the same
// event, and resetting then erased what was typed.
document.addEventListener("htmx:afterRequest", function (e) {
  var form = e.detail.elt;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-reset-on-success")) { return; }
  if (!e.detail.successful) { return; }
  form.reset();
  form.querySelectorAll("[data-errors]").forEach(function (x) { x.innerHTML = ""; });
  form.querySelectorAll("input[type=datetime-local][data-now]").forEach(function (x) { x.value = bilanNowLocal(); });
  var ok = form.getAttribute("data-saved");
  var toasts = document.getElementById("toasts");
  if (ok && toasts) {
    var t = document.createElement("div");
    t.className = "toast";
    t.setAttribute("role", "status");
    t.textContent = ok;
    toasts.innerHTML = "";
    toasts.appendChild(t);
  }
  var first = form.querySelector("[data-first]");
  if (first) { first.focus(); }
});

// The search box's suggestions close when the box is left or on Escape.
document.addEventListener("focusout", function (e) {
  if (e.target && e.target.id === "global-search") {
    setTimeout(function () {
      var box = document.getElementById("suggest");
      if (box && !box.contains(document.activeElement)) { box.innerHTML = ""; }
    }, 200);
  }
});

// Toasts fade after a while; an error stays until the next request.
document.addEventListener("htmx:afterSettle", function () {
  var t = document.querySelector("#toasts .toast:not(.error)");
  if (t) { setTimeout(function () { if (t.parentNode) { t.parentNode.removeChild(t); } }, 6000); }
});

document.addEventListener("keydown", function (e) {
  var t = e.target;
  var typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;
  if ((e.key === "/" && !typing) || (e.key === "k" && (e.ctrlKey || e.metaKey))) {
    var s = document.getElementById("global-search");
    if (s) { e.preventDefault(); s.focus(); s.select(); }
    return;
  }
  if (e.key === "Escape") {
    var box = document.getElementById("suggest");
    if (box) { box.innerHTML = ""; }
  }
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.form) {
    e.preventDefault();
    t.form.requestSubmit();
  }
});

// A print button (the account plan): no inline handler under the CSP.
document.addEventListener("click", function (e) {
  var b = e.target;
  if (b instanceof HTMLElement && b.classList.contains("js-print")) { window.print(); }
});
