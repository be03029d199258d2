"""The clinic's content: `data/regions.yaml`, loaded once, validated, frozen.

A clinician edits only that file. Anything wrong in it is refused with the
file, line, owner and field named, both at start-up and by
`flask --app bodymap content check`.
"""

from __future__ import annotations

import datetime
import math
import os
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import yaml
from flask import Flask

from bodymap import drawing
from bodymap.yamlfields import ContentError, Fields, Problems

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "regions.yaml"
VIEWS = ("front", "back")
SIDES = ("left", "right", "centre")
KINDS = ("passive", "active")


@dataclass(frozen=True)
class DirectAccess:
    text: str
    as_of: datetime.date


@dataclass(frozen=True)
class Clinic:
    name: str
    city: str
    phone: str
    country: str
    appointments: str
    locations: tuple[str, ...]
    booking_url: str | None
    direct_access: DirectAccess | None
    disclaimer: str

    @property
    def tel(self) -> str:
        """The phone number as a `tel:` URL, in international form."""
        number = phonenumbers.parse(self.phone, self.country)
        return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Treatment:
    id: str
    name: str
    kind: str
    description: str
    contraindications: tuple[str, ...]


@dataclass(frozen=True)
class Marker:
    view: str
    side: str
    x: float
    y: float


@dataclass(frozen=True)
class Condition:
    name: str
    about: str


@dataclass(frozen=True)
class RedFlags:
    emergency: tuple[str, ...]
    urgent: tuple[str, ...]


@dataclass(frozen=True)
class Screening:
    emergency: tuple[str, ...]
    urgent: tuple[str, ...]
    general: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    date: datetime.date
    by: str


@dataclass(frozen=True)
class Region:
    slug: str
    name: str
    markers: tuple[Marker, ...]
    summary: str
    conditions: tuple[Condition, ...]
    treatments: tuple[Treatment, ...]
    self_care: tuple[str, ...]
    red_flags: RedFlags
    screening: Screening
    reviewed: Review
    sources: tuple[str, ...]

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides a patient can pick: ('left', 'right') for paired regions, () otherwise."""
        return tuple(side for side in ("left", "right") if any(m.side == side for m in self.markers))

    def label(self, side: str | None) -> str:
        """'Knee' or 'Left knee'."""
        if not side:
            return self.name
        return f"{side.capitalize()} {self.name[0].lower()}{self.name[1:]}"


@dataclass(frozen=True)
class Content:
    clinic: Clinic
    treatments: tuple[Treatment, ...]
    regions: tuple[Region, ...]

    def region(self, slug: str) -> Region | None:
        return next((r for r in self.regions if r.slug == slug), None)

    def markers(self, view: str) -> list[tuple[Region, Marker]]:
        return [(r, m) for r in self.regions for m in r.markers if m.view == view]


def configured_path() -> Path:
    """$CONTENT_PATH when set, else the project's data/regions.yaml."""
    return Path(os.environ.get("CONTENT_PATH") or DEFAULT_PATH)


def load(path: str | Path) -> Content:
    """Read and validate the content file; raise ContentError naming every problem."""
    path = Path(path)
    shown = _shown_path(path)
    problems = Problems(shown)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ContentError([f"{shown}: cannot be read: {error.strerror}"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ContentError([f"{shown}{line}: is not valid YAML: {getattr(error, 'problem', error)}"]) from None
    if root is None:
        raise ContentError([f"{shown}: is empty"])

    top = Fields(root, problems, "")
    top.refuse_unknown({"clinic", "treatments", "regions"})
    clinic = _clinic(Fields(top.get("clinic"), problems, "clinic"))
    treatments = _treatments(top, problems)
    regions = _regions(top, problems, {t.id: t for t in treatments})
    problems.raise_if_any()
    return Content(clinic=clinic, treatments=treatments, regions=regions)


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _clinic(f: Fields) -> Clinic:
    f.refuse_unknown(
        {"name", "city", "phone", "country", "appointments", "locations", "booking_url", "direct_access", "disclaimer"}
    )
    phone, country = f.text("phone") or "", f.text("country") or ""
    if phone and country:
        try:
            number = phonenumbers.parse(phone, country)
            valid = phonenumbers.is_valid_number(number)
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            f.report(f.values["phone"], "phone", f"is not a phone number that can be dialled in {country}")
    booking_url = f.text("booking_url", optional=True)
    if booking_url and not booking_url.startswith("https://"):
        f.report(f.values["booking_url"], "booking_url", "must start with https://")
    direct_access = None
    if f.get("direct_access", optional=True) is not None:
        d = f.mapping("direct_access")
        d.refuse_unknown({"text", "as_of"})
        direct_access = DirectAccess(text=d.text("text") or "", as_of=d.date("as_of"))
    locations = []
    for name, node in f.items("locations"):
        entry = f.entry(name, node)
        entry.refuse_unknown({"name"})
        locations.append(entry.text("name") or "")
    return Clinic(
        name=f.text("name") or "",
        city=f.text("city") or "",
        phone=phone,
        country=country,
        appointments=f.text("appointments") or "",
        locations=tuple(locations),
        booking_url=booking_url,
        direct_access=direct_access,
        disclaimer=f.text("disclaimer") or "",
    )


def _treatments(top: Fields, problems: Problems) -> tuple[Treatment, ...]:
    treatments: dict[str, Treatment] = {}
    for name, node in top.items("treatments"):
        f = Fields(node, problems, f"treatment {_peek(node, 'id') or name}")
        f.refuse_unknown({"id", "name", "kind", "description", "contraindications"})
        treatment = Treatment(
            id=f.slug("id"),
            name=f.text("name") or "",
            kind=f.choice("kind", KINDS),
            description=f.text("description") or "",
            contraindications=f.texts("contraindications", optional=True),
        )
        if treatment.id in treatments:
            f.report(f.values["id"], "id", f"'{treatment.id}' is used by another treatment")
        treatments[treatment.id] = treatment
    return tuple(treatments.values())


def _regions(top: Fields, problems: Problems, catalogue: dict[str, Treatment]) -> tuple[Region, ...]:
    regions: list[Region] = []
    placed: dict[str, list[tuple[str, Marker]]] = {view: [] for view in VIEWS}
    for name, node in top.items("regions"):
        f = Fields(node, problems, f"region '{_peek(node, 'slug') or name}'")
        f.refuse_unknown(
            {
                "slug",
                "name",
                "markers",
                "summary",
                "conditions",
                "treatments",
                "self_care",
                "red_flags",
                "screening",
                "reviewed",
                "sources",
            }
        )
        slug = f.slug("slug")
        if slug and any(r.slug == slug for r in regions):
            f.report(f.values["slug"], "slug", f"'{slug}' is used by another region")
        region = Region(
            slug=slug,
            name=f.text("name") or "",
            markers=_markers(f, placed, slug),
            summary=f.text("summary") or "",
            conditions=_conditions(f),
            treatments=_region_treatments(f, catalogue),
            self_care=f.texts("self_care"),
            red_flags=_red_flags(f.mapping("red_flags")),
            screening=_screening(f.mapping("screening")),
            reviewed=_review(f.mapping("reviewed")),
            sources=f.texts("sources"),
        )
        regions.append(region)
    return tuple(regions)


def _peek(node: yaml.Node, key: str) -> str | None:
    """A mapping's identifying value, to name it in messages before it is checked."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key and isinstance(v, yaml.ScalarNode) and v.value:
                return repr(v.value)[1:-1]
    return None


def _markers(f: Fields, placed: dict[str, list[tuple[str, Marker]]], slug: str) -> tuple[Marker, ...]:
    markers: list[Marker] = []
    r = drawing.MARKER_RADIUS
    for name, node in f.items("markers"):
        m = f.entry(name, node)
        m.refuse_unknown({"view", "side", "x", "y"})
        marker = Marker(
            view=m.choice("view", VIEWS),
            side=m.choice("side", SIDES),
            x=m.number("x", r, drawing.WIDTH - r),
            y=m.number("y", r, drawing.HEIGHT - r),
        )
        if not m.ok or marker.view not in VIEWS or marker.side not in SIDES:
            continue
        wrong = drawing.wrong_half(marker.view, marker.side, marker.x)
        if wrong:
            m.report(m.values["x"], "x", wrong)
        if any(o.view == marker.view and o.side == marker.side for o in markers):
            m.report(node, "", f"a second {marker.side} circle on the {marker.view} view")
        for other_slug, other in placed[marker.view]:
            if math.dist((other.x, other.y), (marker.x, marker.y)) < 2 * r:
                m.report(node, "", f"its circle overlaps region '{other_slug}' on the {marker.view} view")
        placed[marker.view].append((slug, marker))
        markers.append(marker)
    sides = {m.side for m in markers}
    if "centre" in sides and len(sides) > 1:
        f.report(f.values["markers"], "markers", "must be all centre, or left and right, not both")
    elif sides == {"left"} or sides == {"right"}:
        f.report(f.values["markers"], "markers", "needs both a left and a right circle")
    return tuple(markers)


def _conditions(f: Fields) -> tuple[Condition, ...]:
    conditions = []
    for name, node in f.items("conditions"):
        c = f.entry(name, node)
        c.refuse_unknown({"name", "about"})
        conditions.append(Condition(name=c.text("name") or "", about=c.text("about") or ""))
    return tuple(conditions)


def _region_treatments(f: Fields, catalogue: dict[str, Treatment]) -> tuple[Treatment, ...]:
    chosen: list[Treatment] = []
    for name, node in f.items("treatments"):
        treatment_id = f.scalar_text(node, name)
        if treatment_id and treatment_id not in catalogue:
            f.report(node, name, f"names unknown treatment id '{treatment_id}'")
        elif treatment_id in (t.id for t in chosen):
            f.report(node, name, f"lists treatment '{treatment_id}' twice")
        elif treatment_id:
            chosen.append(catalogue[treatment_id])
    return tuple(chosen)


def _red_flags(f: Fields) -> RedFlags:
    f.refuse_unknown({"emergency", "urgent"})
    return RedFlags(emergency=f.texts("emergency"), urgent=f.texts("urgent"))


def _screening(f: Fields) -> Screening:
    f.refuse_unknown({"emergency", "urgent", "general"})
    return Screening(emergency=f.texts("emergency"), urgent=f.texts("urgent"), general=f.texts("general"))


def _review(f: Fields) -> Review:
    f.refuse_unknown({"date", "by"})
    return Review(date=f.date("date"), by=f.text("by") or "")


def init_app(app: Flask) -> None:
    """Load the content once; an invalid file stops the app from starting."""
    loaded = load(app.config["CONTENT_PATH"])
    app.extensions["bodymap.content"] = loaded
    app.context_processor(lambda: {"content": loaded, "clinic": loaded.clinic})


def get(app: Flask) -> Content:
    return app.extensions["bodymap.content"]
