// The title as readers will see it, with the markers the system adds (labels
// before it, [FOTO]/[WIDEO] after it), kept up to date while the title is typed.
"use strict";

(() => {
  const preview = document.getElementById("title-preview");
  const title = document.getElementById("id_title");
  if (!preview || !title) return;
  const text = preview.querySelector(".title-preview__text");
  const { before, after } = preview.dataset;
  const show = () => {
    text.textContent = [before, title.value.trim(), after].filter(Boolean).join(" ");
  };
  title.addEventListener("input", show);
  show();
})();
