"""`/staff/sessions`: every member's own sign-ins that have not run out (the device, the network it signed in from,
when, when last seen), each with an End button. Ending the one in use is signing out; ending another (a computer
left signed in at the front desk) sends that browser to the sign-in page at its next click. Each end is audited.

A session is named in its form by its row's id, the SHA-256 of the cookie's token, which opens nothing; a session
that is not the member's own is answered 404, as if it did not exist.
"""

from __future__ import annotations

import re

from flask import abort, flash, g, redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import select

from bodymap import audit, data
from bodymap.data.models import StaffSession, utcnow
from bodymap.roles import Permission, requires
from bodymap.staff import bp
from bodymap.staff.account_pages import ButtonForm
from bodymap.staff.layout import staff_title
from bodymap.staff.signin import ABSOLUTE_LIMIT, IDLE_LIMIT
from bodymap.web.forms import posted_form

SESSION_ID = re.compile(r"[0-9a-f]{64}")


@bp.get("/sessions")
@requires(Permission.OWN_SESSIONS)
def own_sessions():
    now = utcnow()
    query = (
        select(StaffSession)
        .where(
            StaffSession.staff_id == current_user.id,
            StaffSession.last_seen_at >= now - IDLE_LIMIT,
            StaffSession.created_at >= now - ABSOLUTE_LIMIT,
        )
        .order_by(StaffSession.last_seen_at.desc())
    )
    return render_template(
        "staff/sessions.html",
        sessions=list(data.request_session().scalars(query)),
        this_one=g.staff_session.id,
        button=ButtonForm(formdata=None),
        title=staff_title("Your sessions"),
    )


@bp.post("/sessions/<session_id>/end")
@requires(Permission.OWN_SESSIONS)
def end_own_session(session_id: str):
    """End one of the member's own sessions (the one in use: sign out)."""
    if not SESSION_ID.fullmatch(session_id):
        abort(404)
    row = data.request_session().get(StaffSession, session_id)
    if row is None or row.staff_id != current_user.id:
        abort(404)
    if not ButtonForm(formdata=posted_form()).validate():
        abort(400, description="That form was not complete. Reload the page and try again.")
    ending_this_one = row.id == g.staff_session.id
    member = current_user._get_current_object()
    data.request_session().delete(row)
    audit.record(
        data.request_session(),
        "signed_out" if ending_this_one else "session_ended",
        member,
        target=("account", member.id),
        new=None if ending_this_one else {"device": row.device[:60]},
    )
    data.request_session().commit()
    if ending_this_one:
        logout_user()
        session.clear()
        flash("You are signed out.")
        return redirect(url_for("staff.login"), 303)
    flash(f"Ended the session on {row.device}.")
    return redirect(url_for("staff.own_sessions"), 303)
