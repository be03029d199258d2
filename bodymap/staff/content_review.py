"""Clinicians review the content as patients read it, and sign it off, region by region and language by language.

- `/staff/content`: every region in every language the clinic offers, with its state: draft, signed off (by whom,
  when), or changed since it was signed off (a draft again).
- `/staff/content/<slug>/<language>`: the panel exactly as patients read it, each red flag with its sources and links,
  the reading figures, the sign-offs so far, and for a clinician who reviews that language a **Sign off** button.

Every role may read these pages; only a clinician signs off, and only in the languages the account reviews. A
sign-off carries the digest of the text the clinician was shown: if the file changed meanwhile, it is refused and
the page shows the new text. The states are read from the database here (these pages are never stored).
"""

from __future__ import annotations

from dataclasses import dataclass

import flask_babel
from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import HiddenField
from wtforms.validators import InputRequired, Regexp

from bodymap import audit, content, data, review, roles
from bodymap.content import Region, patient_text, reading
from bodymap.data.models import SignOff
from bodymap.roles import Permission, requires
from bodymap.staff import bp
from bodymap.staff.layout import LANGUAGES_IN_ENGLISH, staff_title
from bodymap.web import languages


class SignOffForm(FlaskForm):
    # The digest of the text on the page the clinician read: the sign-off is for that text and no other.
    digest = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9a-f]{64}$")])


@dataclass(frozen=True)
class Row:
    region: Region  # in English, for the list's names
    states: list[tuple[str, review.State]]  # (language, state), in the clinic's order


def _offered() -> tuple[str, ...]:
    return languages.offered()


def _region(slug: str, lang: str) -> Region:
    """The region in `lang`, or 404 for a region or language the clinic does not have."""
    if lang not in _offered():
        abort(404)
    region = content.get(current_app, lang=lang).region(slug)
    if region is None:
        abort(404)
    return region


def may_sign(lang: str) -> bool:
    """This member may sign off text in `lang`: a clinician who reviews it."""
    return roles.may_sign_off(current_user, lang)


@bp.get("/content", endpoint="content")
@requires(Permission.READ_CONTENT)
def content_list():
    """Every region in every language, and where each stands."""
    register = review.read(data.request_session())
    rows = []
    for region in content.get(current_app, lang="en").regions:
        states = [
            (lang, register.state(content.get(current_app, lang=lang).region(region.slug), lang)) for lang in _offered()
        ]
        rows.append(Row(region, states))
    counts = {
        kind: sum(state.kind == kind for row in rows for _, state in row.states)
        for kind in ("signed", "changed", "draft")
    }
    return render_template(
        "staff/content.html",
        rows=rows,
        counts=counts,
        offered=_offered(),
        language_names=LANGUAGES_IN_ENGLISH,
        title=staff_title("Content review"),
    )


def _panel(region: Region, lang: str) -> Markup:
    """The panel as a patient reads it in `lang`: drawn in that language, then shown inside this English page."""
    before = g.get("lang")
    g.lang = lang
    try:
        with flask_babel.force_locale(lang):
            return Markup(render_template("map/_panel.html", region=region, side=None))
    finally:
        g.lang = before


def _history(slug: str, lang: str) -> list[SignOff]:
    query = select(SignOff).where(SignOff.region == slug, SignOff.language == lang).order_by(SignOff.id.desc())
    return list(data.request_session().scalars(query))


def _review_page(region: Region, lang: str, form: SignOffForm, status: int = 200, changed: bool = False):
    register = review.read(data.request_session())
    digest = patient_text.digest(region)
    form.digest.data = digest
    page = render_template(
        "staff/review.html",
        region=region,
        lang=lang,
        language_name=LANGUAGES_IN_ENGLISH[lang],
        state=register.state(region, lang, digest),
        digest=digest,
        panel=_panel(region, lang),
        figures=reading.figures(region, lang),
        history=_history(region.slug, lang),
        form=form,
        can_sign=may_sign(lang),
        changed=changed,
        title=staff_title(f"Review: {region.name} ({LANGUAGES_IN_ENGLISH[lang]})"),
    )
    return current_app.make_response((page, status))


@bp.get("/content/<slug>/<language>")
@requires(Permission.READ_CONTENT)
def content_review(slug: str, language: str):
    """One region in one language as patients read it, with its sources, figures and sign-offs."""
    return _review_page(_region(slug, language), language, SignOffForm(formdata=None))


@bp.post("/content/<slug>/<language>/sign-off")
@requires(Permission.SIGN_OFF)
def content_sign_off(slug: str, language: str):
    """A clinician who reviews the language vouches for the region's text as the page showed it."""
    lang = language  # (`lang` in an address is the public pages' language: see bodymap.web.languages)
    region = _region(slug, lang)
    if not may_sign(lang):
        abort(403)
    form = SignOffForm()
    if not form.validate():
        abort(400, description="The sign-off did not say which text it was for. Reload the page and try again.")
    try:
        review.sign_off(
            data.request_session(),
            region,
            lang,
            seen=form.digest.data,
            staff_id=current_user.id,
            signed_by=current_user.display_name,
            with_it=lambda row: audit.record(
                data.request_session(),
                "content_signed_off",
                current_user,
                target=("sign-off", row.id),
                new={"region": row.region, "language": row.language},
            ),
        )
    except review.TextChanged:
        return _review_page(region, lang, SignOffForm(formdata=None), status=409, changed=True)
    flash(f"Signed off: {region.name} in {LANGUAGES_IN_ENGLISH[lang]}, by {current_user.display_name}.")
    return redirect(url_for("staff.content_review", slug=slug, language=lang), 303)
