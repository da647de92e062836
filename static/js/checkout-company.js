// Billie (pay by invoice) is for businesses: its choice is enabled while the company name is filled
// in, and its hint hidden. The server checks the same again; without JavaScript the option stays
// disabled until the page comes back with a company name.
(function () {
  "use strict";
  var company = document.getElementById("id_company_name");
  var options = document.querySelectorAll('input[name="method"][data-needs-company]');
  if (!company || !options.length) return;

  function update() {
    // A letter or digit, as the server asks (shop.addresses.company_name_given): a dash or an
    // invisible character (zero-width space, soft hyphen) is no company name.
    var filled = /[\p{L}\p{N}]/u.test(company.value);
    Array.prototype.forEach.call(options, function (option) {
      option.disabled = !filled;
      if (!filled && option.checked) option.checked = false;
      var hint = document.getElementById(option.id + "-hint");
      if (hint) hint.hidden = filled;
    });
  }

  company.addEventListener("input", update);
  update();
})();
