"""The hand-drawn outlines and the rules for where circles may go."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bodymap import drawing

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


@pytest.mark.parametrize("x,anchor", [(34, "start"), (100, "middle"), (166, "end")])
def test_labels_near_the_edges_grow_inwards(x, anchor):
    assert drawing.label_anchor(x)[0] == anchor
