// Inside the widget's frame. It tells the host page (only the origin the server accepted from
// EMBED_ORIGINS, in data-host) how tall the widget is and which region was opened: the region's
// name and side, and which areas and sides are on the pain list, nothing else. After a tap it asks the host to
// bring the panel's heading into view (the frame cannot scroll its host; the full site scrolls itself the same
// way). It also switches between the front and back views without a reload.
(() => {
  const root = document.documentElement;
  const host = root.dataset.host;
  const framed = window.parent !== window;

  const send = (message) => {
    if (framed && host) window.parent.postMessage({ source: "bodymap", ...message }, host);
  };

  let lastHeight = 0;
  const reportHeight = () => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      send({ type: "resize", height });
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    new ResizeObserver(reportHeight).observe(document.body);
    reportHeight();
  });
  window.addEventListener("load", reportHeight);

  document.addEventListener("htmx:after:swap", (event) => {
    reportHeight();
    const article = document.querySelector("#region-panel > [data-region]");
    if (article && article.dataset.region) {
      send({ type: "region-selected", region: article.dataset.region, side: article.dataset.side || null });
    }
    // The panel's heading, where it sits in the frame: the host scrolls it into view when it is off screen.
    const target = event.detail && event.detail.ctx && event.detail.ctx.target;
    const heading = article && article.querySelector("#panel-heading");
    if (heading && target === article.parentElement) {
      send({ type: "show-heading", top: Math.round(heading.getBoundingClientRect().top + window.scrollY) });
    }
  });

  // The patient's pain list changed: the host hears which areas and sides are on it, never a score or a word.
  document.addEventListener("bodymap:list-changed", (event) => {
    const areas = (event.detail && event.detail.areas) || [];
    send({ type: "list-changed", areas: areas.map((a) => ({ region: String(a.region), side: a.side ? String(a.side) : null })) });
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-callback-link]")) send({ type: "callback-opened" });
    const switcher = event.target.closest("a[data-show-view]");
    if (!switcher) return;
    event.preventDefault();
    const view = switcher.dataset.showView;
    document.querySelector(".map").dataset.shown = view;
    for (const link of document.querySelectorAll("a[data-show-view]")) {
      if (link === switcher) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  });
})();
