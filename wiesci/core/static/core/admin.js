// Give the rich-text editor's editable area the name of its field, as screen
// readers announce it; the editor builds that area after the page loads.
"use strict";

function nameEditors(root) {
  root.querySelectorAll(".tiptap[contenteditable]:not([aria-label]):not([aria-labelledby])").forEach((area) => {
    const row = area.closest(".form-row");
    const label = row && row.querySelector("label");
    if (!label) return;
    if (!label.id) label.id = `etykieta-${Math.random().toString(36).slice(2)}`;
    area.setAttribute("aria-labelledby", label.id);
  });
}

nameEditors(document);
new MutationObserver(() => nameEditors(document)).observe(document.documentElement, {
  childList: true,
  subtree: true,
});
