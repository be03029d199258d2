"""Who may do what: the one table of staff roles and what each may do.

- `admin`: what the front desk does, and the staff accounts and the audit trail (accounts made before roles existed
  became admin, so nobody lost access);
- `desk`: the callback queue, the call guide and call log, and insights: the pages with patients' names and numbers;
- `clinician`: reads the content as patients read it and signs off regions, in the languages the account reviews.

Every role may read the content review, and see and end its own sessions. A staff view says what it needs with
`@requires(Permission...)`; the guard in front of the staff pages (`bodymap.staff.signin`) asks `may()` and answers
403 otherwise, and a view that says nothing is refused to everyone. The privacy notice reads the same table to
say who can see a callback request.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Protocol


class Permission(StrEnum):
    CALLBACKS = "callbacks"  # the queue, the call guide and the call log: patients' names, numbers and notes
    INSIGHTS = "insights"  # counts of views, requests and calls per area: no personal data
    READ_CONTENT = "read content"  # the content review: each region as patients read it, and its sign-offs
    SIGN_OFF = "sign off"  # vouch for a region's text in a language the account reviews
    ACCOUNTS = "accounts"  # add accounts, change roles, disable them, sign them out everywhere
    AUDIT = "audit"  # the audit trail: who did what, when, and its CSV
    OWN_SESSIONS = "own sessions"  # the member's own sign-ins, each of which they may end


P = Permission
WORDS = {  # what each permission opens, as staff read it
    P.CALLBACKS: "the callback queue, call guide and call log",
    P.INSIGHTS: "insights",
    P.READ_CONTENT: "the content review",
    P.SIGN_OFF: "the Sign off button of the review pages",
    P.ACCOUNTS: "staff accounts",
    P.AUDIT: "the audit trail",
    P.OWN_SESSIONS: "your sessions",
}
MAY: dict[str, frozenset[Permission]] = {
    "admin": frozenset({P.CALLBACKS, P.INSIGHTS, P.READ_CONTENT, P.ACCOUNTS, P.AUDIT, P.OWN_SESSIONS}),
    "desk": frozenset({P.CALLBACKS, P.INSIGHTS, P.READ_CONTENT, P.OWN_SESSIONS}),
    "clinician": frozenset({P.READ_CONTENT, P.SIGN_OFF, P.OWN_SESSIONS}),
}
ROLES = tuple(MAY)  # admin, desk, clinician
DEFAULT_ROLE = "desk"
# Where each role starts after signing in: the first page it may open.
HOME = {"admin": "staff.queue", "desk": "staff.queue", "clinician": "staff.content"}


class Member(Protocol):
    role: str
    display_name: str  # the name and credential a clinician signs with
    reviews: tuple[str, ...]  # the languages a clinician reviews


def may(member: Member | None, permission: Permission) -> bool:
    """The member's role lets them do this (an unknown role may do nothing)."""
    return member is not None and permission in MAY.get(member.role, frozenset())


def in_words(role: str) -> str:
    """'the callback queue, call guide and call log; insights; the content review': what a role may open."""
    return "; ".join(WORDS[p] for p in Permission if p in MAY.get(role, frozenset())) or "nothing"


def may_sign_off(member: Member | None, lang: str) -> bool:
    """A clinician signs off text only in a language the account reviews, and only with a name to sign with."""
    return may(member, P.SIGN_OFF) and lang in member.reviews and bool(member.display_name)


def roles_that_may(permission: Permission) -> tuple[str, ...]:
    """The roles allowed `permission`, in the table's order."""
    return tuple(role for role, allowed in MAY.items() if permission in allowed)


def requires(permission: Permission) -> Callable:
    """Mark a staff view with what it needs; the guard refuses every member whose role does not have it."""

    def mark(view: Callable) -> Callable:
        view.permission = permission
        return view

    return mark


def needed(view: Callable | None) -> Permission | None:
    """What a view said it needs (None: it said nothing, and is refused to everyone)."""
    return getattr(view, "permission", None)
