"""Every change to a staff account, made by an admin in the browser or on the server's command line, audited with it.

Each function changes the account in the caller's session and adds the audit row there too, so both are committed
together; `by` is the admin who asked (None: the command line). The rules:

- nobody leaves the clinic without an active admin: the last one cannot be demoted, disabled or removed (on
  PostgreSQL the active admins' rows are locked while this is checked, so two admins demoting each other at the same
  moment cannot both succeed);
- in the browser an admin does not disable or remove their own account (another admin, or the command line, can);
- disabling an account ends its sessions and its unused set-password links; it cannot sign in until re-enabled;
- a set-password link is a random token (only its SHA-256 is kept), valid LINK_LIFETIME, used once; a new one
  replaces the account's earlier unused links.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bodymap import audit
from bodymap.data.models import PasswordLink, StaffMember, StaffSession, utcnow
from bodymap.roles import ROLES
from bodymap.staff import accounts

LINK_LIFETIME = datetime.timedelta(hours=24)


class AccountRefused(ValueError):
    """The change is not allowed; the message says why, to the admin."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _target(member: StaffMember) -> tuple[str, int]:
    return ("account", member.id)


def _other_active_admins(db_session: Session, member: StaffMember) -> int:
    """How many active admins there are besides `member`, their rows locked (PostgreSQL) until the commit."""
    admins = select(StaffMember.id).where(StaffMember.role == "admin", StaffMember.disabled_at.is_(None))
    ids = db_session.scalars(admins.with_for_update()).all()
    return len([found for found in ids if found != member.id])


def _keep_an_admin(db_session: Session, member: StaffMember, doing: str) -> None:
    if member.role == "admin" and member.active and _other_active_admins(db_session, member) == 0:
        raise AccountRefused(
            f"{member.email} is the last active admin, so it cannot be {doing}: make another account admin first."
        )


def _not_yourself(by: StaffMember | None, member: StaffMember, doing: str) -> None:
    if by is not None and by.id == member.id:
        raise AccountRefused(f"You cannot {doing} your own account. Ask another admin.")


def end_sessions(db_session: Session, member: StaffMember) -> int:
    """Delete every sign-in of `member`: each browser holding one is sent to the sign-in page."""
    return db_session.execute(delete(StaffSession).where(StaffSession.staff_id == member.id)).rowcount


def add(
    db_session: Session,
    by: StaffMember | None,
    email: str,
    role: str,
    name: str = "",
    review_languages: str = "",
    password_hash: str | None = None,
) -> StaffMember:
    """A new account; without a password hash it has none anyone knows, until its set-password link is used."""
    if role not in ROLES:
        raise AccountRefused(f"{role!r} is not a role: pick admin, desk or clinician.")
    if role == "clinician" and not name:
        raise AccountRefused('A clinician signs off with a name and credential, e.g. "Dana Ruiz, PT, DPT".')
    if accounts.find(db_session, email) is not None:
        raise AccountRefused(f"{email} already has an account.")
    member = StaffMember(
        email=email,
        password_hash=password_hash or accounts.hash_password(secrets.token_urlsafe(32)),
        role=role,
        display_name=name,
        review_languages=review_languages if role == "clinician" else "",
    )
    db_session.add(member)
    db_session.flush()
    audit.record(db_session, "account_added", by, target=_target(member), new={"email": email, "role": role})
    return member


def change_role(db_session: Session, by: StaffMember | None, member: StaffMember, role: str, languages: str) -> None:
    """`member` becomes `role` (a clinician reviews `languages` unless it already reviews some)."""
    if role not in ROLES:
        raise AccountRefused(f"{role!r} is not a role: pick admin, desk or clinician.")
    if role == member.role:
        return
    if role == "clinician" and not member.display_name:
        raise AccountRefused(
            f"{member.email} has no name to sign off with, so it cannot be a clinician: add the clinician as a new"
            " account, with their name and credential."
        )
    if member.role == "admin":
        _keep_an_admin(db_session, member, "made " + role)
    old = member.role
    member.role = role
    if role == "clinician" and not member.review_languages:
        member.review_languages = languages
    audit.record(db_session, "role_changed", by, target=_target(member), old={"role": old}, new={"role": role})


def disable(db_session: Session, by: StaffMember | None, member: StaffMember) -> None:
    """The account cannot sign in, and every session of it ends now."""
    if not member.active:
        return
    _not_yourself(by, member, "disable")
    _keep_an_admin(db_session, member, "disabled")
    member.disabled_at = utcnow()
    member.session_version += 1
    ended = end_sessions(db_session, member)
    db_session.execute(delete(PasswordLink).where(PasswordLink.staff_id == member.id, PasswordLink.used_at.is_(None)))
    audit.record(db_session, "account_disabled", by, target=_target(member), new={"sessions_ended": ended})


def enable(db_session: Session, by: StaffMember | None, member: StaffMember) -> None:
    if member.active:
        return
    member.disabled_at = None
    audit.record(db_session, "account_enabled", by, target=_target(member))


def sign_out_everywhere(db_session: Session, by: StaffMember | None, member: StaffMember) -> int:
    """End every session of `member` (a lost phone, a shared computer); the password stays. How many ended."""
    ended = end_sessions(db_session, member)
    audit.record(db_session, "signed_out_everywhere", by, target=_target(member), new={"sessions_ended": ended})
    return ended


def remove(db_session: Session, by: StaffMember | None, member: StaffMember) -> None:
    """Delete the account; its sessions and links go with it, its audit rows stay (with its email)."""
    _not_yourself(by, member, "remove")
    _keep_an_admin(db_session, member, "removed")
    audit.record(
        db_session, "account_removed", by, target=_target(member), old={"email": member.email, "role": member.role}
    )
    end_sessions(db_session, member)
    db_session.delete(member)


def set_password(db_session: Session, by: StaffMember | None, member: StaffMember, password_hash: str) -> None:
    """A new password (already checked and hashed): every session signed in with the old one ends."""
    member.password_hash = password_hash
    member.session_version += 1
    end_sessions(db_session, member)
    audit.record(db_session, "password_set", by, target=_target(member))


def make_link(db_session: Session, by: StaffMember | None, member: StaffMember) -> str:
    """A new one-time set-password link's token for `member` (its earlier unused links stop working)."""
    if not member.active:
        raise AccountRefused(f"{member.email} is disabled: re-enable it first.")
    db_session.execute(delete(PasswordLink).where(PasswordLink.staff_id == member.id, PasswordLink.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db_session.add(
        PasswordLink(digest=token_digest(token), staff_id=member.id, created_at=now, expires_at=now + LINK_LIFETIME)
    )
    audit.record(db_session, "password_link_made", by, target=_target(member))
    return token


def active_sessions(db_session: Session, idle: datetime.timedelta, absolute: datetime.timedelta) -> dict[int, int]:
    """How many sessions each account has that have not run out: {staff id: count}, in one query."""
    now = utcnow()
    query = (
        select(StaffSession.staff_id, func.count())
        .where(StaffSession.last_seen_at >= now - idle, StaffSession.created_at >= now - absolute)
        .group_by(StaffSession.staff_id)
    )
    return dict(db_session.execute(query).all())
