"""The privacy notice and the accessibility statement, in every language the site speaks, linked from every footer.

The privacy notice says what the app itself does, from what it knows: what a callback request keeps (the form's
fields), how long (RETENTION_DAYS), who can see it (the roles that may open the queue, from `bodymap.roles`), that
public pages set no cookie and the pain list stays in the tab, that the desk's emails carry nothing personal, and
what the clinic's own site learns from the widget (when EMBED_ORIGINS names one). The clinic's contact comes from
its content, which may add paragraphs of its own (`privacy` in the clinic block). Both pages are the same for
everyone: public, kept by a CDN and by the process's store like every other public page.
"""

from __future__ import annotations

import datetime

from babel.lists import format_list
from flask import current_app, render_template
from flask_babel import gettext, lazy_gettext

from bodymap import content, roles
from bodymap.public import bp
from bodymap.web import languages
from bodymap.web.caching import public
from bodymap.web.titles import titled

# When the accessibility statement was last checked against the app: change it with the statement's facts.
ACCESSIBILITY_CHECKED = datetime.date(2026, 12, 7)
TARGET = "WCAG 2.2 AA"
# Who a role is, in the words of a patient reading the privacy notice, in the order the notice names them.
ROLE_WORDS = {
    "desk": lazy_gettext("our front desk"),
    "admin": lazy_gettext("the staff who run this site"),
    "clinician": lazy_gettext("the clinicians who review the health advice"),
}


def who_sees_requests() -> str:
    """'our front desk and the staff who run this site': the roles that may open the callback queue."""
    allowed = roles.roles_that_may(roles.Permission.CALLBACKS)
    return format_list(
        [str(words) for role, words in ROLE_WORDS.items() if role in allowed], locale=languages.current()
    )


@languages.get(bp, "/privacy")
def privacy():
    config = current_app.config
    page = render_template(
        "public/privacy.html",
        title=titled(gettext("Privacy notice")),
        retention_days=config["RETENTION_DAYS"],
        who=who_sees_requests(),
        counting_views=config["VIEW_COUNTING"],
        widget=bool(config["EMBED_ORIGINS"]),
        own_paragraphs=content.get(current_app).clinic.privacy,
    )
    return public(current_app.make_response(page))


@languages.get(bp, "/accessibility")
def accessibility():
    page = render_template(
        "public/accessibility.html",
        title=titled(gettext("Accessibility")),
        target=TARGET,
        checked=ACCESSIBILITY_CHECKED,
        widget=bool(current_app.config["EMBED_ORIGINS"]),
    )
    return public(current_app.make_response(page))
