// Keeps the thank-you page current while the payment is open or pending: polls the JSON status
// endpoint and reloads the page once the outcome is known. Without JavaScript a meta refresh does it.
(function () {
  var box = document.getElementById("order-status");
  if (!box || box.dataset.keepPolling !== "true") return;
  var url = box.dataset.statusUrl;
  var started = Date.now();
  var MAX_MS = 15 * 60 * 1000;
  var delay = 2000;

  function poll() {
    if (Date.now() - started > MAX_MS) return;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && !status.keep_polling) { window.location.reload(); return; }
        if (status) {
          document.getElementById("status-title").textContent = status.title;
          document.getElementById("status-message").textContent = status.message;
        }
        delay = Math.min(delay * 1.3, 10000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, delay);
})();
