// The map's manners after htmx swaps a region into the panel, and the phone's call bar.
// (htmx sets the page title from the <title> the panel response carries.)

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
const phone = window.matchMedia("(max-width: 51.99rem)");

// "Ver en español" at the top of the page, for a browser that prefers Spanish to the page's language (it comes
// first in navigator.languages). The page itself is the same for everyone; only this decides to show the link.
for (const offer of document.querySelectorAll("[data-suggest-language]")) {
  const wanted = offer.dataset.suggestLanguage;
  const page = document.documentElement.lang;
  const preferred = (navigator.languages || [navigator.language])
    .map((tag) => String(tag).toLowerCase().split("-")[0])
    .find((lang) => lang === wanted || lang === page);
  offer.hidden = preferred !== wanted;
}

// Mark the chosen circle and list link, bring the panel's heading to the top of the screen and move
// focus there, so every patient lands on what they asked for (on a phone the panel is below the map).
document.addEventListener("htmx:after:swap", (event) => {
  const target = event.detail && event.detail.ctx && event.detail.ctx.target;
  const article = document.querySelector("#region-panel > [data-region]");
  if (!article || target !== article.parentElement) return;
  const region = article.dataset.region;
  const side = article.dataset.side;
  for (const link of document.querySelectorAll("a[data-region]")) {
    const chosen = region !== "" && link.dataset.region === region && (side === "" || link.dataset.side === side);
    if (chosen) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
  const heading = article.querySelector("h2");
  if (!heading) return;
  heading.focus({ preventScroll: true });
  // In the widget the frame is as tall as its content and cannot scroll; the host page scrolls when the frame asks
  // (embed-frame.js), and a scroll started here would fight it.
  if (!document.documentElement.classList.contains("embedded")) {
    heading.scrollIntoView({ block: "start", behavior: reducedMotion.matches ? "auto" : "smooth" });
  }
  callBar.update();
});

// "Back to the map" returns focus to the circle the patient tapped (the link itself jumps to the map).
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-back-to-map]");
  if (!link) return;
  const circle = document.querySelector("svg[data-view] a[aria-current]");
  if (!circle || circle.getClientRects().length === 0) return;
  event.preventDefault();
  circle.focus({ preventScroll: true });
  circle.scrollIntoView({ block: "center", behavior: reducedMotion.matches ? "auto" : "smooth" });
});

// The call bar shows on phones while a region is open and nothing else on screen offers a way to book
// or to pick a region: never over the map, the region list, the booking section or the page footer.
const callBar = {
  bar: document.querySelector("[data-call-bar]"),
  inView: new Set(),
  observer: null,
  measured: false, // nothing is shown until the observer has reported where everything is

  start() {
    if (!this.bar) return;
    this.observer = new IntersectionObserver((entries) => {
      this.measured = true;
      for (const entry of entries) {
        if (entry.isIntersecting) this.inView.add(entry.target);
        else this.inView.delete(entry.target);
      }
      this.show();
    });
    this.update();
    phone.addEventListener("change", () => this.show());
  },

  // Watch the elements of the region now in the panel; point the bar's form link at that region.
  update() {
    if (!this.observer) return;
    this.observer.disconnect();
    this.inView.clear();
    this.measured = false;
    const watched = [
      "#body-map",
      ".region-list",
      ".site-footer",
      "#region-panel [data-section='booking']",
    ];
    for (const selector of watched) {
      const element = document.querySelector(selector);
      if (element) this.observer.observe(element);
    }
    const formLink = document.querySelector("#region-panel [data-section='booking'] a[href*='/callback']");
    if (formLink) this.bar.querySelector("[data-call-bar-callback]").href = formLink.href;
    this.show();
  },

  show() {
    const regionOpen = document.querySelector("#region-panel > article.region") !== null;
    const visible = this.measured && phone.matches && regionOpen && this.inView.size === 0;
    this.bar.hidden = !visible;
    document.documentElement.classList.toggle("has-call-bar", visible);
  },
};
callBar.start();

// The pain list. It is kept in this tab only (sessionStorage: never a cookie, a URL or the server) as the
// list form's `areas-N-*` fields; the server redraws the list from what the tab posts and keeps nothing.
const painList = {
  KEY: "bodymap:pain-list",
  status: document.querySelector("[data-pain-list-status]"),
  sent: "",

  // Where the browser refuses storage (a framed widget whose host is another site, in some browsers), the list
  // lives in this page's memory: htmx swaps panels without a reload, so it still follows the patient around.
  memory: null,

  read() {
    try {
      const pairs = this.memory || JSON.parse(sessionStorage.getItem(this.KEY) || "[]");
      return Array.isArray(pairs) ? pairs.filter((pair) => Array.isArray(pair) && pair.length === 2) : [];
    } catch {
      return [];
    }
  },

  write(pairs) {
    try {
      if (pairs.length) sessionStorage.setItem(this.KEY, JSON.stringify(pairs));
      else sessionStorage.removeItem(this.KEY);
      this.memory = null;
    } catch {
      this.memory = pairs;
    }
    this.draw();
  },

  fromForm(form) {
    return [...new FormData(form)].filter(([name]) => /^areas-\d+-/.test(name)).map(([n, v]) => [n, String(v)]);
  },

  // [{region, side, pain}] in list order.
  areas(pairs = this.read()) {
    const byIndex = new Map();
    for (const [name, value] of pairs) {
      const [, index, field] = name.match(/^areas-(\d+)-(\w+)$/) || [];
      if (!index) continue;
      if (!byIndex.has(index)) byIndex.set(index, { region: "", side: "", pain: "" });
      if (field in byIndex.get(index)) byIndex.get(index)[field] = value;
    }
    return [...byIndex.values()].filter((area) => area.region);
  },

  // Fill in the listed circles with their scores; say it in each circle's name too.
  draw() {
    const areas = this.areas();
    for (const link of document.querySelectorAll("svg[data-view] a.spot")) {
      const side = link.dataset.side === "centre" ? "" : link.dataset.side;
      const area = areas.find((a) => a.region === link.dataset.region && (a.side === side || a.side === ""));
      link.querySelector(".spot-mark")?.remove();
      const label = link.querySelector(".spot-label");
      const name = label ? label.textContent : link.getAttribute("aria-label");
      link.classList.toggle("spot-listed", Boolean(area));
      if (!area) {
        link.setAttribute("aria-label", name);
        continue;
      }
      const dot = link.querySelector(".spot-dot");
      const svg = "http://www.w3.org/2000/svg";
      const mark = document.createElementNS(svg, "g");
      mark.setAttribute("class", "spot-mark");
      const circle = document.createElementNS(svg, "circle");
      for (const attribute of ["cx", "cy"]) circle.setAttribute(attribute, dot.getAttribute(attribute));
      circle.setAttribute("r", "13");
      mark.appendChild(circle);
      if (area.pain !== "") {
        const score = document.createElementNS(svg, "text");
        score.setAttribute("x", dot.getAttribute("cx"));
        score.setAttribute("y", dot.getAttribute("cy"));
        score.setAttribute("text-anchor", "middle");
        score.setAttribute("dominant-baseline", "central");
        score.textContent = area.pain;
        mark.appendChild(score);
      }
      link.insertBefore(mark, label);
      // "on your list" and "7 of 10" in the page's language: the map carries the words.
      const words = link.closest(".map").dataset;
      const score = area.pain !== "" ? `, ${words.scoreWords.replace("{score}", area.pain)}` : "";
      link.setAttribute("aria-label", `${name}, ${words.listedWords}${score}`);
    }
    const shown = document.querySelector("#region-panel [data-pain-list]") !== null;
    for (const form of document.querySelectorAll("[data-pain-list-open]")) {
      form.hidden = areas.length === 0 || shown;
      form.querySelector("[data-pain-list-count]").textContent = String(areas.length);
    }
    // The host page of the widget hears of a new set of areas (names and sides only; embed-frame.js sends it).
    const now = JSON.stringify(areas.map(({ region, side }) => ({ region, side: side || null })));
    if (now !== this.sent) {
      const first = this.sent === "";
      this.sent = now;
      if (!first) document.dispatchEvent(new CustomEvent("bodymap:list-changed", { detail: { areas: JSON.parse(now) } }));
    }
  },

  // The list the server just drew is the tab's list now; its message is said aloud.
  adopt() {
    const form = document.querySelector("#pain-list-form");
    if (!form) return false;
    if (!form.closest("[data-pain-list-posted]")) {
      // The list's own address, opened without a list: show the tab's list, if it has one.
      const open = document.querySelector("[data-pain-list-open]");
      if (this.read().length && open) open.requestSubmit();
      return true;
    }
    this.write(this.fromForm(form));
    const message = document.querySelector("[data-pain-list-message]");
    if (this.status) {
      this.status.textContent = "";
      if (message) setTimeout(() => { this.status.textContent = message.textContent; }, 50);
    }
    return true;
  },

  start() {
    for (const button of document.querySelectorAll("[data-print]")) {
      button.hidden = false;
      button.addEventListener("click", () => window.print());
    }
    // The visit sheet is drawn from the list it was sent (it opens in a tab of its own): leave it as it is.
    if (document.querySelector("[data-pain-list-sheet]")) return;
    this.sent = JSON.stringify(this.areas().map(({ region, side }) => ({ region, side: side || null })));
    if (!this.adopt()) this.draw();
    // A form that takes the list somewhere (add, show, print, callback) carries the tab's latest list.
    document.addEventListener("submit", (event) => {
      const form = event.target.closest("form[data-pain-list-carry]");
      if (!form) return;
      for (const copy of form.querySelectorAll("[data-list-copy]")) copy.remove();
      for (const [name, value] of this.read()) {
        const input = document.createElement("input");
        Object.assign(input, { type: "hidden", name, value });
        input.dataset.listCopy = "";
        form.appendChild(input);
      }
    }, true);
    // A score or word changed in the list counts at once (the circles follow), saved or not.
    for (const type of ["change", "input"]) {
      document.addEventListener(type, (event) => {
        const form = event.target.closest && event.target.closest("#pain-list-form");
        if (form && /^areas-\d+-/.test(event.target.name || "")) this.write(this.fromForm(form));
      });
    }
    document.addEventListener("htmx:after:swap", () => {
      if (!this.adopt()) this.draw();
    });
    window.addEventListener("pageshow", () => this.draw());
  },
};
painList.start();
