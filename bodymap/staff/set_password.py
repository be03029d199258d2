"""`/staff/set-password/<token>`: the one-time link an admin gives a new member (or one who forgot their password).

The token is 32 random bytes; the database keeps only its SHA-256, so a copy of the table opens nothing. The link
works once, within 24 hours, for an active account. Using it is one UPDATE that succeeds only while the link is
still unused and unexpired, so two tabs sending the form at once set the password once. The password follows the
same rules as everywhere (`accounts.check_password_rules`, with the member's email and the clinic's name, city and
website); setting it ends every session of the account, and is audited. The page is never cached and sends no
Referer, so the token leaves no trace in another site's logs.
"""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select, update
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from bodymap import content, data
from bodymap.data.models import PasswordLink, StaffMember, utcnow
from bodymap.staff import account_changes, accounts, bp
from bodymap.staff.layout import staff_title
from bodymap.web.forms import posted_form

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[InputRequired("Please enter a password."), Length(max=accounts.MAX_PASSWORD_LENGTH)],
    )
    confirm = PasswordField(
        "The same password again",
        validators=[
            InputRequired("Please enter it twice."),
            EqualTo("password", "The two passwords are not the same."),
        ],
    )


def _link(token: str) -> tuple[PasswordLink | None, StaffMember | None]:
    """The link the token opens and its account; 404 for a token no link ever had."""
    if not TOKEN.fullmatch(token):
        abort(404)
    link = data.request_session().scalar(
        select(PasswordLink).where(PasswordLink.digest == account_changes.token_digest(token))
    )
    if link is None:
        abort(404)
    member = data.request_session().get(StaffMember, link.staff_id)
    usable = link.used_at is None and link.expires_at > utcnow() and member is not None and member.active
    return (link, member) if usable else (None, None)


def _page(form: SetPasswordForm, member: StaffMember | None, status: int = 200, error: str | None = None):
    page = render_template(
        "staff/set_password.html",
        form=form,
        member=member,
        error=error,
        title=staff_title("Set your password" if member else "This link no longer works"),
    )
    response = current_app.make_response((page, status if member else 410))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/set-password/<token>", methods=["GET", "POST"], endpoint="set_password")
def set_password_page(token: str):
    """The form to set a password; 410 once the link was used or 24 hours have passed."""
    link, member = _link(token)
    if member is None:
        return _page(SetPasswordForm(formdata=None), None)
    if request.method == "GET":
        return _page(SetPasswordForm(formdata=None), member)
    form = SetPasswordForm(formdata=posted_form())
    if not form.validate():
        return _page(form, member, 422)
    try:
        accounts.check_password_rules(
            form.password.data, member.email, accounts.clinic_words(content.get(current_app).clinic)
        )
    except accounts.PasswordRefused as error:
        return _page(form, member, 422, str(error))
    now = utcnow()
    claimed = data.request_session().execute(
        update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None), PasswordLink.expires_at > now)
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # the other tab was first
        data.request_session().rollback()
        return _page(SetPasswordForm(formdata=None), None)
    account_changes.set_password(data.request_session(), member, member, accounts.hash_password(form.password.data))
    data.request_session().commit()
    flash("Your password is set. Please sign in with it.")
    return redirect(url_for("staff.login"), 303)
