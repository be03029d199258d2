"""Callback requests: a patient asks the clinic to call them back."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from bodymap import content

bp = Blueprint("callback", __name__)


@bp.get("/callback")
def new():
    region = content.get(current_app).region(request.args.get("region", ""))
    side = request.args.get("side") if region and request.args.get("side") in region.sides else None
    return render_template(
        "callback/new.html",
        region=region,
        side=side,
        title=f"Request a callback · {content.get(current_app).clinic.name}",
    )
