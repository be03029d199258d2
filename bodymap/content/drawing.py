"""The body drawing: its size, the hand-drawn outlines and areas, and where the dots and names go.

The files in `static/svg/` are drawings only. The page lifts each file's `<g id="outline">` into its
own inline SVG (no extra request, drawn in the first paint), with the silhouette's `<clipPath>`. Each
file's `<g id="areas">` holds one polygon per region and side: the part of the body that region takes,
so a tap anywhere on the body opens a region. The areas tile the picture and are cut to the silhouette
on the page. The regions come from `regions.yaml`: each marker is a small red dot inside its area,
and a region the drawing has no area for keeps a clear circle around its dot that takes the tap.
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
VIEWS = ("front", "back")
SIDES = ("left", "right", "centre")
# The smallest tap area around a circle of a region that has no area drawn: 17 of 200 units stays over 24 CSS px
# when a view is 148 px wide (320 px phone). Every marker keeps this far from the picture's edges.
MARKER_RADIUS = 17
# Where neighbours leave room, the tap area grows up to this: 44 CSS px once a view is 200 px wide.
HIT_RADIUS_MAX = 22
DOT_RADIUS = 7  # the visible dot: small enough that the kneecap or foot under it still shows
DOT_EDGE = 1  # the half of the dot's white outline that lies outside it
# How far apart two dots' centres must be: their white edges never touch, with 2 units of the drawing between.
DOTS_APART = 2 * (DOT_RADIUS + DOT_EDGE) + 2
LABEL_FONT = 13  # .spot-label's font-size in bodymap.css, in drawing units
LABEL_CHAR_WIDTH = 0.75  # a generous average width of one bold character, in font sizes
LABEL_HALO = 2  # half of the label's white outline, which must stay clear too
LABEL_GAP = 3  # between the dot's white edge and its name
LABEL_LINE = 1.15 * LABEL_FONT  # from one line of a name to the next
# The most characters of a name drawn on one line across the picture; a longer name takes two lines.
LABEL_CHARACTERS = int((WIDTH - 2 * LABEL_HALO) / (LABEL_FONT * LABEL_CHAR_WIDTH))
SVG_NS = "http://www.w3.org/2000/svg"

Box = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]


@dataclass(frozen=True)
class Label:
    """Where a marker's name is drawn (on one line, or two when it is too long for one), and the box it may fill."""

    x: float
    y: float  # the first line's baseline
    anchor: str  # SVG text-anchor
    box: Box
    lines: tuple[str, ...]
    line_height: float = LABEL_LINE


@dataclass(frozen=True)
class Area:
    """The part of the body one region and side takes on one view: polygons in drawing units."""

    region: str
    side: str  # left, right or centre, as the patient says it
    polygons: tuple[tuple[Point, ...], ...]

    @functools.cached_property
    def d(self) -> str:
        """The SVG path of the polygons: lean, with whole or one-decimal numbers as the file writes them."""
        return "".join(
            "M" + " ".join(f"{_number(x)},{_number(y)}" for x, y in polygon) + "Z" for polygon in self.polygons
        )

    def contains(self, x: float, y: float) -> bool:
        """Whether a point lies inside the area (even-odd across its polygons)."""
        inside = False
        for polygon in self.polygons:
            for (x1, y1), (x2, y2) in zip(polygon, polygon[-1:] + polygon[:-1], strict=True):
                if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                    inside = not inside
        return inside


@dataclass(frozen=True)
class View:
    """One view of the body as the page draws it: its outline, its silhouette to cut areas to, and its areas."""

    name: str
    outline: Markup
    clip: Markup  # the <clipPath> of the silhouette, to go in the inline SVG's <defs>
    clip_id: str
    areas: dict[tuple[str, str], Area]  # by (region slug, side)


@dataclass(frozen=True)
class Spot:
    """One region's marker on one view: its region, side, the area that takes the tap, its dot and its name."""

    region: Region
    marker: Marker
    side: str | None  # None for a centre marker, as the links and labels expect
    text: str
    area: Area | None  # None when the drawing has no area for it: its clear circle takes the tap
    hit_radius: float
    label: Label


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


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


def _element(root: ET.Element, path: Path, tag: str, id_: str, what: str) -> ET.Element:
    found = root.find(f".//{{{SVG_NS}}}{tag}[@id='{id_}']")
    if found is None:
        raise ValueError(f'{path}: needs a <{tag} id="{id_}"> holding {what}')
    return found


def _markup(element: ET.Element) -> Markup:
    text = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return Markup(text.replace(f' xmlns="{SVG_NS}"', ""))


def _points(path: Path, polygon: ET.Element) -> tuple[Point, ...]:
    """A polygon's points, as numbers; at least three, inside the picture."""
    try:
        numbers = [float(n) for n in polygon.get("points", "").replace(",", " ").split()]
    except ValueError:
        numbers = []
    points = tuple(zip(numbers[::2], numbers[1::2], strict=False))
    if len(numbers) % 2 or len(points) < 3 or not all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in points):
        where = f"{polygon.get('data-region')} {polygon.get('data-side')}"
        raise ValueError(f"{path}: the area of {where} needs three or more x,y points inside the picture")
    return points


def load_areas(path: Path, root: ET.Element) -> dict[tuple[str, str], Area]:
    """The areas of one view: each `<polygon data-region data-side points>` of its `<g id="areas">`."""
    group = _element(root, path, "g", "areas", "one polygon per region and side")
    found: dict[tuple[str, str], list[tuple[Point, ...]]] = {}
    for polygon in group.iter(f"{{{SVG_NS}}}polygon"):
        key = (polygon.get("data-region", ""), polygon.get("data-side", ""))
        if not key[0] or key[1] not in SIDES:
            raise ValueError(f"{path}: each area needs a data-region and a data-side (left, right or centre)")
        found.setdefault(key, []).append(_points(path, polygon))
    return {key: Area(*key, tuple(polygons)) for key, polygons in found.items()}


def load_view(path: Path) -> View:
    """One view's drawing, ready to inline in the page."""
    ET.register_namespace("", SVG_NS)
    root = ET.parse(path).getroot()
    view_box = root.get("viewBox", "").split()
    if view_box != ["0", "0", str(WIDTH), str(HEIGHT)]:
        raise ValueError(f"{path}: viewBox must be '0 0 {WIDTH} {HEIGHT}'")
    group = _element(root, path, "g", "outline", "the drawing")
    clip_id = f"{path.stem}-silhouette"
    clip = _element(root, path, "clipPath", clip_id, "the body's outline, to cut the areas to")
    del group.attrib["id"]  # both views sit on one page, and ids must be unique
    group.set("class", "outline")
    group.set("aria-hidden", "true")
    return View(path.stem, _markup(group), _markup(clip), clip_id, load_areas(path, root))


def load_outline(path: Path) -> Markup:
    """The drawing group of one outline file, ready to inline in the page."""
    return load_view(path).outline


def load_views(static_folder: str | Path) -> dict[str, View]:
    folder = Path(static_folder) / "svg"
    return {view: load_view(folder / f"{view}.svg") for view in VIEWS}


def head_to_foot(regions: Iterable[Region]) -> list[Region]:
    """The regions from head to foot, by where each one's highest marker sits (file order among equals)."""
    return sorted(regions, key=lambda region: min(marker.y for marker in region.markers))


def hit_radius(x: float, y: float, others: Iterable[tuple[float, float]]) -> float:
    """The tap area's radius: as big as the neighbours and the picture's edges leave room for."""
    room = min([x, WIDTH - x, y, HEIGHT - y] + [math.dist((x, y), o) / 2 for o in others])
    return max(MARKER_RADIUS, min(HIT_RADIUS_MAX, math.floor(room * 10) / 10))  # rounded down: never touching


def label_lines(text: str, most: int = LABEL_CHARACTERS) -> tuple[str, ...]:
    """A name as it is drawn: one line, or two split at the space nearest its middle when longer than `most`."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    if len(text) <= most or not spaces:
        return (text,)
    cut = min(spaces, key=lambda i: abs(len(text) / 2 - i))
    return (text[:cut], text[cut + 1 :])


def _label_width(lines: Sequence[str]) -> float:
    return max(len(line) for line in lines) * LABEL_FONT * LABEL_CHAR_WIDTH


def label_box(text: str | Sequence[str], x: float, y: float, anchor: str) -> Box:
    """The box a label's lines may fill, from their length, with room for its white outline (`y`: first baseline)."""
    lines = (text,) if isinstance(text, str) else tuple(text)
    width = _label_width(lines)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    top, bottom = y - 0.85 * LABEL_FONT, y + (len(lines) - 1) * LABEL_LINE + 0.25 * LABEL_FONT
    return (left - LABEL_HALO, top - LABEL_HALO, left + width + LABEL_HALO, bottom + LABEL_HALO)


def box_distance(box: Box, x: float, y: float) -> float:
    """How far a point is from a box (0 inside it)."""
    left, top, right, bottom = box
    return math.hypot(max(left - x, 0, x - right), max(top - y, 0, y - bottom))


def in_picture(box: Box) -> bool:
    """Whether a box lies wholly inside the drawing."""
    left, top, right, bottom = box
    return left >= 0 and top >= 0 and right <= WIDTH and bottom <= HEIGHT


def _label_candidates(lines: tuple[str, ...], x: float, y: float) -> Iterable[Label]:
    """Places for a name around its dot, the usual ones (above, below, right, left) first."""
    width = _label_width(lines)
    extra = (len(lines) - 1) * LABEL_LINE  # from the first baseline to the last
    clear = DOT_RADIUS + LABEL_GAP + LABEL_HALO
    above = y - clear - 0.25 * LABEL_FONT - extra
    below = y + clear + 0.85 * LABEL_FONT
    middle = y + 0.3 * LABEL_FONT - extra / 2

    def place(left: float, baseline: float, anchor: str) -> Label:
        """A label whose text starts at `left`, pushed inwards where it would leave the picture.

        Pushed in, it is tied to the edge nearer its dot, so a name shorter than the guess
        still starts (or ends) close to the dot.
        """
        inside = min(max(left, LABEL_HALO), WIDTH - LABEL_HALO - width)
        if inside != left:
            anchor = "start" if x < WIDTH / 2 else "end"
        lx = {"start": inside, "middle": inside + width / 2, "end": inside + width}[anchor]
        return Label(lx, baseline, anchor, label_box(lines, lx, baseline, anchor), lines)

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
    """Where a marker's name goes: inside the picture and clear of every other dot (or clear circle).

    It sits next to its own dot where it can; where neighbours leave no room, it may cover the edge of its own
    dot rather than wander off towards another, and a name that fits nowhere on one line takes two. Where even
    that finds no clear place (a crowded face on a small figure), it goes where it covers the least of the others:
    it shows only while its area is pointed at or focused.
    """
    layouts = [label_lines(text)]
    if len(layouts[0]) == 1 and " " in text:
        layouts.append(label_lines(text, most=0))
    fallback: tuple[float, int, Label] | None = None
    for lines in layouts:
        best: tuple[float, int] | None = None
        chosen = None
        for order, label in enumerate(_label_candidates(lines, x, y)):
            if not in_picture(label.box):
                continue
            covered = sum(max(0.0, r - box_distance(label.box, ox, oy)) for ox, oy, r in others)
            if covered:
                if fallback is None or (covered, order) < fallback[:2]:
                    fallback = (covered, order, label)
                continue
            distance = box_distance(label.box, x, y)
            covers = max(0.0, DOT_RADIUS + LABEL_GAP - distance)  # how far it reaches into its own dot
            score = (round(distance + 4 * covers, 1), order)  # near its dot, hiding as little of it as it can
            if best is None or score < best:
                best, chosen = score, label
                if covers == 0 and order < 4:
                    break  # one of the usual places is free
        if chosen is not None:
            return chosen
    if fallback is None:
        raise ValueError(f"no room for the label {text!r} at ({x}, {y})")
    return fallback[2]


def spots(markers: Sequence[tuple[Region, Marker]], areas: dict[tuple[str, str], Area] | None = None) -> list[Spot]:
    """Every marker of one view, head to foot, with the area that takes its tap and where its name goes.

    A marker with an area of its own comes first; one without (a region this drawing has no area for) comes after
    them all, so its clear circle lies on top of the areas and still takes the tap.
    """
    areas = areas or {}
    regions = {r.slug: r for r, _ in markers}.values()  # each once, by slug (hashing a region hashes all it says)
    order = {region.slug: n for n, region in enumerate(head_to_foot(regions))}
    named = []
    for region, marker in markers:
        side = None if marker.side == "centre" else marker.side
        named.append((region, marker, side, region.label(side), areas.get((region.slug, marker.side))))
    named.sort(key=lambda spot: (spot[4] is None, order[spot[0].slug]))
    layout = _layout(tuple((text, marker.x, marker.y, area is not None) for _, marker, _, text, area in named))
    return [Spot(*spot, radius, label) for spot, (radius, label) in zip(named, layout, strict=True)]


@functools.lru_cache(maxsize=32)
def _layout(circles: tuple[tuple[str, float, float, bool], ...]) -> tuple[tuple[float, Label], ...]:
    """Tap circles and label places for one view's markers, worked out once per content.

    A name stays clear of every other dot, and of the whole clear circle of a marker that has no area.
    """
    centres = [(x, y) for _, x, y, _ in circles]
    radii = [hit_radius(x, y, centres[:i] + centres[i + 1 :]) for i, (x, y) in enumerate(centres)]
    kept = [
        radius if not has_area else DOT_RADIUS + DOT_EDGE for radius, (*_, has_area) in zip(radii, circles, strict=True)
    ]
    layout = []
    for i, (text, x, y, _) in enumerate(circles):
        others = [(cx, cy, r) for j, ((cx, cy), r) in enumerate(zip(centres, kept, strict=True)) if j != i]
        layout.append((radii[i], label_position(text, x, y, others)))
    return tuple(layout)
