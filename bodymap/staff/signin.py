"""Signing in and out, and the guard in front of every staff page: a member whose sign-in the server still
knows, who has not been idle for 30 minutes and signed in less than 12 hours ago, and whose role may do what the
page is for (`bodymap.roles`: each view says what it needs; one that says nothing is refused to everyone).

Each sign-in is a row in `staff_sessions`; the cookie carries a random token for it. Signing out, a new
password, removing the account and `staff signout-everywhere` delete rows, so a copied cookie opens nothing
afterwards.

Failed sign-ins are counted per account and address together (5 a minute, 20 an hour), so a stranger's guesses
from one address never lock a colleague out at her own desk, and per address (30 a minute, 100 an hour, whatever
the account, known or not, so the answer never says whether an account exists): a clinic whose staff share one
public address (a NAT, the guest Wi-Fi) stays far below that. Nothing locks an account: many failures for one
account from many addresses are logged, and its owner's correct password from a new address still works. A
refused sign-in is answered at once, with the wait; nothing sleeps in a request.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy import delete, or_
from sqlalchemy.exc import SQLAlchemyError
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from bodymap import audit, data, roles
from bodymap.data.models import StaffMember, StaffSession, utcnow
from bodymap.extensions import login_manager
from bodymap.operations.access import network
from bodymap.staff import bp, pending_signouts
from bodymap.staff.accounts import MAX_PASSWORD_LENGTH, authenticate, find
from bodymap.staff.layout import local_page, staff_title
from bodymap.web import rate_limits
from bodymap.web.errors import (
    RETRY_AFTER_SECONDS,
    expired_page,
    log_database_error,
    log_refused_form,
    wait_in_words,
)
from bodymap.web.forms import posted_form, whole_number
from bodymap.web.rendering import is_htmx
from bodymap.web.user_agents import device

IDLE_LIMIT = datetime.timedelta(minutes=30)
ABSOLUTE_LIMIT = datetime.timedelta(hours=12)
# A session's last activity is written at most once a minute, not on every page.
SEEN_PRECISION = datetime.timedelta(minutes=1)
SESSION_TOKEN = "staff_session"
OPEN_ENDPOINTS = {"staff.login", "staff.logout", "staff.set_password"}
EVERY_MEMBER = {"staff.home"}  # where a member starts: it sends each role on to its first page
# Requests the page makes by itself (polling) do not count as someone being at the desk.
BACKGROUND_ENDPOINTS = {"staff.queue_rows"}

PAIR_LIMIT = "5 per minute;20 per hour"  # failures for one account from one address: refused for a while
ADDRESS_LIMIT = "30 per minute;100 per hour"  # failures from one address, any account: refused for a while
ACCOUNT_WATCH = "30 per hour"  # failures for one account from anywhere: past it, the log says so (never a lockout)

login_manager.login_view = "staff.login"
login_manager.login_message = "Please sign in to see the front-desk pages."


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Please enter your email."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[InputRequired("Please enter your password."), Length(max=MAX_PASSWORD_LENGTH)]
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _end(row: StaffSession, why: str) -> None:
    """Delete a sign-in that ran out (audited), and remember why for the message on the sign-in page."""
    member = data.request_session().get(StaffMember, row.staff_id)
    data.request_session().delete(row)
    if member is not None:
        audit.record(data.request_session(), "session_timed_out", member, new={"why": why})
    data.request_session().commit()
    g.staff_session_ended = why


@login_manager.user_loader
def load_member(token: str) -> StaffMember | None:
    """The member this browser's sign-in belongs to, while the server still has it and it has not run out."""
    if g.get("database_unavailable"):  # the 503 page is being drawn: it must not ask the database again
        return None
    member_id, _, version = token.partition(":")
    session_token = session.get(SESSION_TOKEN)
    member_number, version_number = whole_number(member_id), whole_number(version)
    if member_number is None or version_number is None or not isinstance(session_token, str):
        return None
    digest = token_digest(session_token)
    if digest in pending_signouts.of(current_app).pending():  # signed out while the database was not answering
        return None
    row = data.request_session().get(StaffSession, digest)
    if row is None or row.staff_id != member_number:
        return None
    now = utcnow()
    if now - row.created_at > ABSOLUTE_LIMIT:
        _end(row, "absolute")
        return None
    if now - row.last_seen_at > IDLE_LIMIT:
        _end(row, "idle")
        return None
    member = data.request_session().get(StaffMember, row.staff_id)
    if member is None or member.session_version != version_number or not member.active:
        return None
    g.staff_session = row
    return member


ENDED_MESSAGES = {
    "idle": "You were signed out after 30 minutes without activity. Please sign in again.",
    "absolute": "You were signed out because you signed in 12 hours ago. Please sign in again.",
}


@bp.before_request
def staff_only():
    """Every staff page but sign-in and sign-out needs a member whose sign-in is still good."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        row = g.staff_session
        if request.endpoint not in BACKGROUND_ENDPOINTS and utcnow() - row.last_seen_at > SEEN_PRECISION:
            row.last_seen_at = utcnow()
            data.request_session().commit()
        view = current_app.view_functions.get(request.endpoint or "")
        if request.endpoint not in EVERY_MEMBER and not roles.may(current_user, roles.needed(view)):
            return forbidden()
        return None
    if "_user_id" in session:  # a sign-in the server no longer has: forget it in this browser too
        logout_user()
        session.clear()
    if g.get("staff_session_ended"):
        flash(ENDED_MESSAGES[g.staff_session_ended])
    if request.method == "GET" and not is_htmx():
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    page = render_template("staff/signed_out.html", title=staff_title("Please sign in"))
    response = current_app.make_response((page, 401))
    response.headers["HX-Redirect"] = url_for("staff.login")
    return response


def forbidden():
    """A signed-in member whose role may not do what this page is for: 403, saying which pages the role has."""
    can_do = f"It may open: {roles.in_words(current_user.role)}."
    page = render_template("staff/forbidden.html", role_can_do=can_do, title=staff_title("Not for your account"))
    return current_app.make_response((page, 403))


@bp.after_request
def never_store(response):
    """Every staff page holds personal data or a CSRF token: no cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _posted_email() -> str:
    return str(posted_form().get("email", "")).strip().lower()[:254]


def _address() -> str:
    return request.remote_addr or "-"  # the client's, through TRUSTED_PROXIES (ProxyFix)


def _note_account_failure(email: str) -> None:
    """Many failures for one account from anywhere: past the watch, each is logged (no email), never a lockout.
    Each failure is audited: against the account when there is one, as an `unknown account` otherwise (the typed
    email is never kept)."""
    if email and not rate_limits.current().take(ACCOUNT_WATCH, "staff-login-account", email):
        current_app.logger.warning("More than 30 failed sign-ins for one account in the last hour")
    known = find(data.request_session(), email) if email else None
    why = {"why": "account disabled"} if known is not None and not known.active else None
    audit.record(data.request_session(), "sign_in_failed", known, actor=audit.UNKNOWN_ACCOUNT, new=why)
    data.request_session().commit()


def _login_page(form: LoginForm, status: int, error: str | None = None):
    page = render_template("staff/login.html", form=form, error=error, title=staff_title("Sign in"))
    return current_app.make_response((page, status))


def _start_session(member: StaffMember) -> None:
    """A new session at sign-in: nothing from before carries over (the CSRF token included), and a new row."""
    now = utcnow()
    data.request_session().execute(
        delete(StaffSession).where(
            StaffSession.staff_id == member.id,
            or_(StaffSession.created_at < now - ABSOLUTE_LIMIT, StaffSession.last_seen_at < now - IDLE_LIMIT),
        )
    )
    token = secrets.token_urlsafe(32)
    data.request_session().add(
        StaffSession(
            id=token_digest(token),
            staff_id=member.id,
            created_at=now,
            last_seen_at=now,
            device=device(request.user_agent.string),
            address=network(request.remote_addr),
        )
    )
    member.last_sign_in_at = now
    audit.record(data.request_session(), "signed_in", member)
    data.request_session().commit()
    session.clear()
    login_user(member)
    session[SESSION_TOKEN] = token
    session.permanent = True


def _refused(wait: int):
    """Too many failed sign-ins: answered at once, with how long to wait."""
    message = f"Too many failed sign-ins from here. Please wait {wait_in_words(wait)} and try again, or ask a manager."
    response = _login_page(LoginForm(formdata=posted_form()), 429, message)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a member who signs in gets a new session and the page they asked for."""
    if request.method == "GET":
        return _login_page(LoginForm(formdata=None), 200)
    form = LoginForm(formdata=posted_form())
    email = (form.email.data or "").strip().lower()
    limits = rate_limits.current()
    # A place in each limit is taken before the password is checked, and given back unless it failed: so many
    # guesses at once are counted exactly, and a correct password or an outage costs nothing.
    pair = limits.take(PAIR_LIMIT, "staff-login", _posted_email(), _address())
    if not pair:
        return _refused(pair.wait)
    address = limits.take(ADDRESS_LIMIT, "staff-login-address", _address())
    if not address:
        pair.give_back()
        return _refused(address.wait)
    failed = False
    try:
        member = authenticate(data.request_session(), email, form.password.data or "") if form.validate() else None
        if member is None:
            failed = True
            _note_account_failure(email)
            return _login_page(form, 401, "That email and password do not match an account. Please try again.")
        next_page = local_page(request.args.get("next"), "/staff/", roles.HOME.get(member.role, "staff.content"))
        _start_session(member)
    except SQLAlchemyError as error:
        data.request_session().rollback()
        log_database_error(error)
        message = "We cannot sign you in just now: the clinic's system is not answering. Please try again in a minute."
        response = _login_page(form, 503, message)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    finally:
        if not failed:
            pair.give_back()
            address.give_back()
    return redirect(next_page, 303)


@bp.post("/logout")
def logout():
    """Sign out: the server forgets this sign-in (so a copy of the cookie opens nothing), and so does the browser."""
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        try:
            member = current_user._get_current_object() if current_user.is_authenticated else None
            ended = delete(StaffSession).where(StaffSession.id == token_digest(token))
            if data.request_session().execute(ended).rowcount and member is not None:
                audit.record(data.request_session(), "signed_out", member)
            data.request_session().commit()
        except SQLAlchemyError as error:  # ended anyway: kept on the pending list until the database records it
            data.request_session().rollback()
            log_database_error(error)
            g.database_unavailable = True
            pending_signouts.of(current_app).add(token_digest(token))
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("staff.login"), 303)


@bp.get("/")
def home():
    """Each role starts at its first page: the desk and admins at the callback queue, clinicians at the content."""
    return redirect(url_for(roles.HOME.get(current_user.role, "staff.content")))


@bp.errorhandler(CSRFError)
def login_expired(error):
    """The sign-in page sat open too long: a fresh form, with the email kept. Any other staff form: reload it."""
    log_refused_form(error)
    if request.endpoint != "staff.login":
        return expired_page()
    message = "The sign-in page was open for a long time. Please enter your password again."
    return _login_page(LoginForm(formdata=posted_form()), 400, message)


@bp.errorhandler(SQLAlchemyError)
def database_unavailable(error):
    """The database is down or locked: a staff-styled 503 that itself never touches the database."""
    g.database_unavailable = True
    data.request_session().rollback()
    log_database_error(error)
    page = render_template("staff/unavailable.html", title=staff_title("Please try again in a minute"))
    response = current_app.make_response((page, 503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@bp.record_once
def _pending_signouts(state) -> None:
    pending_signouts.init_app(state.app)


@bp.record_once
def _session_lifetime(state) -> None:
    """The cookie lasts as long as the idle limit; the server ends the session itself too."""
    state.app.config["PERMANENT_SESSION_LIFETIME"] = IDLE_LIMIT
