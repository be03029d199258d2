// The map's manners after htmx swaps a region into the panel, and the phone's call bar.
// (htmx sets the page title from the <title> the panel response carries.)

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
const phone = window.matchMedia("(max-width: 51.99rem)");

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
  heading.scrollIntoView({ block: "start", behavior: reducedMotion.matches ? "auto" : "smooth" });
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
