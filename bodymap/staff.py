"""The front desk's side: sign-in, the guard on every staff page, and the staff layout.

The queue, the call guide and insights live in their own modules and add their
routes to this blueprint, so every one of them is behind the same guard.
"""

from __future__ import annotations

import datetime
import time

import phonenumbers
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from bodymap import content, db
from bodymap.models import CALL_OUTCOMES, PREFERRED_TIMES, STATUSES, CallbackRequest, StaffMember, utcnow
from bodymap.ratelimit import limiter
from bodymap.staff_accounts import authenticate, staff_cli

bp = Blueprint("staff", __name__, url_prefix="/staff")
login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.login_message = "Please sign in to see the front-desk pages."

IDLE_LIMIT = datetime.timedelta(minutes=30)
OPEN_ENDPOINTS = {"staff.login"}
# Requests the page makes by itself (polling) do not count as someone being at the desk.
BACKGROUND_ENDPOINTS = {"staff.queue_rows"}


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Please enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired("Please enter your password."), Length(max=200)])


@login_manager.user_loader
def load_member(token: str) -> StaffMember | None:
    member_id, _, version = token.partition(":")
    if not member_id.isdigit() or not version.isdigit():
        return None
    member = db.session().get(StaffMember, int(member_id))
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
    if request.method == "GET" and request.headers.get("HX-Request") != "true":
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    page = render_template("staff/signed_out.html", title=staff_title("Please sign in"))
    response = current_app.make_response((page, 401))
    response.headers["HX-Redirect"] = url_for("staff.login")
    return response


@bp.after_request
def never_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def staff_title(text: str) -> str:
    return f"{text} · Front desk · {content.get(current_app).clinic.name}"


def _failed(response) -> bool:
    return response.status_code != 303


def _account_key() -> str:
    return "staff-login:" + request.form.get("email", "").strip().lower()[:254]


def local_page(target: str | None, prefix: str, fallback: str) -> str:
    """`target` when it is a path on this site under `prefix`; `fallback` (an endpoint) for anything else."""
    if target and target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return url_for(fallback)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=_account_key, deduct_when=_failed)
@limiter.limit("10 per minute;50 per hour", methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    if request.method == "GET":
        return render_template("staff/login.html", form=form, error=None, title=staff_title("Sign in"))
    member = authenticate(db.session(), form.email.data or "", form.password.data or "") if form.validate() else None
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
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("staff.login"), 303)


@bp.get("/")
def home():
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


def new_callback_count() -> int:
    return db.session().scalar(select(func.count()).where(CallbackRequest.status == "new")) or 0


@bp.context_processor
def staff_header():
    """The count of new callback requests for the staff header, and the names staff pages show."""
    names = {"preferred_times": PREFERRED_TIMES, "statuses": STATUSES, "call_outcomes": CALL_OUTCOMES}
    if current_user.is_authenticated:
        return {**names, "new_callbacks": new_callback_count()}
    return names


@bp.app_template_filter("ago")
def ago(moment: datetime.datetime) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago' (times are UTC)."""
    seconds = max(0, (utcnow() - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return "1 day ago" if days == 1 else f"{days} days ago"


@bp.app_template_filter("phone_display")
def phone_display(e164: str) -> str:
    """+15035550142 as (503) 555-0142 for the clinic's own country, international otherwise."""
    country = content.get(current_app).clinic.country
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    same_country = phonenumbers.region_code_for_number(number) == country
    style = phonenumbers.PhoneNumberFormat.NATIONAL if same_country else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def init_app(app) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = IDLE_LIMIT
    login_manager.init_app(app)
    app.cli.add_command(staff_cli)
    app.register_blueprint(bp)


# The other staff pages add their routes to `bp`, behind `staff_only`.
from bodymap import call_guide, insights, staff_queue  # noqa: E402, F401
