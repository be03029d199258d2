"""What patients see: the map, a region's page, the panel htmx swaps in, and what search engines read."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from bodymap.public import free_times, pain_list, seo, views  # noqa: E402, F401  (the views add their routes to bp)
