/* Names for the admin widgets that Django's own scripts draw without one, so a screen reader can say what each is:
   the autocomplete boxes (select2) and the date and time halves of a date-time field. Runs after the admin's own
   scripts have drawn them (window load), and again for each inline row added. */
(function () {
  "use strict";

  function words(element) {
    return element ? element.textContent.replace(/\s+/g, " ").replace(/[:：]\s*$/, "").trim() : "";
  }

  function labelFor(id) {
    return id ? document.querySelector('label[for="' + id + '"]') : null;
  }

  function name(root) {
    root.querySelectorAll(".select2-selection, .select2-selection__rendered").forEach(function (box) {
      var container = box.closest(".select2");
      var select = container && container.previousElementSibling;
      var label = select && labelFor(select.id);
      if (!label) {
        return;
      }
      if (!label.id) {
        label.id = select.id + "-label";
      }
      // aria-labelledby outranks aria-label: point it at the field's own label (select2 points it at the box's
      // current text, which is empty until something is chosen).
      box.setAttribute("aria-labelledby", label.id);
      box.setAttribute("aria-label", words(label));
    });
    // SelectFilter's magnifying-glass icons carry an aria-label, which a plain span may not: they are pictures.
    root.querySelectorAll("span.search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    // A block that scrolls sideways (an inline table wider than a phone) must be reachable by keyboard to scroll it:
    // focusable, named by its heading, when nothing inside it takes the focus already.
    root.querySelectorAll(".inline-group, .inline-related, .results").forEach(function (block) {
      if (block.scrollWidth <= block.clientWidth || block.hasAttribute("tabindex")) {
        return;
      }
      if (block.querySelector("a[href], input:not([type=hidden]), select, textarea, button")) {
        return;
      }
      block.setAttribute("tabindex", "0");
      block.setAttribute("role", "region");
      block.setAttribute("aria-label", words(block.querySelector("h2")) || "表格（可左右滑动）");
    });
    root.querySelectorAll("p.datetime").forEach(function (line) {
      var inputs = line.querySelectorAll("input");
      if (inputs.length !== 2) {
        return;
      }
      var field = labelFor(inputs[0].id) || labelFor(inputs[0].id.replace(/_0$/, ""));
      var base = words(field);
      [["日期", inputs[0]], ["时间", inputs[1]]].forEach(function (pair) {
        if (!labelFor(pair[1].id) && !pair[1].getAttribute("aria-label")) {
          pair[1].setAttribute("aria-label", (base ? base + " · " : "") + pair[0]);
        }
      });
    });
  }

  window.addEventListener("load", function () { name(document); });
  // select2 may draw its boxes after the load event (jQuery's ready can fire late): name each box as it appears.
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === 1 && (node.matches(".select2") || node.querySelector(".select2"))) {
            name(node.parentNode || document);
          }
        });
      });
    }).observe(document.documentElement, {childList: true, subtree: true});
  }
  document.addEventListener("formset:added", function (event) { name(event.target); });
})();
