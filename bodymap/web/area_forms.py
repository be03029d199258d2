"""The fields of one painful area, repeated: `areas-0-region`, `areas-0-side`, `areas-0-pain`, `areas-0-feelings`,
`areas-0-duration`, `areas-1-...` (WTForms' FieldList of FormField naming). The pain list and the callback form
both carry a patient's areas this way, so a list posted from one is read by the other."""

from __future__ import annotations

from flask import current_app
from wtforms import FieldList, Form, FormField, SelectField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from bodymap import content
from bodymap.content.areas import DURATIONS, FEELINGS, MAX_AREAS, SCALE_ENDS, SCORES, Area, area_from

SIDE_CHOICES = {"": "Not sure, both, or the middle", "left": "Left", "right": "Right"}
PAIN_CHOICES = {"": "Skip this question"} | {
    str(n): f"{n} ({SCALE_ENDS[n].lower()})" if n in SCALE_ENDS else str(n) for n in SCORES
}


class CheckboxesField(SelectMultipleField):
    """Several of a few choices, shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AreaForm(Form):
    """One area. Its region choices come from the clinic's content (set by `areas_field_choices`)."""

    # A select left out of a post (the list leaves out an empty score) reads as its blank choice.
    region = SelectField("Where does it hurt?", choices=[], default="")
    side = SelectField("Which side?", choices=SIDE_CHOICES, default="")
    pain = SelectField("How bad is it right now, from 0 to 10?", choices=PAIN_CHOICES, default="")
    feelings = CheckboxesField("How does it feel? (optional)", choices=FEELINGS)
    duration = SelectField(
        "How long has it hurt? (optional)", choices={"": "Skip this question"} | DURATIONS, default=""
    )

    def validate_side(self, field) -> None:
        region = content.get(current_app).region(self.region.data or "")
        if field.data and region is not None and field.data not in region.sides:
            raise ValidationError(f"The {region.name.lower()} has no left or right side. Pick the first choice.")


def areas_field(label: str = "Where does it hurt?", min_entries: int = 0) -> FieldList:
    """The repeated areas, up to MAX_AREAS."""
    return FieldList(FormField(AreaForm), label=label, min_entries=min_entries, max_entries=MAX_AREAS)


def set_region_choices(areas: FieldList, blank: str | None = "Not sure, or somewhere else") -> None:
    """Each entry's region choices: the clinic's regions (and a blank first choice, when given)."""
    regions = {r.slug: r.name for r in content.get(current_app).regions}
    for entry in areas:
        entry.form.region.choices = ({"": blank} if blank is not None else {}) | regions


def areas_of(areas: FieldList) -> list[Area]:
    """The areas the fields hold, each region and side once (the first kept), blank entries left out."""
    loaded = content.get(current_app)
    found: dict[tuple[str, str], Area] = {}
    for entry in areas:
        data = entry.form.data
        area = area_from(loaded, data["region"], data["side"], data["pain"], data["feelings"] or (), data["duration"])
        if area is not None and area.key not in found:
            found[area.key] = area
    return list(found.values())
