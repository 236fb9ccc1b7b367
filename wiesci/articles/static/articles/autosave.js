// Autosave: every 20 seconds, if the title, lead or body changed, send them to
// the server, which keeps a draft up to date (or, for a public article, a
// revision only). The editor sees when the last autosave happened.
"use strict";

(() => {
  const status = document.getElementById("autosave");
  const form = status && status.closest("form");
  if (!form) return;
  const fields = ["title", "lead", "body"];
  const current = () => fields.map((name) => (form.elements[name] || {}).value || "");
  let saved = JSON.stringify(current());

  async function autosave() {
    const values = current();
    const snapshot = JSON.stringify(values);
    if (snapshot === saved) return;
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    fields.forEach((name, i) => data.append(name, values[i]));
    try {
      const response = await fetch(status.dataset.url, { method: "POST", body: data, credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status);
      const answer = await response.json();
      saved = snapshot;
      status.textContent = `${status.dataset.label || "Zapisano automatycznie"}: ${answer.saved}`;
    } catch (error) {
      status.textContent = "Autozapis nie powiódł się; zapisz artykuł ręcznie.";
    }
  }
  setInterval(autosave, 20000);
})();
