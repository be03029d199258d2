// bodymap's loader for a clinic's page. Paste where the widget should go:
//   <div data-bodymap></div>
//   <script src="https://BODYMAP-HOST/embed.js" async></script>
// Options on the div: data-view="front|back", data-region="knee", data-side="left|right",
// data-accent="#1f4e79", data-title="...", data-lang="es" (the widget in Spanish; on the div or the script tag).
// The widget is an iframe that sizes itself to its content;
// the container gets "bodymap:region-selected" (detail: region, side), "bodymap:callback-opened" and
// "bodymap:list-changed" (detail: areas, each {region, side}: the pain list's areas, no scores, nothing typed).
// On a page whose origin is not in bodymap's EMBED_ORIGINS the browser refuses the frame: within a few seconds of
// it loading, the box becomes a plain link to the body map, and the console says which setting to change.
(() => {
  const script = document.currentScript;
  if (!script) return;
  const origin = new URL(script.src).origin;
  const STARTING_HEIGHT = 760;
  // Each language the widget speaks, with the start of its addresses (Spanish at /es/embed), and the frame's name
  // in each, for screen readers on the host page. Anything else in data-lang gets English.
  const LANGUAGES = { en: "", es: "/es" };
  const TITLES = { en: "Where's your pain? Body map", es: "¿Dónde le duele? Mapa del cuerpo" };
  const LINKS = { en: "Where's your pain? Open the body map", es: "¿Dónde le duele? Abra el mapa del cuerpo" };
  // A frame that works speaks (its size) before its load event; one the browser refused never does.
  const SILENCE_AFTER_LOAD_MS = 2000;
  const heard = new WeakSet();
  const languageOf = (container) => {
    const asked = String(container.dataset.lang || script.dataset.lang || "en").toLowerCase().split("-")[0];
    return Object.hasOwn(LANGUAGES, asked) ? asked : "en";
  };

  const frameUrl = (options, lang) => {
    const page = options.region ? `/embed/pain/${encodeURIComponent(options.region)}` : "/embed";
    const path = LANGUAGES[lang] + page;
    const query = new URLSearchParams({ host: window.location.origin });
    if (options.region && options.side) query.set("side", options.side);
    if (options.view) query.set("view", options.view);
    if (options.accent) query.set("accent", options.accent.replace(/^#/, ""));
    return `${origin}${path}?${query}`;
  };

  // The page the link opens instead of the widget: the region's, or the map, in the widget's language.
  const pageUrl = (options, lang) => {
    const page = options.region ? `/pain/${encodeURIComponent(options.region)}` : "/";
    return `${origin}${LANGUAGES[lang]}${page}`;
  };

  const linkInstead = (container, frame, lang) => {
    const paragraph = document.createElement("p");
    paragraph.className = "bodymap-fallback";
    const link = document.createElement("a");
    link.href = pageUrl(container.dataset, lang);
    link.textContent = LINKS[lang];
    paragraph.appendChild(link);
    frame.replaceWith(paragraph);
    console.warn(
      `bodymap: ${window.location.origin} may not show this widget, so it links to the body map instead. ` +
        `Add ${window.location.origin} to EMBED_ORIGINS on ${origin} (origins separated by spaces) and restart bodymap.`,
    );
  };

  const mount = (container) => {
    if (container.dataset.bodymapReady) return;
    container.dataset.bodymapReady = "true";
    const frame = document.createElement("iframe");
    const lang = languageOf(container);
    frame.addEventListener("load", () => {
      window.setTimeout(() => {
        if (!heard.has(frame) && frame.isConnected) linkInstead(container, frame, lang);
      }, SILENCE_AFTER_LOAD_MS);
    });
    frame.src = frameUrl(container.dataset, lang);
    frame.title = container.dataset.title || TITLES[lang];
    frame.loading = "lazy";
    frame.setAttribute("scrolling", "no");
    frame.dataset.bodymapFrame = "";
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.overflow = "hidden";
    frame.style.height = `${STARTING_HEIGHT}px`;
    container.appendChild(frame);
  };

  window.addEventListener("message", (event) => {
    if (event.origin !== origin || !event.data || event.data.source !== "bodymap") return;
    const frame = [...document.querySelectorAll("iframe[data-bodymap-frame]")]
      .find((candidate) => candidate.contentWindow === event.source);
    if (!frame) return;
    heard.add(frame);
    const container = frame.parentElement;
    const { type } = event.data;
    if (type === "resize") {
      const height = Number(event.data.height);
      if (height > 0 && height < 20000) frame.style.height = `${height}px`;
    } else if (type === "show-heading") {
      // The panel's heading after a tap: on a phone the panel sits below the map, often off screen. Bring it to the
      // top of the window, as the full site does, unless it is already in the window's top third.
      const top = Number(event.data.top);
      if (!(top >= 0 && top < 20000)) return;
      const onScreen = frame.getBoundingClientRect().top + top;
      if (onScreen >= 0 && onScreen <= window.innerHeight / 3) return;
      const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      window.scrollTo({ top: window.scrollY + onScreen - 8, behavior: still ? "auto" : "smooth" });
    } else if (type === "region-selected") {
      const detail = { region: String(event.data.region), side: event.data.side ? String(event.data.side) : null };
      container.dispatchEvent(new CustomEvent("bodymap:region-selected", { bubbles: true, detail }));
    } else if (type === "list-changed" && Array.isArray(event.data.areas)) {
      const areas = event.data.areas.slice(0, 10).map((a) => ({ region: String(a.region), side: a.side ? String(a.side) : null }));
      container.dispatchEvent(new CustomEvent("bodymap:list-changed", { bubbles: true, detail: { areas } }));
    } else if (type === "callback-opened") {
      container.dispatchEvent(new CustomEvent("bodymap:callback-opened", { bubbles: true, detail: {} }));
    }
  });

  const mountAll = () => document.querySelectorAll("[data-bodymap]").forEach(mount);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
