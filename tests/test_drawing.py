"""The hand-drawn outlines and the rules for where circles may go."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bodymap.content import drawing
from tests.helpers import soup

SVG_DIR = Path(__file__).resolve().parent.parent / "static" / "svg"


@pytest.mark.parametrize("view", ["front", "back"])
def test_each_outline_is_a_drawing_only_with_no_styles_or_scripts(view):
    root = ET.parse(SVG_DIR / f"{view}.svg").getroot()
    assert root.get("viewBox") == f"0 0 {drawing.WIDTH} {drawing.HEIGHT}"
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        assert tag not in ("script", "style", "text", "image", "foreignObject")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    assert [g.get("id") for g in root.iter(f"{{{drawing.SVG_NS}}}g") if g.get("id")] == ["outline"]


def test_an_inlined_outline_loses_its_id_so_ids_stay_unique():
    outline = drawing.load_outline(SVG_DIR / "front.svg")
    assert 'id="outline"' not in outline
    assert outline.startswith("<g ") and 'aria-hidden="true"' in outline


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


# The narrowest a view gets: two figures side by side in the map's smallest width (18.5rem) on a
# 320 px phone. The browser test measures the real one.
NARROWEST_VIEW_PX = 144


def rendered_spots(page, view):
    """Each circle on one view of a rendered page: its link, tap area, dot and label."""
    spots = []
    for a in page.select(f'svg[data-view="{view}"] a.spot'):
        hit, dot = a.select_one("circle.spot-hit"), a.select_one("circle.spot-dot")
        text = a.select_one("text.spot-label")
        spots.append(
            {
                "name": a["aria-label"],
                "x": float(hit["cx"]),
                "y": float(hit["cy"]),
                "hit": float(hit["r"]),
                "dot": (float(dot["cx"]), float(dot["cy"]), float(dot["r"])),
                "label": (float(text["x"]), float(text["y"]), text["text-anchor"], text.get_text()),
            }
        )
    return spots


def estimated_label_box(x, y, anchor, text):
    """A label's box from its length (0.6 of the font size per character), as a reviewer would guess it."""
    width = len(text) * drawing.LABEL_FONT * 0.6
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return left, y - drawing.LABEL_FONT, left + width, y + 0.3 * drawing.LABEL_FONT


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
def test_every_tap_area_is_big_enough_on_the_narrowest_phone(home, view):
    for spot in rendered_spots(home, view):
        assert 2 * spot["hit"] / drawing.WIDTH * NARROWEST_VIEW_PX >= 24, spot["name"]
        assert spot["hit"] <= drawing.HIT_RADIUS_MAX


@pytest.mark.parametrize("view", ["front", "back"])
def test_the_dot_is_small_and_sits_in_the_middle_of_its_tap_area(home, view):
    for spot in rendered_spots(home, view):
        dot_x, dot_y, dot_r = spot["dot"]
        assert (dot_x, dot_y) == (spot["x"], spot["y"])
        assert dot_r <= 8 and dot_r * 2 <= spot["hit"], f"{spot['name']}: the dot would hide what it marks"


@pytest.mark.parametrize("view", ["front", "back"])
def test_tap_areas_never_overlap_and_stay_in_the_picture(home, view):
    spots = rendered_spots(home, view)
    for i, a in enumerate(spots):
        r = a["hit"]
        assert r <= a["x"] <= drawing.WIDTH - r and r <= a["y"] <= drawing.HEIGHT - r, a["name"]
        for b in spots[i + 1 :]:
            assert math.dist((a["x"], a["y"]), (b["x"], b["y"])) >= r + b["hit"], (a["name"], b["name"])


@pytest.mark.parametrize("view", ["front", "back"])
def test_no_label_covers_another_circle_or_leaves_the_picture(home, view):
    spots = rendered_spots(home, view)
    for spot in spots:
        box = estimated_label_box(*spot["label"])
        left, top, right, bottom = box
        assert left >= 0 and top >= 0 and right <= drawing.WIDTH and bottom <= drawing.HEIGHT, spot["name"]
        for other in spots:
            if other is not spot:
                assert not box_meets_circle(box, other["x"], other["y"], other["hit"]), (spot["name"], other["name"])


def test_the_back_view_has_a_heel_circle_on_each_side(home):
    heels = {a["data-side"]: a for a in home.select('svg[data-view="back"] a.spot[data-region="foot"]')}
    assert set(heels) == {"left", "right"}
    x = {side: float(a.select_one("circle.spot-dot")["cx"]) for side, a in heels.items()}
    assert x["left"] < drawing.WIDTH / 2 < x["right"]  # seen from behind, their left is on our left
    ankles = home.select('svg[data-view="back"] a.spot[data-region="ankle"] circle.spot-dot')
    assert all(float(a.select_one("circle.spot-dot")["cy"]) > float(c["cy"]) for a in heels.values() for c in ankles)


def dot_of(page, view, slug, side):
    a = page.select_one(f'svg[data-view="{view}"] a.spot[data-region="{slug}"][data-side="{side}"]')
    return float(a.select_one("circle.spot-dot")["cx"]), float(a.select_one("circle.spot-dot")["cy"])


@pytest.mark.parametrize("view", ["front", "back"])
def test_hip_circles_sit_out_on_the_hip_not_in_the_groin(home, view):
    for side in ("left", "right"):
        hip_x, _ = dot_of(home, view, "hip", side)
        knee_x, _ = dot_of(home, view, "knee", side)
        assert abs(hip_x - drawing.WIDTH / 2) >= abs(knee_x - drawing.WIDTH / 2) + 10


@pytest.mark.parametrize("view", ["front", "back"])
def test_elbow_circles_are_level_with_the_waist(home, view):
    waist = 196  # the navel on the front drawing; a relaxed arm's elbow hangs level with it
    for side in ("left", "right"):
        _, elbow_y = dot_of(home, view, "elbow", side)
        assert abs(elbow_y - waist) <= 10


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


def test_the_tap_area_grows_where_there_is_room_and_never_reaches_a_neighbour():
    assert drawing.hit_radius(100, 200, []) == drawing.HIT_RADIUS_MAX
    assert drawing.hit_radius(100, 200, [(100, 236)]) == 18
    assert drawing.hit_radius(100, drawing.HEIGHT - drawing.MARKER_RADIUS, []) == drawing.MARKER_RADIUS
