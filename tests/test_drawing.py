"""The hand-drawn outlines and the rules for where circles may go."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bodymap.content import drawing
from tests.helpers import CONTENT, soup

SVG_DIR = Path(__file__).resolve().parent.parent / "static" / "svg"


@pytest.mark.parametrize("view", ["front", "back"])
def test_each_drawing_is_a_drawing_only_with_no_styles_or_scripts(view):
    root = ET.parse(SVG_DIR / f"{view}.svg").getroot()
    assert root.get("viewBox") == f"0 0 {drawing.WIDTH} {drawing.HEIGHT}"
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        assert tag not in ("script", "style", "text", "image", "foreignObject")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    assert [g.get("id") for g in root.iter(f"{{{drawing.SVG_NS}}}g") if g.get("id")] == ["outline", "areas"]


def test_an_inlined_outline_loses_its_id_so_ids_stay_unique():
    outline = drawing.load_outline(SVG_DIR / "front.svg")
    assert 'id="outline"' not in outline
    assert outline.startswith("<g ") and 'aria-hidden="true"' in outline


@pytest.mark.parametrize("view", ["front", "back"])
def test_every_id_a_view_brings_into_the_page_is_its_own(view):
    """Both views sit on one page: the silhouette's paths and clip carry the view's name."""
    drawn = drawing.load_view(SVG_DIR / f"{view}.svg")
    ids = re.findall(r'id="([^"]+)"', drawn.outline + drawn.clip)
    assert ids and all(i.startswith(f"{view}-") for i in ids)
    assert drawn.clip_id in ids
    assert re.findall(r'href="#([^"]+)"', drawn.clip) == [f"{view}-body", f"{view}-head", f"{view}-ears"]


@pytest.mark.parametrize(
    "view,side,x,ok",
    [
        ("front", "left", 150, True),  # the patient faces us: their left is on our right
        ("front", "left", 50, False),
        ("front", "right", 50, True),
        ("back", "left", 50, True),  # seen from behind: their left is on our left
        ("back", "left", 150, False),
        ("back", "right", 100, False),
        ("front", "centre", 100, True),
    ],
)
def test_a_side_must_be_on_the_right_half_of_the_picture(view, side, x, ok):
    assert (drawing.wrong_half(view, side, x) is None) == ok


VIEWS = {view: drawing.load_view(SVG_DIR / f"{view}.svg") for view in ("front", "back")}
# A grid over the whole picture, one point per unit, off the whole and half units the areas' corners sit on.
GRID = [(x + 0.13, y + 0.17) for x in range(drawing.WIDTH) for y in range(drawing.HEIGHT)]


def bounds(points) -> tuple[float, float, float, float]:
    xs, ys = zip(*points, strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def row_crossings(polygon, y) -> list[float]:
    """Where a polygon's edges cross the line at height y."""
    return [
        (x2 - x1) * (y - y1) / (y2 - y1) + x1
        for (x1, y1), (x2, y2) in zip(polygon, polygon[-1:] + polygon[:-1], strict=True)
        if (y1 > y) != (y2 > y)
    ]


def within(box, x, y) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def silhouette(view) -> list[list[tuple[float, float]]]:
    """The body, head and ears of one view's file as polygons, each curve cut into 16 straight pieces."""
    root = ET.parse(SVG_DIR / f"{view}.svg").getroot()
    shapes = []
    for part in ("body", "head", "ears"):
        d = root.find(f".//*[@id='{view}-{part}']").get("d")
        assert set(re.findall(r"[A-Za-z]", d)) <= {"M", "C", "Z"}, "the outlines are drawn with M, C and Z alone"
        for subpath in filter(None, re.split(r"(?=M)", d.strip())):
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", subpath)]
            start, *rest = zip(numbers[::2], numbers[1::2], strict=True)
            shape = [start]
            for i in range(0, len(rest), 3):
                (x0, y0), (x1, y1), (x2, y2), (x3, y3) = shape[-1], *rest[i : i + 3]
                for k in range(1, 17):
                    t = k / 16
                    a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
                    shape.append((a * x0 + b * x1 + c * x2 + e * x3, a * y0 + b * y1 + c * y2 + e * y3))
            shapes.append(shape)
    return shapes


@pytest.mark.parametrize("view", ["front", "back"])
def test_every_point_of_the_body_belongs_to_exactly_one_area(view):
    """The areas cover the drawn body, head and ears (with a margin, cut to them on the page) and never overlap."""
    areas = [(bounds(p for polygon in a.polygons for p in polygon), a) for a in VIEWS[view].areas.values()]
    shapes = silhouette(view)
    crossings = {}  # for each row of the grid, where each shape's edges cross it
    on_body = 0
    for x, y in GRID:
        owners = [f"{a.region} {a.side}" for box, a in areas if within(box, x, y) and a.contains(x, y)]
        assert len(owners) <= 1, f"{view} ({x}, {y}): {owners}"
        if y not in crossings:
            crossings[y] = [row_crossings(shape, y) for shape in shapes]
        if any(sum(cx < x for cx in row) % 2 for row in crossings[y]):
            on_body += 1
            assert owners, f"{view} ({x}, {y}) is on the body but in no area"
    assert on_body > 5_000, "the silhouette was read"


@pytest.mark.parametrize("view", ["front", "back"])
def test_a_left_or_right_area_lies_on_its_own_half_of_the_picture(view):
    for area in VIEWS[view].areas.values():
        if area.side == "centre":
            continue
        for polygon in area.polygons:
            off = [(x, y) for x, y in polygon if x != drawing.WIDTH / 2 and drawing.wrong_half(view, area.side, x)]
            assert off == [], f"{view}: {area.region} {area.side}"


def test_each_area_names_its_region_as_a_clinician_would():
    """Spot checks of the drawing: the bands a patient taps most land in the regions named for them."""

    def owner(view, x, y):
        return next(f"{a.region} {a.side}" for a in VIEWS[view].areas.values() if a.contains(x, y))

    assert owner("front", 100, 25) == owner("back", 100, 25) == "head centre"
    assert owner("front", 100, 130) == "chest centre" and owner("back", 100, 130) == "upper-back centre"
    assert owner("front", 100, 190) == "abdomen centre" and owner("back", 100, 200) == "low-back centre"
    assert owner("front", 80, 300) == "thigh right" and owner("back", 80, 300) == "thigh left"
    assert owner("front", 80, 390) == "calf-shin right" and owner("back", 120, 390) == "calf-shin right"
    assert owner("front", 42, 140) == "shoulder right" and owner("front", 42, 190) == "elbow right"
    assert owner("front", 38, 240) == "hand-wrist right" and owner("back", 162, 240) == "hand-wrist right"
    assert owner("back", 80, 460) == "heel left" and owner("front", 80, 465) == "foot right"


@pytest.mark.parametrize("view", ["front", "back"])
def test_every_marker_of_the_shipped_content_lies_inside_its_own_area(view):
    """Every region and side of the shipped content has an area on each view it has a marker on, around its dot."""
    areas = VIEWS[view].areas
    for region, marker in CONTENT.markers(view):
        area = areas.get((region.slug, marker.side))
        assert area is not None, f"{view}: {region.slug} {marker.side} has a marker but no area"
        assert area.contains(marker.x, marker.y), f"{view}: {region.slug} {marker.side} sits outside its area"


def test_regions_run_from_head_to_foot_by_their_highest_marker():
    ordered = [r.slug for r in drawing.head_to_foot(CONTENT.regions)]
    tops = [min(m.y for m in CONTENT.region(slug).markers) for slug in ordered]
    assert tops == sorted(tops)
    assert sorted(ordered) == sorted(r.slug for r in CONTENT.regions)


def rendered_spots(page, view):
    """Each region link on one view of a rendered page: its area, dot and label."""
    spots = []
    for a in page.select(f'svg[data-view="{view}"] a.spot'):
        area, dot = a.select_one(".spot-area"), a.select_one("circle.spot-dot")
        text = a.select_one("text.spot-label")
        spots.append(
            {
                "region": a["data-region"],
                "side": a["data-side"],
                "name": a["aria-label"],
                "area": area,
                "x": float(dot["cx"]),
                "y": float(dot["cy"]),
                "dot": float(dot["r"]),
                "label": (
                    float(text["x"]),
                    float(text["y"]),
                    text["text-anchor"],
                    [t.get_text() for t in text.select("tspan")] or [text.get_text()],
                ),
            }
        )
    return spots


def estimated_label_box(x, y, anchor, lines):
    """A label's box from its lines' length (0.6 of the font size per character), as a reviewer would guess it."""
    width = max(len(line) for line in lines) * drawing.LABEL_FONT * 0.6
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    bottom = y + (len(lines) - 1) * drawing.LABEL_LINE + 0.3 * drawing.LABEL_FONT
    return left, y - drawing.LABEL_FONT, left + width, bottom


def box_meets_circle(box, x, y, r):
    left, top, right, bottom = box
    return math.hypot(max(left - x, 0, x - right), max(top - y, 0, y - bottom)) < r


@pytest.fixture(scope="session")
def home(app):
    """The home page, fetched and parsed once per clinic: the tests only read it."""
    response = app.test_client().get("/")
    assert response.status_code == 200
    return soup(response)


@pytest.mark.parametrize("view", ["front", "back"])
def test_each_link_is_its_area_cut_to_the_silhouette_with_its_dot(home, content, view):
    svg = home.select_one(f'svg[data-view="{view}"]')
    clip = svg.select_one("defs > clipPath")
    assert clip["id"] == f"{view}-silhouette"
    spots = rendered_spots(home, view)
    assert len(spots) == len(content.markers(view))
    for spot in spots:
        area = VIEWS[view].areas.get((spot["region"], spot["side"]))
        if area is None:  # a region the drawing has no area for: a clear circle around the dot
            assert spot["area"].name == "circle" and float(spot["area"]["r"]) >= drawing.MARKER_RADIUS
            continue
        assert spot["area"].name == "path" and spot["area"]["d"] == area.d, spot["name"]
        assert spot["area"]["clip-path"] == f"url(#{view}-silhouette)"
        assert spot["dot"] <= 8, f"{spot['name']}: the dot would hide what it marks"


@pytest.mark.parametrize("view", ["front", "back"])
def test_the_map_and_the_list_follow_the_body_from_head_to_foot(home, content, view):
    order = [r.slug for r in drawing.head_to_foot(content.regions)]
    on_map = list(dict.fromkeys(s["region"] for s in rendered_spots(home, view)))
    with_areas = [s for s in on_map if any(k[0] == s for k in VIEWS[view].areas)]
    assert on_map[: len(with_areas)] == [s for s in order if s in with_areas]
    listed = list(dict.fromkeys(a["data-region"] for a in home.select("nav.region-list a[data-region]")))
    assert listed == order


def test_an_area_the_clinic_has_no_region_for_is_not_drawn(content, home):
    slugs = {r.slug for r in content.regions}
    drawn = {a["data-region"] for a in home.select("svg[data-view] a.spot")}
    assert drawn == slugs
    assert home.select("svg[data-view] .spot-area") == home.select("svg[data-view] a.spot > .spot-shape > .spot-area")


@pytest.mark.parametrize("view", ["front", "back"])
def test_no_label_covers_another_dot_or_leaves_the_picture(home, view):
    spots = rendered_spots(home, view)
    for spot in spots:
        box = estimated_label_box(*spot["label"])
        left, top, right, bottom = box
        assert left >= 0 and top >= 0 and right <= drawing.WIDTH and bottom <= drawing.HEIGHT, spot["name"]
        for other in spots:
            if other is not spot:
                assert not box_meets_circle(box, other["x"], other["y"], other["dot"] + 1), (
                    spot["name"],
                    other["name"],
                )


def test_the_back_view_has_a_heel_area_on_each_side_below_the_calf():
    areas = VIEWS["back"].areas
    heels, calves = areas[("heel", "left")], areas[("calf-shin", "left")]
    assert heels.contains(82, 456) and areas[("heel", "right")].contains(118, 456)
    assert max(y for p in calves.polygons for _, y in p) <= min(y for p in heels.polygons for _, y in p)


def dot_of(page, view, slug, side):
    a = page.select_one(f'svg[data-view="{view}"] a.spot[data-region="{slug}"][data-side="{side}"]')
    return float(a.select_one("circle.spot-dot")["cx"]), float(a.select_one("circle.spot-dot")["cy"])


def test_hip_dots_sit_out_on_the_hip_not_in_the_groin(home):
    for side in ("left", "right"):
        hip_x, _ = dot_of(home, "front", "hip", side)
        knee_x, _ = dot_of(home, "front", "knee", side)
        assert abs(hip_x - drawing.WIDTH / 2) >= abs(knee_x - drawing.WIDTH / 2) + 10


@pytest.mark.parametrize("view", ["front", "back"])
def test_elbow_dots_are_level_with_the_waist(home, view):
    waist = 196  # the navel on the front drawing; a relaxed arm's elbow hangs level with it
    for side in ("left", "right"):
        _, elbow_y = dot_of(home, view, "elbow", side)
        assert abs(elbow_y - waist) <= 10


def test_a_name_too_long_for_one_line_takes_two_that_each_fit():
    assert drawing.label_lines("Left knee") == ("Left knee",)
    lines = drawing.label_lines("Right buttock and SI joint")
    assert lines == ("Right buttock", "and SI joint")
    label = drawing.label_position("Right buttock and SI joint", 122, 250, [])
    assert label.lines == lines and drawing.in_picture(label.box)


def test_a_label_sits_above_its_dot_when_nothing_is_in_the_way():
    label = drawing.label_position("Neck", 100, 200, [])
    assert label.anchor == "middle" and label.x == 100 and label.y < 200 - drawing.DOT_RADIUS


def test_a_label_moves_away_from_a_neighbour():
    above = drawing.label_position("Neck", 100, 200, [])
    neighbour = (100, 170, drawing.MARKER_RADIUS)
    moved = drawing.label_position("Neck", 100, 200, [neighbour])
    assert not box_meets_circle(moved.box, *neighbour)
    assert box_meets_circle(above.box, *neighbour)


@pytest.mark.parametrize("x,anchor", [(20, "start"), (180, "end")])
def test_labels_near_the_edges_grow_inwards(x, anchor):
    label = drawing.label_position("Right hand and wrist", x, 200, [])
    assert label.anchor == anchor and drawing.in_picture(label.box)


def test_a_clear_circle_grows_where_there_is_room_and_never_reaches_a_neighbour():
    assert drawing.hit_radius(100, 200, []) == drawing.HIT_RADIUS_MAX
    assert drawing.hit_radius(100, 200, [(100, 236)]) == 18
    assert drawing.hit_radius(100, drawing.HEIGHT - drawing.MARKER_RADIUS, []) == drawing.MARKER_RADIUS


@pytest.mark.parametrize(
    "change,problem",
    [
        (lambda svg: re.sub(r'\s*<g id="areas".*?</g>', "", svg, flags=re.S), 'needs a <g id="areas">'),
        (lambda svg: svg.replace('points="72,4 ', 'points="72,four ', 1), "three or more x,y points inside"),
        (lambda svg: svg.replace('points="72,4 ', 'points="272,4 ', 1), "three or more x,y points inside"),
        (lambda svg: svg.replace('data-side="centre"', 'data-side="middle"', 1), "a data-side (left, right or centre)"),
        (lambda svg: svg.replace('<clipPath id="front-silhouette">', "<clipPath>", 1), 'needs a <clipPath id="front'),
    ],
)
def test_a_broken_drawing_stops_the_app_with_the_file_named(tmp_path, change, problem):
    broken = tmp_path / "front.svg"
    broken.write_text(change((SVG_DIR / "front.svg").read_text()))
    with pytest.raises(ValueError, match=re.escape(problem)) as caught:
        drawing.load_view(broken)
    assert str(caught.value).startswith(f"{broken}:")
