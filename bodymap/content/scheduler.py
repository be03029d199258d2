"""The clinic's online scheduler, if it has one: which calendar its next free times are read from.

    scheduler:
      provider: cliniko                 # or calcom
      business_id: 1234                 # cliniko: the business, the appointment type, and who may be booked
      appointment_type_id: 5678
      practitioner_ids: [91, 92]
      contact_email: it@clinic.example  # cliniko: the address its User-Agent names, as Cliniko asks every app
      event_type_id: 4321               # calcom: the event type
      booking_link: https://cal.com/clinic/new-patient?date={date}&slot={start}   # optional

Ids only: the secrets and the addresses of the schedulers' APIs are settings (`CLINIKO_API_KEY`, ...), never
written in the content file. `booking_link` is the page that books one time: `{start}` becomes the time in UTC
(`2026-12-08T17:30:00Z`) and `{date}` its day in the clinic's time zone (`2026-12-08`). Without it each time links
to the clinic's `booking_url`, which a clinic with a scheduler must give (its "More times" link).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, model_validator

from bodymap.content.fields import Https, Model, Text, as_text, none_is_empty, problem, problems_at

PROVIDERS = ("cliniko", "calcom")
START, DATE = "{start}", "{date}"
MAX_PRACTITIONERS = 10  # each is asked once a minute: Cliniko allows 200 requests a minute for an API key
EMAIL = re.compile(r"^[^@\s,;<>()\"]+@[^@\s,;<>()\"]+\.[^@\s,;<>()\"]+$")
# What each provider needs, and what belongs to the other one.
NEEDS = {
    "cliniko": ("business_id", "appointment_type_id", "practitioner_ids", "contact_email"),
    "calcom": ("event_type_id",),
}


def _id(value: Any) -> Any:
    """An id as the scheduler shows it: digits, written as a number or quoted (Cliniko's are 18 digits long)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise problem("scheduler_id", "must be an id made of digits, such as 1234")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        raise problem("scheduler_id", "must be an id made of digits, such as 1234")
    return text


def _booking_placeholders(value: str) -> str:
    """A booking link may carry `{start}` and `{date}` (the time it books), nothing else."""
    for placeholder in re.findall(r"\{[^{}]*\}?", value):
        if placeholder not in (START, DATE):
            raise problem("placeholder", f"may hold only the placeholders {START} and {DATE}, not {placeholder}")
    if value.replace(START, "").replace(DATE, "").count("}"):
        raise problem("placeholder", f"may hold only the placeholders {START} and {DATE}, not a lone }}")
    return value


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise problem("email", "must be an email address, such as it@clinic.example")
    return value


SchedulerId = Annotated[str, BeforeValidator(_id)]
BookingLink = Annotated[Https, AfterValidator(_booking_placeholders)]


class Scheduler(Model):
    """Where the clinic's free times come from: Cliniko (a business, an appointment type and its practitioners) or
    Cal.com (an event type)."""

    provider: Annotated[Literal[PROVIDERS], BeforeValidator(as_text)]
    business_id: SchedulerId | None = None
    appointment_type_id: SchedulerId | None = None
    practitioner_ids: Annotated[tuple[SchedulerId, ...], BeforeValidator(none_is_empty)] = ()
    contact_email: Annotated[Text, AfterValidator(_email)] | None = None
    event_type_id: SchedulerId | None = None
    booking_link: BookingLink | None = None

    @model_validator(mode="after")
    def _fields_of_its_provider(self) -> Scheduler:
        """Each provider's own ids, all of them, and none of the other provider's."""
        wanted = NEEDS[self.provider]
        others = [name for provider, names in NEEDS.items() if provider != self.provider for name in names]
        errors = [
            ((name,), "needed", f"is needed when the provider is {self.provider}", None)
            for name in wanted
            if getattr(self, name) in (None, ())
        ]
        errors += [
            ((name,), "provider", f"belongs to the other provider, not {self.provider}", getattr(self, name))
            for name in others
            if getattr(self, name) not in (None, ())
        ]
        if len(self.practitioner_ids) > MAX_PRACTITIONERS:
            errors.append(
                (("practitioner_ids",), "too_long", f"may name at most {MAX_PRACTITIONERS} practitioners", None)
            )
        if len(set(self.practitioner_ids)) != len(self.practitioner_ids):
            errors.append((("practitioner_ids",), "duplicate", "names a practitioner twice", None))
        if errors:
            raise problems_at(errors)
        return self

    @property
    def asked_per_refresh(self) -> int:
        """How many requests one look at the free times takes: one per practitioner for Cliniko, one for Cal.com."""
        return len(self.practitioner_ids) if self.provider == "cliniko" else 1
