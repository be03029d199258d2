"""The fields of one painful area, repeated: `areas-0-region`, `areas-0-side`, `areas-0-pain`, `areas-0-feelings`,
`areas-0-duration`, `areas-1-...` (WTForms' FieldList of FormField naming). The pain list and the callback form
both carry a patient's areas this way, so a list posted from one is read by the other."""

from __future__ import annotations

import functools

from babel.support import NullTranslations, Translations
from flask import current_app, has_request_context
from flask_babel import LazyString, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import FieldList, Form, FormField, SelectField, SelectMultipleField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError
from wtforms.widgets import ListWidget

from bodymap import content
from bodymap.areas.area import DURATIONS, FEELINGS, MAX_AREAS, SCALE_ENDS, SCORES, Area, area_from
from bodymap.web.widgets import Checkbox, Options

# Built when the module is imported, so every word is lazy: it is looked up in the language of the request.
SIDE_CHOICES = {"": _l("Not sure, both, or the middle"), "left": _l("Left"), "right": _l("Right")}
SKIP = _l("Skip this question")


def _score_choice(n: int) -> str:
    """'0 (no pain)', '5', '10 (worst pain you can imagine)'."""
    return f"{n} ({str(SCALE_ENDS[n]).lower()})" if n in SCALE_ENDS else str(n)


PAIN_CHOICES = {"": SKIP} | {str(n): LazyString(_score_choice, n) for n in SCORES}


class Worded:
    """Fixed choices with lazy words, as text in the request's language: each language's text is looked up once, as
    the words come from the catalogs shipped with the app and are the same for every page and every app."""

    def __init__(self, choices: dict):
        self.choices = choices
        self.texts: dict[str, dict[str, str]] = {}  # language -> the choices in its words

    def in_words(self) -> dict[str, str]:
        """The choices in the request's language, as text: WTForms reads a dict whose labels are not `str` as groups
        of choices."""
        language = str(get_locale())
        if language not in self.texts:
            self.texts[language] = {value: str(label) for value, label in self.choices.items()}
        return dict(self.texts[language])  # a copy: a form may change its own choices


SIDE_WORDS = Worded(SIDE_CHOICES)
PAIN_WORDS = Worded(PAIN_CHOICES)
FEELING_WORDS = Worded(FEELINGS)
DURATION_WORDS = Worded({"": SKIP} | DURATIONS)


def wtforms_messages():
    """WTForms' own messages ("Not a valid choice.") in the language of the request, as FlaskForm has them (None, for
    WTForms' English, when WTF_I18N_ENABLED is off); each language's catalog, shipped with WTForms, is read once
    rather than once per request."""
    if not has_request_context() or "babel" not in current_app.extensions:
        return wtforms_translations
    if not current_app.config.get("WTF_I18N_ENABLED", True):
        return None
    return _wtforms_catalog(str(get_locale()))


@functools.cache
def _wtforms_catalog(locale: str) -> Translations | NullTranslations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class CheckboxesField(SelectMultipleField):
    """Several of a few choices, shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = Checkbox()


class AreaForm(Form):
    """One area. Its region choices come from the clinic's content (set by `areas_field_choices`)."""

    # A select left out of a post (the list leaves out an empty score) reads as its blank choice.
    region = SelectField(_l("Where does it hurt?"), choices=[], default="", widget=Options())
    side = SelectField(_l("Which side?"), choices=[], default="", widget=Options())
    pain = SelectField(_l("How bad is it right now, from 0 to 10?"), choices=[], default="", widget=Options())
    feelings = CheckboxesField(_l("How does it feel? (optional)"), choices=[])
    duration = SelectField(_l("How long has it hurt? (optional)"), choices=[], default="", widget=Options())

    class Meta:
        def get_translations(self, form):
            """WTForms' own messages ("Not a valid choice.") in the language of the request, as FlaskForm has them."""
            return wtforms_messages()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.side.choices = SIDE_WORDS.in_words()
        self.pain.choices = PAIN_WORDS.in_words()
        self.feelings.choices = FEELING_WORDS.in_words()
        self.duration.choices = DURATION_WORDS.in_words()

    def validate_side(self, field) -> None:
        region = content.get(current_app).region(self.region.data or "")
        if field.data and region is not None and field.data not in region.sides:
            raise ValidationError(
                gettext("The %(area)s has no left or right side. Pick the first choice.", area=region.name.lower())
            )


def areas_field(label: str | None = None, min_entries: int = 0) -> FieldList:
    """The repeated areas, up to MAX_AREAS."""
    label = label or _l("Where does it hurt?")
    return FieldList(FormField(AreaForm), label=label, min_entries=min_entries, max_entries=MAX_AREAS)


def set_region_choices(areas: FieldList, blank: str | None = _l("Not sure, or somewhere else")) -> None:
    """Each entry's region choices: the clinic's regions (and a blank first choice, when given)."""
    regions = {r.slug: r.name for r in content.get(current_app).regions}
    for entry in areas:
        entry.form.region.choices = ({"": str(blank)} if blank is not None else {}) | regions


def area_of(entry) -> Area | None:
    """The area one entry of the fields holds, cleaned by `area_from` (None: blank, or not a region we know)."""
    data = entry.form.data
    return area_from(
        content.get(current_app), data["region"], data["side"], data["pain"], data["feelings"] or (), data["duration"]
    )


def areas_of(areas: FieldList) -> list[Area]:
    """The areas the fields hold, each region and side once (the first kept), blank entries left out."""
    found: dict[tuple[str, str], Area] = {}
    for entry in areas:
        area = area_of(entry)
        if area is not None and area.key not in found:
            found[area.key] = area
    return list(found.values())
