"""Patient text in every language the file is written in, each translatable field marked once, where it is declared.

A field that patients read is declared `Translated[...]` on its model. `localized(Model)` is then the model as
the file writes it: the same fields, and a block for each other language (`es:`) whose shape is derived from
the marked fields alone:

- a text is a text: `summary: "..."`;
- a statement with its sources (`Sourced`) is its text: the sources are the English ones;
- a list is a list of the same length, in the same order;
- a part with several marked fields (the red flags' two tiers) is a block of those fields;
- a field may name its own type in the other language (`Translated(as_=...)`: who reviewed that language).

So adding a field that patients read means declaring it once, marked; adding a language means adding it to
`fields.LANGUAGES`. A language's block is required when the clinic lists that language and refused when it does
not; each list must match the English one for one. `in_language(model, lang)` gives the same part with its text
in that language: same ids, slugs, circles and sources, so footnotes number alike.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any

from babel import Locale
from pydantic import BaseModel, Field, ValidationError, ValidationInfo, ValidatorFunctionWrapHandler, WrapValidator
from pydantic import create_model as pydantic_model
from pydantic.fields import FieldInfo

from bodymap.content.fields import LANGUAGES, Model, Problems, catalogue, problem, problems_at

Check = Callable[[dict, dict], Problems]  # a model's own check of a language's block against its English


class Translated:
    """Marks a field whose text the file writes again in each other language: `summary: Translated[Text]`."""

    def __init__(self, as_: Any = None):
        self.as_ = as_  # the field's type in the other language, when it is not derived from the English

    def __class_getitem__(cls, annotation: Any) -> Any:
        return Annotated[annotation, cls()]


def language_name(lang: str) -> str:
    """'Spanish': a language as a clinician reads its name in the content check's messages (English)."""
    return Locale.parse(lang).get_display_name("en")


def _marker(info: FieldInfo) -> Translated | None:
    return next((m for m in info.metadata if isinstance(m, Translated)), None)


def translated_fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """The fields of `model` that are written again in each other language, in the model's order."""
    return {name: info for name, info in model.model_fields.items() if _marker(info) is not None}


def _derived(info: FieldInfo) -> bool:
    """The field's type in another language is derived from its English one (not named by `Translated(as_=...)`)."""
    marker = _marker(info)
    return marker is not None and marker.as_ is None


def _text_only(model: type[BaseModel]) -> bool:
    """A part whose only translated field is its text (a statement and its sources): written as bare text."""
    return list(translated_fields(model)) == ["text"]


def translation_type(info: FieldInfo) -> Any:
    """A marked field's type in another language, keeping its checks (length on the map, not empty, ...)."""
    marker = _marker(info)
    shape = marker.as_ if marker and marker.as_ is not None else _shape(info.annotation)
    if marker and marker.as_ is not None and _optional(info.annotation):
        shape = shape | None
    checks = [m for m in info.metadata if not isinstance(m, Translated)]
    return Annotated[(shape, *checks)] if checks else shape


def _optional(annotation: Any) -> bool:
    return isinstance(annotation, types.UnionType) and type(None) in typing.get_args(annotation)


def _shape(annotation: Any) -> Any:
    """The type of a value's other-language text, derived from its English type."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *checks = typing.get_args(annotation)
        return Annotated[(_shape(inner), *checks)]
    if _optional(annotation) or origin is typing.Union:
        inner = next(a for a in typing.get_args(annotation) if a is not type(None))
        return _shape(inner) | None
    if origin is tuple:
        return tuple[_shape(typing.get_args(annotation)[0]), ...]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and translated_fields(annotation):
        if _text_only(annotation):
            return translation_type(translated_fields(annotation)["text"])
        return translation_model(annotation)
    return annotation


@functools.cache
def translation_model(model: type[BaseModel], extra: tuple = ()) -> type[Model]:
    """The block another language writes for `model`: its marked fields (and `extra`: (name, type, default))."""
    fields: dict[str, Any] = {}
    for name, info in translated_fields(model).items():
        default = ... if info.is_required() else info.get_default(call_default_factory=True)
        fields[name] = (translation_type(info), default)
    for name, annotation, default in extra:
        fields[name] = (annotation, default)
    return pydantic_model(
        f"{model.__name__}Translation",
        __base__=Model,
        __module__=model.__module__,
        __doc__=f"{model.__name__}'s text in another language: each list in the English order.",
        **fields,
    )


def localized(
    model: type[BaseModel] | None = None, *, extra: tuple = (), check: Check | None = None, unlisted: bool = False
) -> Any:
    """A class decorator: `model` as the file writes it, with a block for each other language (`es:`) of its marked
    fields (a subclass of the same name). A part whose only marked field is its text writes the block as bare text.

    `extra` adds fields that only the other languages need (a paired region names each side), `check` compares a
    block as written with the English already read, beyond the lengths every block is held to, and `unlisted`
    welcomes a block in a language the clinic does not list (a notice meant for people who do not read the site).
    """
    if model is None:
        return functools.partial(localized, extra=extra, check=check, unlisted=unlisted)
    if _text_only(model) and not extra:
        translation = translation_type(translated_fields(model)["text"])
    else:
        translation = translation_model(model, extra)
    blocks = {
        lang: (
            Annotated[translation | None, WrapValidator(functools.partial(_in_language, lang, model, check, unlisted))],
            Field(None, validate_default=True),
        )
        for lang in LANGUAGES[1:]
    }
    return pydantic_model(model.__name__, __base__=model, __module__=model.__module__, __doc__=model.__doc__, **blocks)


def _in_language(
    lang: str,
    model: type[BaseModel],
    check: Check | None,
    unlisted: bool,
    value: Any,
    handler: ValidatorFunctionWrapHandler,
    info: ValidationInfo,
) -> Any:
    """A language's block: required when the clinic lists the language, refused when it does not, its lists as long
    as the English. Its problems are reported with the block's own, so one mistake never hides another."""
    listed = lang in catalogue(info).languages
    name = language_name(lang)
    if value is None:
        if listed:
            raise problem(
                "missing_language", f"is missing: the clinic's languages list {lang}, so this needs its {name}"
            )
        return None
    if not listed and not unlisted:
        raise problem(
            "not_listed",
            f"is {name}, but the clinic's languages do not list {lang}: add {lang} there, or delete this block",
        )
    errors: Problems = []
    if isinstance(value, dict):
        errors = mismatches(model, info.data, value) + (check(info.data, value) if check else [])
    found = catalogue(info)
    found.reading = lang
    try:
        value = handler(value)
    except ValidationError as error:
        errors = [(e["loc"], e["type"], e["msg"], e["input"]) for e in error.errors(include_url=False)] + errors
    finally:
        found.reading = LANGUAGES[0]
    if errors:
        raise problems_at(errors)
    return value


def mismatches(model: type[BaseModel], english: dict, written: dict, place: tuple = ()) -> Problems:
    """Where a block as written does not follow the English already read: a list of another length, a text the English
    gives that the block leaves out, or one the English does not give. A field the English has a problem with is
    left alone: its own problem is reported."""
    errors: Problems = []
    for name, info in translated_fields(model).items():
        if name not in english:
            continue
        ours, theirs, at = english[name], written.get(name), (*place, name)
        optional = not info.is_required()
        if optional and ours not in (None, ()) and name not in written:
            errors.append((at, "missing", "is missing", written))
            continue
        if optional and ours is None and name in written:
            errors.append((at, "not_used", f"is not used: the English has no {name}", theirs))
            continue
        if isinstance(ours, tuple) and isinstance(theirs, list) and (theirs or optional) and len(theirs) != len(ours):
            entries = f"{len(theirs)} entr{'y' if len(theirs) == 1 else 'ies'}"
            message = f"has {entries}, the English has {len(ours)}: one for each, in the same order"
            errors.append((at, "length", message, theirs))
        elif isinstance(ours, BaseModel) and isinstance(theirs, dict) and _derived(info) and not _text_only(type(ours)):
            errors += mismatches(type(ours), dict(ours), theirs, at)
    return errors


def in_language(english: BaseModel, translation: BaseModel | str) -> Any:
    """The same part with every marked field's text taken from `translation`: same ids, sources and circles."""
    if isinstance(translation, str):  # a part whose only marked field is its text
        return english.model_copy(update={"text": translation})
    update = {
        name: _value(info, getattr(english, name), getattr(translation, name))
        for name, info in translated_fields(type(english)).items()
    }
    return english.model_copy(update=update)


def _value(info: FieldInfo | None, ours: Any, theirs: Any) -> Any:
    marker = _marker(info) if info else None
    if marker and marker.as_ is not None:
        return theirs
    if ours is None:
        return None
    if isinstance(ours, tuple):
        return tuple(_value(None, mine, other) for mine, other in zip(ours, theirs, strict=True))
    if isinstance(ours, BaseModel) and translated_fields(type(ours)):
        if _text_only(type(ours)):
            return ours.model_copy(update={"text": theirs})
        return in_language(ours, theirs)
    return theirs
