// The body editor's "Browse…" window: a click on a gallery photo hands its
// address, alternative text and caption to the image dialog that opened this
// window (django-prose-editor's picker protocol), then closes the window.
"use strict";

(() => {
  const number = new URLSearchParams(window.location.search).get("CKEditorFuncNum");
  const target = window.opener && window.opener.CKEDITOR && window.opener.CKEDITOR.tools;
  document.querySelectorAll(".image-picker__choice").forEach((button) => {
    button.addEventListener("click", () => {
      if (!target || number === null) return;
      target.callFunction(number, button.dataset.src, {
        alternative_text: button.dataset.alt,
        caption: button.dataset.caption,
      });
      window.close();
    });
  });
})();
