"""Staff accounts: the password rules, hashing, and checking a password at sign-in.

Accounts are changed by admins in the browser (`bodymap.staff.account_pages`) and on the server's command line
(`bodymap.cli`), both through `bodymap.staff.account_changes`, which audits each change.
"""

from __future__ import annotations

import functools
import re

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from bodymap.data.models import StaffMember

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1000  # a passphrase of any reasonable length; hashing much more would be a way to load the server


@functools.cache
def _unknown_user_hash() -> str:
    """Checked against when an email is unknown, so a wrong email takes as long as a wrong password. Made at the
    first sign-in that needs it, not at import: every command and every server worker would wait for it."""
    return generate_password_hash("no such staff member, no such password")


class PasswordRefused(ValueError):
    """The password is too short or too easy to guess; the message says which."""


ZXCVBN_LIMIT = 72  # zxcvbn refuses longer input; the first 72 characters say plenty about a password


def _letters_and_digits(text: str) -> str:
    return "".join(character for character in text.casefold() if character.isalnum())


def clinic_words(clinic) -> tuple[str, ...]:
    """What anyone who knows where a member works would try: the clinic's name, its city and its website's host."""
    if clinic is None:
        return ()
    return tuple(text for text in (clinic.name, clinic.city, clinic.website_host) if text)


def _personal_words(email: str, clinic_words: tuple[str, ...]) -> list[str]:
    """zxcvbn's user inputs: the email and its parts, the clinic's texts (a website also without "www.") and each
    word of them of 3 letters or more."""
    texts = [email, *email.split("@"), "bodymap", *clinic_words]
    texts += [text.removeprefix("www.") for text in clinic_words if text.startswith("www.")]
    words = [word for text in texts for word in re.findall(r"[^\W_]+", text.casefold()) if len(word) >= 3]
    return [text[:ZXCVBN_LIMIT] for text in dict.fromkeys([*texts, *words]) if text]


def _without_known_words(password: str, result: dict, known_words: list[str]) -> str:
    """The password with the member's and the clinic's words taken out: wherever zxcvbn matched them (l33t and
    reversed included), then wherever they are written as they are."""
    spans = [(m["i"], m["j"]) for m in result["sequence"] if m.get("dictionary_name") == "user_inputs"]
    rest = "".join(c for n, c in enumerate(password) if not any(i <= n <= j for i, j in spans))
    for word in sorted(known_words, key=len, reverse=True):
        rest = re.sub(re.escape(word), "", rest, flags=re.IGNORECASE)
    return rest


def check_password_rules(password: str, email: str = "", clinic_words: tuple[str, ...] = ()) -> None:
    """Refuse a password that is short or easy to guess, also from the member's email and the clinic's name, city
    and website (`clinic_words`)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRefused(f"Passwords can have at most {MAX_PASSWORD_LENGTH} characters.")
    # Anyone who knows where a member works knows these: "<clinic name> 1" is no secret, in any case or spacing.
    squeezed = _letters_and_digits(password)
    for text in clinic_words:
        if len(_letters_and_digits(text)) >= 4 and _letters_and_digits(text) in squeezed:
            raise PasswordRefused("Passwords must not contain the clinic's name or city. Try a few uncommon words.")
    known = _personal_words(email, clinic_words)
    result = zxcvbn(password[:ZXCVBN_LIMIT], user_inputs=known)
    if result["score"] < 3:
        advice = result["feedback"]["warning"] or "It is too easy to guess."
        raise PasswordRefused(f"{advice} Try a few uncommon words together.")
    # zxcvbn prices a known word as one guess among few, but not a year it has not heard of ("2026!"): so a password
    # built on the clinic's or the member's words must be hard to guess without them too ("motionduluth2026!" is not).
    rest = _without_known_words(password[:ZXCVBN_LIMIT], result, known) + password[ZXCVBN_LIMIT:]
    if len(rest) < len(password) and zxcvbn(rest[:ZXCVBN_LIMIT])["score"] < 3:
        raise PasswordRefused(
            "It is built on words anyone who knows the clinic or your email would try first."
            " Try a few uncommon words together."
        )


def hash_password(password: str) -> str:
    """scrypt, werkzeug's memory-hard default."""
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    """The email as accounts store it (trimmed, lower case); ValueError for anything that is not one."""
    email = email.strip().lower()
    if not (3 <= len(email) <= 254) or email.count("@") != 1 or " " in email or email.startswith("@"):
        raise ValueError(f"{email!r} is not an email address")
    return email


def find(db_session, email: str) -> StaffMember | None:
    """The account for `email`, in any case."""
    return db_session.scalar(select(StaffMember).where(StaffMember.email == email.strip().lower()))


def authenticate(db_session, email: str, password: str) -> StaffMember | None:
    """The active member whose email and password these are, or None (taking as long either way): a disabled account
    never signs in."""
    unknown = _unknown_user_hash()  # made at the first sign-in, whichever email it gives: its cost tells nothing
    member = find(db_session, email)
    if member is None:
        check_password_hash(unknown, password)
        return None
    return member if check_password_hash(member.password_hash, password) and member.active else None
