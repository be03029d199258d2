"""What a browser posted as a form, read safely by every blueprint's views, and numbers read from a request."""

from __future__ import annotations

import re

from flask import request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import BaseConverter

DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII digits only: "¹²" or "٣" are digits to str.isdigit(), not to us


def whole_number(text: object) -> int | None:
    """A whole number written in ASCII digits (at most nine of them), else None."""
    return int(text) if isinstance(text, str) and DIGITS.fullmatch(text) else None


class RecordId(BaseConverter):
    """`<id:request_id>`: a row's id in an address, 1 to 9 ASCII digits. Anything longer is no row of ours (and too big
    for the database's integer), so the address matches no page: a 404, never a database error."""

    regex = r"[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def _odd_digit(key: str) -> bool:
    """A field name with a digit other than 0-9 in it (a repeated field's index written "¹"): no form of ours has
    one, and WTForms would take it for an index it cannot read."""
    return any(character.isdigit() and not character.isascii() for character in key)


def posted_form_within_limit() -> MultiDict:
    """The posted fields, or a 413 page when the body is over MAX_CONTENT_LENGTH: for a form that keeps nothing and
    would otherwise answer as if nothing had been posted (the pain list)."""
    try:
        request.form  # noqa: B018 - reading it raises RequestEntityTooLarge for a body over the limit
    except RequestEntityTooLarge:
        raise
    except HTTPException:
        pass
    return posted_form()


def posted_form() -> MultiDict:
    """The posted form fields: never a JSON body (flask-wtf would read one, and fail on a broken one), without field
    names no form of ours has (see `_odd_digit`), and empty when the body cannot be read at all, so an error page
    can still show the form."""
    try:
        form = request.form
    except HTTPException:
        return ImmutableMultiDict()
    if any(_odd_digit(key) for key in form):
        return ImmutableMultiDict([(key, value) for key, value in form.items(multi=True) if not _odd_digit(key)])
    return form
