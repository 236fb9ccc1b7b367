// The newsroom's gallery screen: drop files onto the upload zone, and click a
// photo to set its focal point. Without JavaScript the file inputs and the
// form fields (the focal point typed in per cent) still do everything.
"use strict";

// Files dropped onto `zone` go to `take(files)`; the zone is marked while a
// file is held over it.
const onDrop = (zone, take) => {
  ["dragenter", "dragover"].forEach((name) =>
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("is-dragging");
    }),
  );
  ["dragleave", "drop"].forEach((name) =>
    zone.addEventListener(name, () => zone.classList.remove("is-dragging")),
  );
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    take(event.dataTransfer.files);
  });
};

// An article not yet public: dropped or chosen files go up at once.
document.querySelectorAll("[data-dropzone]").forEach((form) => {
  const input = form.querySelector('input[type="file"]');
  onDrop(form, (files) => {
    if (!files.length) return;
    input.files = files;
    form.requestSubmit();
  });
  input.addEventListener("change", () => {
    if (input.files.length) form.requestSubmit();
  });
});

// A public article: each dropped or chosen file gets a row of its own, with
// a preview, to be described before anything is uploaded.
document.querySelectorAll("[data-described-upload]").forEach((form) => {
  const rows = form.querySelector("[data-rows]");
  const template = form.querySelector("[data-row-template]");
  const total = form.querySelector('input[name$="-TOTAL_FORMS"]');
  const zone = form.querySelector("[data-zone]");
  const picker = document.createElement("input");
  picker.type = "file";
  picker.accept = "image/*";
  picker.multiple = true;
  picker.setAttribute("aria-label", zone.querySelector("strong").textContent);
  zone.append(picker);
  zone.hidden = false;

  const fileInput = (row) => row.querySelector('input[type="file"]');
  // A row with a file needs its description: the browser says so before
  // sending, so no chosen file is lost to a refused form.
  const preview = (row, file) => {
    row.querySelector('input[name$="-alt_text"]').required = Boolean(file);
    const image = row.querySelector("[data-preview]");
    if (!file) {
      image.hidden = true;
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      image.src = reader.result;
      image.hidden = false;
    });
    reader.readAsDataURL(file);
  };
  const freeRow = () => {
    const free = [...rows.querySelectorAll("[data-row]")].find(
      (row) => !fileInput(row).files.length,
    );
    if (free) return free;
    const index = total.value;
    const fragment = template.content.cloneNode(true);
    const attributes = ["name", "id", "for", "aria-describedby"];
    fragment.querySelectorAll("*").forEach((element) => {
      attributes.forEach((attribute) => {
        const value = element.getAttribute(attribute);
        if (value) {
          element.setAttribute(attribute, value.replaceAll("__prefix__", index));
        }
      });
    });
    rows.append(fragment);
    total.value = Number(index) + 1;
    return rows.lastElementChild;
  };
  const add = (files) => {
    const placed = [...files].map((file) => {
      const row = freeRow();
      const transfer = new DataTransfer();
      transfer.items.add(file);
      fileInput(row).files = transfer.files;
      preview(row, file);
      return row;
    });
    if (placed.length) {
      placed[0].querySelector('input[name$="-alt_text"]').focus();
    }
  };

  picker.addEventListener("change", () => {
    add(picker.files);
    picker.value = "";
  });
  rows.addEventListener("change", (event) => {
    if (event.target.type === "file") {
      preview(event.target.closest("[data-row]"), event.target.files[0]);
    }
  });
  onDrop(form, add);
});

// The focal point: a click on the photo fills the two per-cent fields, and
// typing in them moves the marker.
document.querySelectorAll("[data-focal]").forEach((box) => {
  const item = box.closest(".gallery-item");
  const fieldX = item.querySelector('input[name$="-focal_x"]');
  const fieldY = item.querySelector('input[name$="-focal_y"]');
  const marker = box.querySelector(".gallery-item__marker");
  const percent = (field) =>
    Math.min(100, Math.max(0, parseFloat(field.value) || 0));
  const place = () => {
    marker.style.left = `${percent(fieldX)}%`;
    marker.style.top = `${percent(fieldY)}%`;
  };
  box.addEventListener("click", (event) => {
    const rect = box.getBoundingClientRect();
    const round = (value) => (Math.min(1, Math.max(0, value)) * 100).toFixed(1);
    fieldX.value = round((event.clientX - rect.left) / rect.width);
    fieldY.value = round((event.clientY - rect.top) / rect.height);
    place();
  });
  fieldX.addEventListener("input", place);
  fieldY.addEventListener("input", place);
  place();
});
