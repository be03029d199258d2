"""`/staff/accounts`, for admins: every account with its role, last sign-in and active sessions; add one (which shows
its one-time set-password link, once), change a role, disable and re-enable, sign out everywhere, a new set-password
link, remove.

Every form is a plain POST with its CSRF token, answered by a redirect back to the list (or, for a new link, a page
that shows it once and is never stored). A change the rules refuse (the last active admin, one's own account) comes
back as the list with the reason (409); a form with a mistake, with what was typed (422). Each change is made and
audited by `account_changes`.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from bodymap import content, data, roles
from bodymap.data.models import StaffMember, StaffSession
from bodymap.roles import Permission, requires
from bodymap.staff import account_changes, accounts, bp
from bodymap.staff.account_changes import AccountRefused
from bodymap.staff.layout import LANGUAGES_IN_ENGLISH, staff_title
from bodymap.staff.signin import ABSOLUTE_LIMIT, IDLE_LIMIT
from bodymap.web.forms import posted_form
from bodymap.web.titles import absolute_url

ROLE_WORDS = {"desk": "Desk: callbacks, call guide, insights", "admin": "Admin: the desk's pages, accounts, audit",
              "clinician": "Clinician: reads and signs off the content"}  # fmt: skip
NAME_LENGTH = StaffMember.display_name.type.length


class AddAccountForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Please enter the email."), Length(max=254)])
    name = StringField(
        "Name (and credential, for a clinician)",
        validators=[Length(max=NAME_LENGTH, message=f"Please keep the name under {NAME_LENGTH} characters.")],
    )
    role = SelectField("Role", choices=ROLE_WORDS, default=roles.DEFAULT_ROLE)
    languages = SelectMultipleField(
        "Languages a clinician reviews", widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = [(lang, LANGUAGES_IN_ENGLISH[lang]) for lang in _offered()]

    def validate_email(self, field) -> None:
        try:
            field.data = accounts.normalise_email(field.data or "")
        except ValueError:
            raise ValidationError("That is not an email address.") from None


class RoleForm(FlaskForm):
    role = SelectField("Role", choices={role: role.capitalize() for role in roles.ROLES})


class ButtonForm(FlaskForm):
    """A form of one button: only its CSRF token is checked."""


def _offered() -> tuple[str, ...]:
    return content.get(current_app).clinic.languages


def _member(member_id: int) -> StaffMember:
    member = data.request_session().get(StaffMember, member_id)
    if member is None:
        abort(404)
    return member


def _list_page(add_form: AddAccountForm | None = None, status: int = 200, error: str | None = None):
    members = list(data.request_session().scalars(select(StaffMember).order_by(StaffMember.email)))
    sessions = account_changes.active_sessions(data.request_session(), IDLE_LIMIT, ABSOLUTE_LIMIT)
    page = render_template(
        "staff/accounts.html",
        members=members,
        sessions=sessions,
        add_form=add_form or AddAccountForm(formdata=None),
        role_forms={member.id: RoleForm(formdata=None, role=member.role) for member in members},
        button=ButtonForm(formdata=None),
        error=error,
        title=staff_title("Staff accounts"),
    )
    return current_app.make_response((page, status))


@bp.get("/accounts")
@requires(Permission.ACCOUNTS)
def accounts_list():
    return _list_page()


def _link_page(member: StaffMember, token: str, added: bool):
    page = render_template(
        "staff/account_link.html",
        member=member,
        link=absolute_url(url_for("staff.set_password", token=token)),
        hours=int(account_changes.LINK_LIFETIME.total_seconds() // 3600),
        added=added,
        title=staff_title("Account added" if added else "New set-password link"),
    )
    response = current_app.make_response((page, 201))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/accounts")
@requires(Permission.ACCOUNTS)
def add_account():
    """Add an account and show its set-password link, once."""
    form = AddAccountForm(formdata=posted_form())
    if not form.validate():
        return _list_page(form, 422)
    name = " ".join((form.name.data or "").split())
    chosen = [lang for lang in _offered() if lang in (form.languages.data or [])]
    languages = ",".join(chosen or _offered())
    db_session = data.request_session()
    try:
        member = account_changes.add(db_session, current_user, form.email.data, form.role.data, name, languages)
        token = account_changes.make_link(db_session, current_user, member)
    except AccountRefused as refused:
        db_session.rollback()
        return _list_page(form, 409, str(refused))
    db_session.commit()
    return _link_page(member, token, added=True)


def _change(member_id: int, change, done: str):
    """Apply `change(db_session, member)` (AccountRefused: the list, with why) and go back to the list."""
    db_session = data.request_session()
    member = _member(member_id)
    if not ButtonForm(formdata=posted_form()).validate():
        abort(400, description="That form was not complete. Reload the page and try again.")
    try:
        result = change(db_session, member)
    except AccountRefused as refused:
        db_session.rollback()
        return _list_page(status=409, error=str(refused))
    db_session.commit()
    message = done.format(email=member.email, result=result)
    if db_session.get(StaffSession, g.staff_session.id) is None:  # the admin signed their own sessions out
        logout_user()
        session.clear()
        flash(message)
        return redirect(url_for("staff.login"), 303)
    flash(message)
    if not roles.may(current_user, Permission.ACCOUNTS):
        return redirect(url_for("staff.home"), 303)
    return redirect(url_for("staff.accounts_list"), 303)


@bp.post("/accounts/<id:member_id>/role")
@requires(Permission.ACCOUNTS)
def change_role(member_id: int):
    form = RoleForm(formdata=posted_form())
    if not form.validate():
        abort(400, description="That role is not one we know: admin, desk or clinician.")
    languages = ",".join(_offered())
    return _change(
        member_id,
        lambda db, member: account_changes.change_role(db, current_user, member, form.role.data, languages),
        "{email} is now " + form.role.data + ".",
    )


@bp.post("/accounts/<id:member_id>/disable")
@requires(Permission.ACCOUNTS)
def disable_account(member_id: int):
    return _change(
        member_id,
        lambda db, member: account_changes.disable(db, current_user, member),
        "{email} is disabled: it cannot sign in, and its sessions have ended.",
    )


@bp.post("/accounts/<id:member_id>/enable")
@requires(Permission.ACCOUNTS)
def enable_account(member_id: int):
    return _change(
        member_id,
        lambda db, member: account_changes.enable(db, current_user, member),
        "{email} can sign in again.",
    )


@bp.post("/accounts/<id:member_id>/signout-everywhere")
@requires(Permission.ACCOUNTS)
def sign_out_account(member_id: int):
    return _change(
        member_id,
        lambda db, member: account_changes.sign_out_everywhere(db, current_user, member),
        "Signed {email} out everywhere ({result} sessions ended).",
    )


@bp.post("/accounts/<id:member_id>/remove")
@requires(Permission.ACCOUNTS)
def remove_account(member_id: int):
    return _change(
        member_id,
        lambda db, member: account_changes.remove(db, current_user, member),
        "Removed {email}. Its audit trail stays.",
    )


@bp.post("/accounts/<id:member_id>/password-link")
@requires(Permission.ACCOUNTS)
def new_password_link(member_id: int):
    """A new one-time link for an account (its earlier unused links stop working), shown once."""
    member = _member(member_id)
    if not ButtonForm(formdata=posted_form()).validate():
        abort(400, description="That form was not complete. Reload the page and try again.")
    db_session = data.request_session()
    try:
        token = account_changes.make_link(db_session, current_user, member)
    except AccountRefused as refused:
        db_session.rollback()
        return _list_page(status=409, error=str(refused))
    db_session.commit()
    return _link_page(member, token, added=False)
