"""The body drawing: its size, the hand-drawn outlines, and where circles go.

The outlines in `static/svg/` are pictures only. The page lifts each file's
`<g id="outline">` into its own inline SVG (no extra request, drawn in the
first paint) and draws the circles from `regions.yaml` on top.
"""

from __future__ import annotations

import functools
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from bodymap.content import Marker, Region

WIDTH = 200
HEIGHT = 480
# The smallest tap area around a circle: 17 of 200 units stays over 24 CSS px when a view is
# 148 px wide (320 px phone). The content check keeps circle centres twice this apart.
MARKER_RADIUS = 17
# Where neighbours leave room, the tap area grows up to this: 44 CSS px once a view is 200 px wide.
HIT_RADIUS_MAX = 22
DOT_RADIUS = 7  # the visible dot: small enough that the kneecap or foot under it still shows
RING_RADIUS = DOT_RADIUS + 3.5  # the focus ring, drawn just outside the dot's white edge
LABEL_FONT = 13  # .spot-label's font-size in bodymap.css, in drawing units
LABEL_CHAR_WIDTH = 0.72  # a generous average width of one bold character, in font sizes
LABEL_HALO = 2  # half of the label's white outline, which must stay clear too
LABEL_GAP = 3  # between the dot's white edge and its name
SVG_NS = "http://www.w3.org/2000/svg"

Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Label:
    """Where a circle's name is drawn, and the box its text may fill."""

    x: float
    y: float  # the text's baseline
    anchor: str  # SVG text-anchor
    box: Box


@dataclass(frozen=True)
class Spot:
    """One circle on one view: its region, side, tap area and name."""

    region: Region
    marker: Marker
    side: str | None  # None for a centre circle, as the links and labels expect
    text: str
    hit_radius: float
    label: Label


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


def hit_radius(x: float, y: float, others: Iterable[tuple[float, float]]) -> float:
    """The tap area's radius: as big as the neighbours and the picture's edges leave room for."""
    room = min([x, WIDTH - x, y, HEIGHT - y] + [math.dist((x, y), o) / 2 for o in others])
    return max(MARKER_RADIUS, min(HIT_RADIUS_MAX, math.floor(room * 10) / 10))  # rounded down: never touching


def label_box(text: str, x: float, y: float, anchor: str) -> Box:
    """The box a label's text may fill, from its length, with room for its white outline."""
    width = len(text) * LABEL_FONT * LABEL_CHAR_WIDTH
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    top, bottom = y - 0.85 * LABEL_FONT, y + 0.25 * LABEL_FONT
    return (left - LABEL_HALO, top - LABEL_HALO, left + width + LABEL_HALO, bottom + LABEL_HALO)


def box_distance(box: Box, x: float, y: float) -> float:
    """How far a point is from a box (0 inside it)."""
    left, top, right, bottom = box
    return math.hypot(max(left - x, 0, x - right), max(top - y, 0, y - bottom))


def in_picture(box: Box) -> bool:
    """Whether a box lies wholly inside the drawing."""
    left, top, right, bottom = box
    return left >= 0 and top >= 0 and right <= WIDTH and bottom <= HEIGHT


def _label_candidates(text: str, x: float, y: float) -> Iterable[Label]:
    """Places for a name around its dot, the usual ones (above, below, right, left) first."""
    width = len(text) * LABEL_FONT * LABEL_CHAR_WIDTH
    clear = DOT_RADIUS + LABEL_GAP + LABEL_HALO
    above = y - clear - 0.25 * LABEL_FONT
    below = y + clear + 0.85 * LABEL_FONT
    middle = y + 0.3 * LABEL_FONT

    def place(left: float, baseline: float, anchor: str) -> Label:
        """A label whose text starts at `left`, pushed inwards where it would leave the picture.

        Pushed in, it is tied to the edge nearer its dot, so a name shorter than the guess
        still starts (or ends) close to the dot.
        """
        inside = min(max(left, LABEL_HALO), WIDTH - LABEL_HALO - width)
        if inside != left:
            anchor = "start" if x < WIDTH / 2 else "end"
        lx = {"start": inside, "middle": inside + width / 2, "end": inside + width}[anchor]
        return Label(lx, baseline, anchor, label_box(text, lx, baseline, anchor))

    def centred(baseline: float) -> Label:
        return place(x - width / 2, baseline, "middle")

    def right(baseline: float) -> Label:
        return place(x + clear, baseline, "start")

    def left(baseline: float) -> Label:
        return place(x - clear - width, baseline, "end")

    yield centred(above)
    yield centred(below)
    yield right(middle)
    yield left(middle)
    for step in range(1, 80):  # then further up and down, or beside and higher or lower
        for dy in (-step, step):
            yield centred((above if dy < 0 else below) + dy)
            yield right(middle + dy)
            yield left(middle + dy)


def label_position(text: str, x: float, y: float, others: Sequence[tuple[float, float, float]]) -> Label:
    """Where a circle's name goes: inside the picture and clear of every other circle's tap area.

    It sits next to its own dot where it can; where neighbours leave no room, it may cover
    the edge of its own dot rather than wander off towards another circle.
    """
    best: tuple[float, int] | None = None
    chosen = None
    for order, label in enumerate(_label_candidates(text, x, y)):
        if not in_picture(label.box):
            continue
        if any(box_distance(label.box, ox, oy) < r for ox, oy, r in others):
            continue
        distance = box_distance(label.box, x, y)
        covers = max(0.0, DOT_RADIUS + LABEL_GAP - distance)  # how far it reaches into its own dot
        score = (round(distance + 4 * covers, 1), order)  # near its dot, hiding as little of it as it can
        if best is None or score < best:
            best, chosen = score, label
            if covers == 0 and order < 4:
                break  # one of the usual places is free
    if chosen is None:
        raise ValueError(f"no room for the label {text!r} at ({x}, {y})")
    return chosen


def spots(markers: Sequence[tuple[Region, Marker]]) -> list[Spot]:
    """Every circle of one view, with its tap area and where its name goes."""
    named = []
    for region, marker in markers:
        side = None if marker.side == "centre" else marker.side
        named.append((region, marker, side, region.label(side)))
    layout = _layout(tuple((text, marker.x, marker.y) for _, marker, _, text in named))
    return [Spot(*circle, radius, label) for circle, (radius, label) in zip(named, layout, strict=True)]


@functools.lru_cache(maxsize=32)
def _layout(circles: tuple[tuple[str, float, float], ...]) -> tuple[tuple[float, Label], ...]:
    """Tap areas and label places for one view's circles, worked out once per content."""
    centres = [(x, y) for _, x, y in circles]
    radii = [hit_radius(x, y, centres[:i] + centres[i + 1 :]) for i, (x, y) in enumerate(centres)]
    layout = []
    for i, (text, x, y) in enumerate(circles):
        others = [(cx, cy, r) for j, ((cx, cy), r) in enumerate(zip(centres, radii, strict=True)) if j != i]
        layout.append((radii[i], label_position(text, x, y, others)))
    return tuple(layout)
