// The callback queue's opt-in browser notifications: while the tab is in the background, the browser's own
// Notification API says that new requests came in. It says how many, never who: a notification may show
// on a locked screen. The choice is kept in this browser only; nothing goes to any other service.

(() => {
  const box = document.querySelector("[data-notify]");
  const button = document.querySelector("[data-notify-toggle]");
  const state = document.querySelector("[data-notify-state]");
  const counter = document.getElementById("new-count");
  if (!box || !button || !state || !counter || !("Notification" in window)) return;

  const KEY = "bodymap.notify-new-requests";
  const count = () => Number.parseInt(counter.textContent, 10) || 0;
  const chosen = () => {
    try {
      return window.localStorage.getItem(KEY) === "on";
    } catch {
      return false; // storage turned off: nothing is remembered, nothing is shown
    }
  };
  const remember = (on) => {
    try {
      if (on) window.localStorage.setItem(KEY, "on");
      else window.localStorage.removeItem(KEY);
    } catch {
      // storage turned off: the choice lasts for this page only
    }
  };
  let sessionChoice = chosen();
  const on = () => sessionChoice && Notification.permission === "granted";

  const show = (message) => {
    box.hidden = false;
    button.setAttribute("aria-pressed", on() ? "true" : "false");
    button.textContent = on() ? "Stop notifying me" : "Notify me of new requests";
    if (message) state.textContent = message;
    else if (Notification.permission === "denied") {
      state.textContent = "Your browser blocks notifications from this site. Allow them in its site settings first.";
    } else if (on()) {
      state.textContent = "On: while this tab is in the background, your browser tells you when new requests come in.";
    }
  };

  button.addEventListener("click", async () => {
    if (on()) {
      sessionChoice = false;
      remember(false);
      show("Off: this browser will not notify you.");
      return;
    }
    const permission = await Notification.requestPermission();
    sessionChoice = permission === "granted";
    remember(sessionChoice);
    show();
  });

  // The header's count changes when the queue polls (every 20 seconds); more than before means new requests.
  let last = count();
  new MutationObserver(() => {
    const now = count();
    if (now > last && document.hidden && on()) {
      const added = now - last;
      const note = new Notification(added === 1 ? "New callback request" : `${added} new callback requests`, {
        body: `${now} waiting in the queue.`,
        tag: "bodymap-new-requests", // one notification, replaced, however many polls bring news
      });
      note.addEventListener("click", () => {
        window.focus();
        note.close();
      });
    }
    last = now;
  }).observe(counter, { childList: true, characterData: true, subtree: true });

  show();
})();
