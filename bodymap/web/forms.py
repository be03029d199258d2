"""What a browser posted as a form, read safely by every blueprint's views."""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException


def posted_form() -> MultiDict:
    """The posted form fields: never a JSON body (flask-wtf would read one, and fail on a broken one),
    and empty when the body cannot be read at all, so an error page can still show the form."""
    try:
        return request.form
    except HTTPException:
        return ImmutableMultiDict()
