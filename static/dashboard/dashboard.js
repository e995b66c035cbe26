// Small enhancements for the dashboard; every page also works without them.
(function () {
  "use strict";

  // A button with data-copy="<element id>" copies that element's text.
  function setUpCopyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        if (!source || !navigator.clipboard) {
          return;
        }
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          var label = button.textContent;
          button.textContent = button.dataset.copiedLabel || label;
          setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
    });
  }

  // A header checkbox with data-select-all="<name>" ticks every row checkbox of that name.
  function setUpSelectAll() {
    document.querySelectorAll("[data-select-all]").forEach(function (master) {
      var name = master.dataset.selectAll;
      master.addEventListener("change", function () {
        document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
          box.checked = master.checked;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpCopyButtons();
    setUpSelectAll();
  });
})();
