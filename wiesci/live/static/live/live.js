// Live coverage: new updates appear without a reload. The page asks the
// coverage's poll address every POLL_MS while it is visible, without
// cookies, so the page cache (or a proxy) answers every reader with the same
// copy, a 304 while nothing changed. Without JavaScript the page still shows
// every update as of its load.
"use strict";
(function () {
  const POLL_MS = 15000;
  const box = document.querySelector("[data-live-poll]");
  if (!box || box.dataset.live !== "1") {
    return;
  }
  const list = box.querySelector("[data-live-updates]");
  const facts = box.querySelector("[data-live-facts]");
  const status = box.querySelector("[data-live-status]");
  let timer = null;
  let busy = false;
  let last = "";

  function element(html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content.firstElementChild;
  }

  function apply(data) {
    const shown = new Map();
    for (const item of list.querySelectorAll("[data-id]")) {
      shown.set(item.dataset.id, item);
    }
    const fresh = new Set(data.updates.map((update) => String(update.id)));
    // What the answer covers reaches back to its oldest update; a shown one
    // in that span but missing from it was deleted.
    const oldest = data.updates.length
      ? Number(element(data.updates[data.updates.length - 1].html).dataset.at)
      : Infinity;
    for (const [id, item] of shown) {
      if (!fresh.has(id) && Number(item.dataset.at) >= oldest) {
        item.remove();
      }
    }
    let added = 0;
    let before = list.firstElementChild;
    for (const update of data.updates) {
      const id = String(update.id);
      const item = element(update.html);
      const old = shown.get(id);
      if (old) {
        // Marked new on an earlier turn: the same update all the same.
        if (old.outerHTML.replace(" live__update--new", "") === item.outerHTML) {
          before = old.nextElementSibling;
          continue;
        }
        old.replaceWith(item);
      } else {
        item.classList.add("live__update--new");
        list.insertBefore(item, before);
        added += 1;
      }
      before = item.nextElementSibling;
    }
    facts.innerHTML = data.facts;
    status.textContent = data.status;
    if (!data.live) {
      box.dataset.live = "0";
      box.classList.remove("live--on");
    }
    if (added) {
      document.dispatchEvent(new CustomEvent("wiesci:live", { detail: added }));
    }
  }

  async function poll() {
    timer = null;
    if (busy) {
      return;
    }
    busy = true;
    try {
      // "no-cache": the browser revalidates its copy (If-None-Match), so an
      // unchanged coverage costs a 304 and no body.
      const response = await fetch(box.dataset.livePoll, {
        cache: "no-cache",
        credentials: "omit",
      });
      const text = response.ok ? await response.text() : last;
      if (text !== last) {
        last = text;
        apply(JSON.parse(text));
      }
    } catch (error) {
      // Offline for a moment: try again at the next turn.
    } finally {
      busy = false;
      schedule();
    }
  }

  function schedule() {
    if (timer === null && box.dataset.live === "1" && !document.hidden) {
      timer = setTimeout(poll, POLL_MS);
    }
  }

  // A reader coming back to the tab gets what changed at once.
  document.addEventListener("visibilitychange", function () {
    clearTimeout(timer);
    timer = null;
    if (!document.hidden) {
      poll();
    }
  });
  schedule();
})();
