"""docs/content.md describes every field of the content file, each in the table of the part it belongs to: a field
added to the model and not to the reference fails here (datasette's way with its settings)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bodymap.content import model
from bodymap.content.clinic import Clinic, DirectAccess, LanguageHelp, Location, OpeningHours
from bodymap.content.regions import Condition, Marker, RedFlags, Region, Screening
from bodymap.content.scheduler import Scheduler
from bodymap.content.sources import Source
from bodymap.content.treatments import Treatment

pytestmark = pytest.mark.one_clinic

DOC = Path(__file__).resolve().parent.parent / "docs" / "content.md"
SECTIONS = {
    "clinic": Clinic,
    "clinic.locations[]": Location,
    "clinic.direct_access": DirectAccess,
    "clinic.hours[]": OpeningHours,
    "clinic.language_help": LanguageHelp,
    "clinic.scheduler": Scheduler,
    "sources": Source,
    "audience": model.Audience,
    "treatments": Treatment,
    "regions": Region,
    "regions[].markers[]": Marker,
    "regions[].conditions[]": Condition,
    "regions[].red_flags": RedFlags,
    "regions[].screening": Screening,
}


def documented() -> dict[str, list[str]]:
    """Each section's heading path and the fields its table names, in order; '' for the table of the five parts."""
    found: dict[str, list[str]] = {"": []}
    section = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{2,3} `([^`]+)`$", line)
        if heading:
            section = heading[1]
            found[section] = []
        elif re.match(r"^## ", line):
            section = None
        field = re.match(r"^\| `([a-z_]+)` \|", line)
        if field and section is not None:
            found[section].append(field[1])
    return found


def fields(part) -> list[str]:
    return [info.alias or name for name, info in part.model_fields.items()]


def test_the_reference_names_the_five_parts_of_the_file():
    assert documented()[""] == fields(model.Content)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_field_of_each_part_is_in_its_table_in_the_models_order(section):
    assert documented().get(section) == fields(SECTIONS[section])


def test_readme_and_contributing_link_the_reference():
    root = DOC.parent.parent
    for name in ("README.md", "CONTRIBUTING.md"):
        assert "docs/content.md" in (root / name).read_text(encoding="utf-8"), name
