// Sends the session's CSRF token with every htmx request, keeps the page to come
// back to after a language switch, and focuses search on "/".
document.addEventListener("htmx:configRequest", function (e) {
  var m = document.querySelector('meta[name="csrf-token"]');
  if (m && m.content) { e.detail.headers["X-CSRF-Token"] = m.content; }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".js-next").forEach(function (i) { i.value = location.pathname + location.search; });
});
document.addEventListener("keydown", function (e) {
  var t = e.target;
  if (e.key === "/" && !(t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement)) {
    var s = document.getElementById("global-search");
    if (s) { e.preventDefault(); s.focus(); }
  }
});
