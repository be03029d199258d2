"""The widget a clinic puts on its homepage: `/embed` in an iframe, made by the `/embed.js` loader."""

from flask import Blueprint

bp = Blueprint("embed", __name__)

from bodymap.embed import views  # noqa: E402, F401  (the views add their routes to bp)
