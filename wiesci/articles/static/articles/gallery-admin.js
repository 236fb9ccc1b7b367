// The newsroom's gallery screen: drop files onto the upload zone, and click a
// photo to set its focal point. Without JavaScript the file input and the
// form fields still do everything.
"use strict";

document.querySelectorAll("[data-dropzone]").forEach((form) => {
  const input = form.querySelector('input[type="file"]');
  ["dragenter", "dragover"].forEach((name) =>
    form.addEventListener(name, (event) => {
      event.preventDefault();
      form.classList.add("is-dragging");
    }),
  );
  ["dragleave", "drop"].forEach((name) =>
    form.addEventListener(name, () => form.classList.remove("is-dragging")),
  );
  form.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
  input.addEventListener("change", () => {
    if (input.files.length) form.requestSubmit();
  });
});

document.querySelectorAll("[data-focal]").forEach((box) => {
  const item = box.closest(".gallery-item");
  const fieldX = item.querySelector('input[name$="-focal_x"]');
  const fieldY = item.querySelector('input[name$="-focal_y"]');
  const marker = box.querySelector(".gallery-item__marker");
  const place = () => {
    marker.style.left = `${parseFloat(fieldX.value) * 100}%`;
    marker.style.top = `${parseFloat(fieldY.value) * 100}%`;
  };
  box.addEventListener("click", (event) => {
    const rect = box.getBoundingClientRect();
    const round = (value) => Math.min(1, Math.max(0, value)).toFixed(3);
    fieldX.value = round((event.clientX - rect.left) / rect.width);
    fieldY.value = round((event.clientY - rect.top) / rect.height);
    place();
  });
  place();
});
