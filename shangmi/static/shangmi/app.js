/* Behaviour every page shares, bound from data attributes (the Content-Security-Policy allows no
 * inline script and no inline event handler; see shangmi/core/security.py):
 *
 *   <select data-autosubmit>              submits its form when changed
 *   <form data-confirm="Sure?">           asks before submitting
 *   <form data-ignore-change="region_q">  a change of that field does not reach htmx on the form
 *   <details class="region-picker" data-field="region">  closes (and submits with data-submit)
 *                                          once a region is chosen
 */
(function () {
  "use strict";

  document.addEventListener(
    "change",
    function (event) {
      var target = event.target;
      var form = target.form || (target.closest && target.closest("form"));
      if (form && form.dataset.ignoreChange && form.dataset.ignoreChange === target.name) {
        event.stopPropagation();
      }
    },
    true
  );

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
      return;
    }
    var picker = target.closest && target.closest("details.region-picker");
    if (picker && target.name === picker.dataset.field) {
      picker.open = false;
      if ("submit" in picker.dataset) {
        picker.closest("form").requestSubmit();
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });
})();
