// Django's autocomplete fields (select2 4.0) as WCAG wants them: the search box
// typed into gets the field's own label, and select2's list of chosen items,
// which also holds the search box, is not announced as a list of items. Select2
// redraws its widget on every choice, so the fix is reapplied on each redraw.
"use strict";

(() => {
  const labelOf = (container) => {
    const select = container.previousElementSibling;
    const label = select && select.labels && select.labels[0];
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  };

  const fix = () => {
    document.querySelectorAll(".select2-container").forEach((container) => {
      const name = labelOf(container);
      container.querySelectorAll(".select2-search__field").forEach((field) => {
        if (name && field.getAttribute("aria-label") !== name) {
          field.setAttribute("aria-label", name);
        }
      });
      container.querySelectorAll("ul.select2-selection__rendered").forEach((list) => {
        if (list.getAttribute("role") !== "none") list.setAttribute("role", "none");
        for (const item of list.children) {
          if (item.getAttribute("role") !== "none") item.setAttribute("role", "none");
        }
      });
    });
  };

  new MutationObserver(fix).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  document.addEventListener("DOMContentLoaded", fix);
})();
