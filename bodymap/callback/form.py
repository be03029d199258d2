"""The callback form: what a patient may type, and the clear answer when it is wrong.

Where it hurts is a list of areas (`areas-0-region`, `areas-0-side`, `areas-0-pain`, ..., the pain list's
names), at least one, up to MAX_AREAS. The patient adds and removes areas with buttons that redraw the form
with what was typed, storing nothing (`edited`); only the send button sends.
"""

from __future__ import annotations

import re
import uuid

import phonenumbers
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, RadioField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from bodymap import content
from bodymap.areas.area import MAX_AREAS, Area
from bodymap.areas.forms import Worded, areas_field, areas_of, set_region_choices, wtforms_messages
from bodymap.data.models import PREFERRED_TIMES
from bodymap.web.widgets import Checkbox, Hidden, PhoneBox, Radio, TextBox

NAME_MAX = 100
PHONE_MAX = 32
NOTE_MAX = 500
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Spaces of any kind and the zero-width characters that look like nothing, at either end.
OUTER_BLANKS = re.compile(r"\A[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+\Z")


def clean_text(value: str | None) -> str | None:
    """Strip invisible control characters (tab and new line stay) and outer blanks."""
    return None if value is None else OUTER_BLANKS.sub("", CONTROL_CHARACTERS.sub("", value))


REGION_BLANK = _l("Pick a place")
# The form's words for PREFERRED_TIMES (the staff pages keep the stored English ones), in the same order.
PREFERRED_TIME_WORDS = {
    "morning": _l("Morning"),
    "afternoon": _l("Afternoon"),
    "evening": _l("Evening"),
    "any": _l("Any time"),
}
assert list(PREFERRED_TIME_WORDS) == list(PREFERRED_TIMES), "a time of day without its words on the form"
PREFERRED_TIME_CHOICES = Worded(PREFERRED_TIME_WORDS)
EDIT_ACTIONS = ("add-area", "update")  # and "remove-N": buttons that redraw the form and send nothing


def _said_something(area) -> bool:
    """An area with a score, a feeling or a duration, though no place: the patient meant something by it."""
    return bool(area.pain.data or area.feelings.data or area.duration.data)


def edit_action(formdata) -> str | None:
    """The edit a button asked for ("add-area", "update", "remove-N"), or None for a send."""
    action = (formdata or {}).get("action", "")
    if action in EDIT_ACTIONS or re.fullmatch(r"remove-[0-9]{1,2}", action):
        return action
    return None


def edited(formdata, action: str) -> MultiDict:
    """The posted fields with one area taken out ("remove-N"); the others follow on, numbered from 0."""
    kept = MultiDict()
    removed = f"areas-{action.removeprefix('remove-')}-" if action.startswith("remove-") else None
    for key, values in formdata.lists():
        if key != "action" and not (removed and key.startswith(removed)):
            kept.setlist(key, values)
    return kept


def with_areas(formdata, areas: list[Area]) -> MultiDict:
    """Form fields that hold `areas` (cleaned, from the pain list or a panel's link) and nothing else."""
    fields = MultiDict(formdata.items(multi=True) if formdata else ())
    for key in [k for k in fields if k.startswith("areas-")]:
        fields.poplist(key)
    for n, area in enumerate(areas[:MAX_AREAS]):
        fields.add(f"areas-{n}-region", area.region.slug)
        fields.add(f"areas-{n}-side", area.side or "")
        fields.add(f"areas-{n}-pain", "" if area.pain is None else str(area.pain))
        for feeling in area.feelings:
            fields.add(f"areas-{n}-feelings", feeling)
        fields.add(f"areas-{n}-duration", area.duration or "")
    return fields


class CallbackForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            """WTForms' own messages in the language of the request (FlaskForm's, each catalog read once)."""
            return wtforms_messages()

    name = StringField(
        _l("Your name"),
        widget=TextBox(),
        filters=[clean_text],
        validators=[
            # Checked after clean_text, so a name of only spaces counts as no name.
            DataRequired(_l("Please tell us your name.")),
            Length(max=NAME_MAX, message=_l("Please keep your name under %(count)s characters.", count=NAME_MAX)),
        ],
    )
    phone = TelField(
        _l("Phone number"),
        widget=PhoneBox(),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Please give us a phone number to call.")),
            Length(max=PHONE_MAX, message=_l("That is too long for a phone number.")),
        ],
    )
    preferred_time = RadioField(
        _l("When should we call?"),
        choices=PREFERRED_TIMES,  # in the patient's language once the form is made (__init__)
        default="any",
        option_widget=Radio(),
        validators=[InputRequired(_l("Please pick a time of day."))],
    )
    # Each area's selects list "" as a choice, so they need no Optional(): anything else off the list is refused.
    areas = areas_field(min_entries=1)
    note = TextAreaField(
        _l("Anything else we should know? (optional)"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=NOTE_MAX, message=_l("Please keep the note under %(count)s characters.", count=NOTE_MAX)),
        ],
    )
    consent = BooleanField(
        _l("The clinic may call me at this number."),
        widget=Checkbox(),
        validators=[DataRequired(_l("Please tick this box so we may call you."))],
    )
    # Left empty by people; filled in by bots that fill in every field.
    website = StringField(_l("Leave this empty"), widget=TextBox(), filters=[clean_text], validators=[Length(max=200)])
    submission_key = HiddenField(widget=Hidden())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_time.choices = PREFERRED_TIME_CHOICES.in_words()
        set_region_choices(self.areas, REGION_BLANK)
        self.focus: str | None = None  # the id of what a redrawn form puts the focus on
        if not self.submission_key.data:
            self.submission_key.data = str(uuid.uuid4())

    def validate_phone(self, field) -> None:
        country = content.get(current_app).clinic.country
        try:
            number = phonenumbers.parse(field.data, country)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(gettext("We cannot call that number. Please check it, with the area code."))
        self.phone_e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def validate(self, extra_validators=None) -> bool:
        """Every field's own checks, then the areas together: at least one, and none listed twice."""
        valid = super().validate(extra_validators)
        return self._areas_valid() and valid

    def _areas_valid(self) -> bool:
        """At least one area with a place; an area with a score or words but no place, or one listed twice, is
        refused with a message on its place (an added area left wholly blank is let go)."""
        loaded = content.get(current_app)
        none_picked = gettext(
            "Please pick where it hurts. If it is not on the list, call us at %(phone)s.", phone=loaded.clinic.phone
        )
        left_blank = gettext("Please pick where this area hurts, or remove it.")
        seen: dict[tuple[str, str], int] = {}
        valid = True
        for number, entry in enumerate(self.areas, start=1):
            area = entry.form
            if area.region.errors or area.side.errors:
                continue
            if not area.region.data:
                if _said_something(area) or len(self.areas) == 1:
                    area.region.errors.append(none_picked if len(self.areas) == 1 else left_blank)
                    valid = False
                continue
            key = (area.region.data, area.side.data or "")
            if key in seen:
                label = loaded.region(key[0]).label(key[1] or None)
                twice = gettext(
                    "%(area)s is in the list twice (areas %(first)s and %(second)s). Remove one.",
                    area=label,
                    first=seen[key],
                    second=number,
                )
                area.region.errors.append(twice)
                valid = False
            seen.setdefault(key, number)
        if valid and not self.listed_areas and not any(e.form.region.errors or e.form.side.errors for e in self.areas):
            self.areas[0].form.region.errors.append(none_picked)
            valid = False
        return valid

    @property
    def listed_areas(self) -> list[Area]:
        """The areas chosen so far, in order, each region and side once (for the 911 signs and for storing)."""
        return areas_of(self.areas)

    def error_links(self) -> list[tuple[str, str]]:
        """Each field's first error and the id of the field it is about, in the order the form asks."""
        links = []
        for field in self:
            if field.name == "csrf_token":
                continue
            if field.name == "areas":
                for entry in field:
                    links += [(sub.id, sub.errors[0]) for sub in entry.form if sub.errors]
            elif field.errors:
                target = {"submission_key": "name", "preferred_time": f"{field.id}-0"}.get(field.name, field.id)
                links.append((target, field.errors[0]))
        return links

    def validate_submission_key(self, field) -> None:
        try:
            uuid.UUID(field.data or "")
        except ValueError:
            field.data = str(uuid.uuid4())
            raise ValidationError(gettext("This form was not complete. Please check it and send it again.")) from None

    @property
    def is_bot(self) -> bool:
        return bool(self.website.data)
