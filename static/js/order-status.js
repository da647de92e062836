// Keeps the thank-you page current while the payment is open or pending: polls the JSON status
// endpoint and reloads the page once the outcome is known (the server renders the right actions).
// Without JavaScript a meta refresh does the same.
(function () {
  "use strict";
  var box = document.getElementById("order-status");
  if (!box || box.dataset.keepPolling !== "true" || !window.fetch) return;
  var url = box.dataset.statusUrl;
  var title = document.getElementById("status-title");
  var message = document.getElementById("status-message");
  var spinner = document.getElementById("status-spinner");
  var started = Date.now();
  var MAX_MS = 15 * 60 * 1000;
  var delay = 2000;
  var timer = null;
  var busy = false;

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, ms);
  }

  function giveUp() {
    if (!spinner) return;
    spinner.classList.remove("spinner");
    spinner.textContent = box.dataset.reloadHint || "Reload this page to see the latest status.";
  }

  function poll() {
    if (Date.now() - started > MAX_MS) { giveUp(); return; }
    if (busy) return;
    busy = true;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        busy = false;
        if (status && !status.keep_polling) { window.location.reload(); return; }
        // Only write when the text changed, so the live region does not repeat itself.
        if (status && title.textContent !== status.title) title.textContent = status.title;
        if (status && message.textContent !== status.message) message.textContent = status.message;
        delay = Math.min(delay * 1.3, 10000);
        schedule(delay);
      })
      .catch(function () { busy = false; schedule(5000); });
  }

  // A shopper coming back to this tab (e.g. from the bank's app) sees the news at once.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { delay = 2000; schedule(0); }
  });
  schedule(delay);
})();
