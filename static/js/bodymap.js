// After htmx swaps a region into the panel: mark the chosen circle and move focus to
// the panel's heading, so keyboard and screen-reader users land on what they asked for.
// (htmx sets the page title from the <title> the panel response carries.)
document.addEventListener("htmx:after:swap", () => {
  const article = document.querySelector("#region-panel > [data-region]");
  if (!article) return;
  const region = article.dataset.region;
  const side = article.dataset.side;
  for (const link of document.querySelectorAll("a[data-region]")) {
    const chosen = region !== "" && link.dataset.region === region && (side === "" || link.dataset.side === side);
    if (chosen) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
  const heading = article.querySelector("h2");
  if (heading) heading.focus();
});
