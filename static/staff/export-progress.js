// Keeps an export's progress current: every 3 s it fetches this page again and puts the new
// progress in place (a live region, so screen readers hear it), until the export is done or
// failed. Without JavaScript a meta refresh in <noscript> reloads the page instead; a meta
// refresh for everyone would reload under a screen reader's feet (WCAG 2.2.1, axe meta-refresh).
(function () {
  "use strict";
  var section = document.getElementById("export");
  if (!section || !window.fetch || !window.DOMParser) return;

  function running() {
    return section.dataset.status === "queued" || section.dataset.status === "running";
  }

  function poll() {
    if (!running()) return;
    window
      .fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("export");
        if (fresh) {
          section.innerHTML = fresh.innerHTML;
          section.dataset.status = fresh.dataset.status;
        }
      })
      .catch(function () {
        // A lost connection: the next tick tries again.
      })
      .then(function () {
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 3000);
})();
