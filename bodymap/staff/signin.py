"""Signing in and out, and the guard in front of every staff page: a member who is signed in
and has not been idle for 30 minutes."""

from __future__ import annotations

import datetime
import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from bodymap import data
from bodymap.data.models import StaffMember
from bodymap.extensions import limiter, login_manager
from bodymap.staff import bp
from bodymap.staff.accounts import authenticate
from bodymap.staff.layout import local_page, staff_title
from bodymap.web.rendering import is_htmx

IDLE_LIMIT = datetime.timedelta(minutes=30)
OPEN_ENDPOINTS = {"staff.login"}
# Requests the page makes by itself (polling) do not count as someone being at the desk.
BACKGROUND_ENDPOINTS = {"staff.queue_rows"}

login_manager.login_view = "staff.login"
login_manager.login_message = "Please sign in to see the front-desk pages."


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Please enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired("Please enter your password."), Length(max=200)])


@login_manager.user_loader
def load_member(token: str) -> StaffMember | None:
    """The member a session names, unless their password changed since (the version moved on)."""
    member_id, _, version = token.partition(":")
    if not member_id.isdigit() or not version.isdigit():
        return None
    member = data.session().get(StaffMember, int(member_id))
    if member is None or member.session_version != int(version):
        return None
    return member


@bp.before_request
def staff_only():
    """Every staff page but sign-in needs a signed-in member who has not been idle too long."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        last_seen = session.get("seen", 0)
        if time.time() - last_seen > IDLE_LIMIT.total_seconds():
            logout_user()
            session.clear()
            flash("You were signed out after 30 minutes without activity. Please sign in again.")
        else:
            if request.endpoint not in BACKGROUND_ENDPOINTS:
                session["seen"] = time.time()
            return None
    if request.method == "GET" and not is_htmx():
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    page = render_template("staff/signed_out.html", title=staff_title("Please sign in"))
    response = current_app.make_response((page, 401))
    response.headers["HX-Redirect"] = url_for("staff.login")
    return response


@bp.after_request
def never_store(response):
    """Every staff page holds personal data or a CSRF token: no cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _failed(response) -> bool:
    """A sign-in that did not succeed counts towards the limits."""
    return response.status_code != 303


def _account_key() -> str:
    """Failures are also counted per account, whatever address they come from."""
    return "staff-login:" + request.form.get("email", "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=_account_key, deduct_when=_failed)
@limiter.limit("10 per minute;50 per hour", methods=["POST"], deduct_when=_failed)
def login():
    """The sign-in form; a member who signs in gets a new session and the page they asked for."""
    form = LoginForm()
    if request.method == "GET":
        return render_template("staff/login.html", form=form, error=None, title=staff_title("Sign in"))
    member = authenticate(data.session(), form.email.data or "", form.password.data or "") if form.validate() else None
    if member is None:
        error = "That email and password do not match an account. Please try again."
        return render_template("staff/login.html", form=form, error=error, title=staff_title("Sign in")), 401
    next_page = local_page(request.args.get("next"), "/staff/", "staff.queue")
    session.clear()  # a new session at sign-in: nothing from before carries over, the CSRF token included
    login_user(member)
    session.permanent = True
    session["seen"] = time.time()
    return redirect(next_page, 303)


@bp.post("/logout")
def logout():
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("staff.login"), 303)


@bp.get("/")
def home():
    """The front desk starts at the callback queue."""
    return redirect(url_for("staff.queue"))


@bp.errorhandler(429)
def login_refused(error):
    """Too many failed sign-ins for this account or address."""
    form = LoginForm()
    message = "Too many failed sign-ins. Please wait 15 minutes and try again, or ask a manager."
    return render_template("staff/login.html", form=form, error=message, title=staff_title("Sign in")), 429


@bp.errorhandler(CSRFError)
def login_expired(error):
    """The sign-in page sat open too long: a fresh form, with the email kept."""
    form = LoginForm()
    message = "The sign-in page was open for a long time. Please enter your password again."
    return render_template("staff/login.html", form=form, error=message, title=staff_title("Sign in")), 400


@bp.record_once
def _session_lifetime(state) -> None:
    """A staff session lasts as long as the idle limit."""
    state.app.config["PERMANENT_SESSION_LIFETIME"] = IDLE_LIMIT
