"""The body drawing: its size, the hand-drawn outlines, and where circles go.

The outlines in `static/svg/` are pictures only. The page lifts each file's
`<g id="outline">` into its own inline SVG (no extra request, drawn in the
first paint) and draws the circles from `regions.yaml` on top.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from markupsafe import Markup

WIDTH = 200
HEIGHT = 480
MARKER_RADIUS = 17  # 17 of 200 units stays over 24 CSS px when a view is 148 px wide (320 px phone)
SVG_NS = "http://www.w3.org/2000/svg"


def wrong_half(view: str, side: str, x: float) -> str | None:
    """Why a circle is on the wrong half of the picture, or None.

    On the front view the patient faces us, so their left is on our right;
    on the back view their left is on our left. Mixing these up is the most
    common mistake on paper body maps.
    """
    centre = WIDTH / 2
    if side == "centre":
        return None
    on_right_of_picture = x > centre
    should_be_right = (side == "left") == (view == "front")
    if on_right_of_picture != should_be_right or x == centre:
        half = "right" if should_be_right else "left"
        return f"puts a {side} circle on the wrong half: on the {view} view it belongs on the {half} of the picture"
    return None


def load_outline(path: Path) -> Markup:
    """The drawing group of one outline file, ready to inline in the page."""
    ET.register_namespace("", SVG_NS)
    root = ET.parse(path).getroot()
    view_box = root.get("viewBox", "").split()
    if view_box != ["0", "0", str(WIDTH), str(HEIGHT)]:
        raise ValueError(f"{path}: viewBox must be '0 0 {WIDTH} {HEIGHT}'")
    group = root.find(f"{{{SVG_NS}}}g[@id='outline']")
    if group is None:
        raise ValueError(f'{path}: needs a <g id="outline"> holding the drawing')
    del group.attrib["id"]  # both views sit on one page, and ids must be unique
    group.set("class", "outline")
    group.set("aria-hidden", "true")
    text = ET.tostring(group, encoding="unicode", short_empty_elements=True)
    return Markup(text.replace(f' xmlns="{SVG_NS}"', ""))


def load_outlines(static_folder: str | Path) -> dict[str, Markup]:
    folder = Path(static_folder) / "svg"
    return {view: load_outline(folder / f"{view}.svg") for view in ("front", "back")}


def label_anchor(x: float) -> tuple[str, float]:
    """Where a circle's name goes so that it stays inside the picture."""
    if x < WIDTH * 0.3:
        return "start", x - MARKER_RADIUS
    if x > WIDTH * 0.7:
        return "end", x + MARKER_RADIUS
    return "middle", x
