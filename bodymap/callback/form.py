"""The callback form: what a patient may type, and the clear answer when it is wrong."""

from __future__ import annotations

import re
import uuid

import phonenumbers
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from bodymap import content
from bodymap.data.models import PREFERRED_TIMES

NAME_MAX = 100
PHONE_MAX = 32
NOTE_MAX = 500
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Spaces of any kind and the zero-width characters that look like nothing, at either end.
OUTER_BLANKS = re.compile(r"\A[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+\Z")


def clean_text(value: str | None) -> str | None:
    """Strip invisible control characters (tab and new line stay) and outer blanks."""
    return None if value is None else OUTER_BLANKS.sub("", CONTROL_CHARACTERS.sub("", value))


class CallbackForm(FlaskForm):
    name = StringField(
        "Your name",
        filters=[clean_text],
        validators=[
            # Checked after clean_text, so a name of only spaces counts as no name.
            DataRequired("Please tell us your name."),
            Length(max=NAME_MAX, message=f"Please keep your name under {NAME_MAX} characters."),
        ],
    )
    phone = TelField(
        "Phone number",
        filters=[clean_text],
        validators=[
            DataRequired("Please give us a phone number to call."),
            Length(max=PHONE_MAX, message="That is too long for a phone number."),
        ],
    )
    preferred_time = RadioField(
        "When should we call?",
        choices=PREFERRED_TIMES,
        default="any",
        validators=[InputRequired("Please pick a time of day.")],
    )
    # "" is one of the choices, so the select fields need no Optional(): anything else off the list is refused.
    region = SelectField("Where does it hurt?")
    side = SelectField(
        "Which side?",
        choices={"": "Not sure, both, or the middle", "left": "Left", "right": "Right"},
    )
    pain = SelectField(
        "How bad is the pain right now? (optional)",
        choices={"": "Skip this question"} | {str(n): str(n) for n in range(11)},
    )
    note = TextAreaField(
        "Anything else we should know? (optional)",
        filters=[clean_text],
        validators=[Optional(), Length(max=NOTE_MAX, message=f"Please keep the note under {NOTE_MAX} characters.")],
    )
    consent = BooleanField(
        "The clinic may call me at this number.",
        validators=[DataRequired("Please tick this box so we may call you.")],
    )
    # Left empty by people; filled in by bots that fill in every field.
    website = StringField("Leave this empty", filters=[clean_text], validators=[Length(max=200)])
    submission_key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = content.get(current_app).regions
        self.region.choices = {"": "Not sure, or somewhere else"} | {r.slug: r.name for r in regions}
        if not self.submission_key.data:
            self.submission_key.data = str(uuid.uuid4())

    def validate_phone(self, field) -> None:
        country = content.get(current_app).clinic.country
        try:
            number = phonenumbers.parse(field.data, country)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError("We cannot call that number. Please check it, with the area code.")
        self.phone_e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def validate_side(self, field) -> None:
        region = content.get(current_app).region(self.region.data or "")
        if field.data and region is not None and field.data not in region.sides:
            raise ValidationError(f"The {region.name.lower()} has no left or right side. Pick the first choice.")

    def validate_submission_key(self, field) -> None:
        try:
            uuid.UUID(field.data or "")
        except ValueError:
            field.data = str(uuid.uuid4())
            raise ValidationError("This form was not complete. Please check it and send it again.") from None

    @property
    def is_bot(self) -> bool:
        return bool(self.website.data)
