// Breaking-news notifications: turned on and off by the reader's button.
// Nothing is asked on load: the browser's permission prompt appears only
// after a press of "Turn on notifications". Without a service worker, the
// Push API or notifications, the page keeps saying that this browser cannot
// receive them (and on an iPhone or iPad, how to add the portal to the home
// screen, the only way Safari allows them).
"use strict";
(function () {
  const form = document.querySelector("[data-push]");
  if (!form) {
    return;
  }
  const status = form.querySelector("[data-push-status]");
  const controls = form.querySelectorAll("[data-push-controls]");
  const turnOn = form.querySelector("[data-push-subscribe]");
  const turnOff = form.querySelector("[data-push-unsubscribe]");
  const ios = form.querySelector("[data-push-ios]");
  const text = form.dataset;
  const turnOnLabel = turnOn.textContent;

  const supported =
    "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  const appleMobile =
    /iPad|iPhone|iPod/.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  if (!supported) {
    if (appleMobile) {
      ios.hidden = false;
    }
    return;
  }

  // The portal's own refusal, in the reader's language, unlike the
  // browser's errors.
  class Refusal extends Error {}

  function say(message) {
    status.textContent = message;
  }

  function applicationServerKey() {
    const base64 = text.key.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  function chosenSections() {
    return Array.from(form.querySelectorAll("input[name=section]:checked"), (box) =>
      Number(box.value),
    );
  }

  function post(url, body) {
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
    }).then((response) =>
      response.json().then((data) => {
        if (!response.ok) {
          throw new Refusal(data.error || text.textFailed);
        }
        return data;
      }),
    );
  }

  // The sections this browser chose last, to show them checked next time
  // (the portal keeps them too, but cannot tell which browser is asking).
  const REMEMBERED = "wiesci-push-sections";

  function remember(sections) {
    try {
      localStorage.setItem(REMEMBERED, JSON.stringify(sections));
    } catch (error) {
      // Storage off: the boxes simply start unchecked next time.
    }
  }

  function recall() {
    let sections = [];
    try {
      sections = JSON.parse(localStorage.getItem(REMEMBERED) || "[]");
    } catch (error) {
      sections = [];
    }
    for (const box of form.querySelectorAll("input[name=section]")) {
      box.checked = sections.includes(Number(box.value));
    }
  }

  function showState(subscribed) {
    turnOff.hidden = !subscribed;
    turnOn.textContent = subscribed ? text.textSave : turnOnLabel;
  }

  async function existing() {
    const registration = await navigator.serviceWorker.getRegistration("/");
    return registration ? registration.pushManager.getSubscription() : null;
  }

  async function subscribe() {
    say(text.textWorking);
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say(text.textDenied);
      return;
    }
    await navigator.serviceWorker.register(text.worker, { scope: "/" });
    const registration = await navigator.serviceWorker.ready;
    const subscription =
      (await registration.pushManager.getSubscription()) ||
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: applicationServerKey(),
      }));
    const saved = await post(form.action, {
      subscription: subscription.toJSON(),
      sections: chosenSections(),
    });
    remember(saved.sections);
    showState(true);
    say(text.textSaved);
  }

  async function unsubscribe() {
    say(text.textWorking);
    const subscription = await existing();
    if (subscription) {
      await post(text.unsubscribe, { endpoint: subscription.endpoint });
      await subscription.unsubscribe();
    }
    showState(false);
    say(text.textOff);
  }

  function failed(error) {
    say(error instanceof Refusal ? error.message : text.textFailed);
  }

  for (const element of controls) {
    element.hidden = false;
  }
  say("");
  turnOn.addEventListener("click", () => subscribe().catch(failed));
  turnOff.addEventListener("click", () => unsubscribe().catch(failed));
  // Reading the current state asks the reader nothing.
  existing()
    .then((subscription) => {
      if (subscription && Notification.permission === "granted") {
        recall();
        showState(true);
        say(text.textOn);
      }
    })
    .catch(() => {});
})();
