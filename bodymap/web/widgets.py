"""The controls of the patients' forms, drawn exactly as WTForms draws them, byte for byte, but written with plain
strings: the callback form of ten areas draws hundreds of options and attributes on every page."""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms.widgets import CheckboxInput, HiddenInput, RadioInput, Select, TelInput, TextInput
from wtforms.widgets.core import clean_key


def attributes(**kwargs) -> Markup:
    """HTML attributes exactly as WTForms writes them: sorted by name, True alone, False left out."""
    written = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            written.append(str(escape(clean_key(key))))
        elif value is not False:
            written.append(f'{escape(clean_key(key))}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(written))


class TextBox(TextInput):
    html_params = staticmethod(attributes)


class PhoneBox(TelInput):
    html_params = staticmethod(attributes)


class Checkbox(CheckboxInput):
    html_params = staticmethod(attributes)


class Radio(RadioInput):
    html_params = staticmethod(attributes)


class Hidden(HiddenInput):
    html_params = staticmethod(attributes)


class Options(Select):
    """A select (of single choices, not in groups, as every select of ours is); other ones are left to WTForms.
    It reads the choices through WTForms' public `iter_choices()`, which yields `Choice` tuples since WTForms 3.2."""

    def __call__(self, field, **kwargs):
        if self.multiple or field.has_groups():
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        options = "".join(self.render_option(choice) for choice in field.iter_choices())
        return Markup(f"<select {attributes(name=field.name, **kwargs)}>{options}</select>")

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs or not isinstance(choice.value, str):
            return super().render_option(choice, **kwargs)
        value = str(escape(choice.value)).replace('"', "&quot;")
        label = escape(choice.label or choice.value)
        selected = "selected " if choice.selected else ""  # the attributes in WTForms' (alphabetical) order
        return Markup(f'<option {selected}value="{value}">{label}</option>')
