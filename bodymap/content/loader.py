"""The clinic's content: `data/regions.yaml`, loaded once, validated, frozen.

A clinician edits only that file. Anything wrong in it is refused with the
file, line, owner and field named, both at start-up and by
`flask --app bodymap content check`. Every red flag, caution and "not getting
better" line names its source from the file's `sources` catalogue, so each
claim can be traced; `content check --launch` also refuses regions that no
named clinician has reviewed yet.
"""

from __future__ import annotations

import datetime
import math
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import yaml

from bodymap.content import drawing
from bodymap.content.yamlfields import ContentError, Fields, Problems
from bodymap.settings import DEFAULT_CONTENT_PATH

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
STATIC_FOLDER = PROJECT_ROOT / "static"
LOGO_TYPES = (".svg", ".png")
VIEWS = ("front", "back")
SIDES = ("left", "right", "centre")
KINDS = ("passive", "active")


@dataclass(frozen=True)
class DirectAccess:
    text: str
    as_of: datetime.date


@dataclass(frozen=True)
class OpeningHours:
    days: str
    open: datetime.time
    close: datetime.time

    @staticmethod
    def label(time: datetime.time) -> str:
        """'7 AM', '6:30 PM': how US patients read a time."""
        hour = time.hour % 12 or 12
        minutes = f":{time.minute:02d}" if time.minute else ""
        return f"{hour}{minutes} {'AM' if time.hour < 12 else 'PM'}"


@dataclass(frozen=True)
class Location:
    name: str
    address: tuple[str, ...]


@dataclass(frozen=True)
class Logo:
    path: str  # under static/
    width: int
    height: int


@dataclass(frozen=True)
class Clinic:
    name: str
    city: str
    phone: str
    country: str
    appointments: str
    locations: tuple[Location, ...]
    booking_url: str | None
    direct_access: DirectAccess | None
    disclaimer: str
    website: str | None = None
    hours: tuple[OpeningHours, ...] = ()
    logo: Logo | None = None

    @property
    def website_host(self) -> str:
        """'www.example.com': the website as patients would type it."""
        return (self.website or "").removeprefix("https://").split("/")[0]

    @property
    def tel(self) -> str:
        """The phone number as a `tel:` URL, in international form."""
        number = phonenumbers.parse(self.phone, self.country)
        return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str | None


@dataclass(frozen=True)
class Sourced:
    """One statement (a red flag, a caution, when to get checked) and the sources it rests on."""

    text: str
    sources: tuple[Source, ...]

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Treatment:
    id: str
    name: str
    kind: str
    description: str
    contraindications: tuple[Sourced, ...]


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
    emergency: tuple[Sourced, ...]
    urgent: tuple[Sourced, ...]


@dataclass(frozen=True)
class Screening:
    emergency: tuple[str, ...]
    urgent: tuple[str, ...]
    general: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    date: datetime.date
    by: str
    role: str = ""
    draft: bool = False


@dataclass(frozen=True)
class Region:
    slug: str
    name: str
    markers: tuple[Marker, ...]
    summary: str
    conditions: tuple[Condition, ...]
    treatments: tuple[Treatment, ...]
    self_care: tuple[str, ...]
    not_improving: Sourced
    red_flags: RedFlags
    screening: Screening
    reviewed: Review
    sources: tuple[Source, ...]

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides a patient can pick: ('left', 'right') for paired regions, () otherwise."""
        return tuple(side for side in ("left", "right") if any(m.side == side for m in self.markers))

    def label(self, side: str | None) -> str:
        """'Knee' or 'Left knee'."""
        if not side:
            return self.name
        return f"{side.capitalize()} {self.name[0].lower()}{self.name[1:]}"

    @property
    def treatments_shown(self) -> tuple[Treatment, ...]:
        """The treatments in the order the panel shows them: passive, then active."""
        return tuple(t for kind in KINDS for t in self.treatments if t.kind == kind)

    @property
    def footnotes(self) -> tuple[Source, ...]:
        """Every source the panel cites, numbered by where it is first cited, then the region's own."""
        cited = [*self.red_flags.emergency, *self.red_flags.urgent]
        cited += [c for t in self.treatments_shown for c in t.contraindications]
        cited.append(self.not_improving)
        ordered = [source for item in cited for source in item.sources] + list(self.sources)
        return tuple(dict.fromkeys(ordered))

    def cites(self, item: Sourced) -> list[tuple[int, Source]]:
        """The footnote numbers of one statement's sources."""
        numbers = {source: n for n, source in enumerate(self.footnotes, start=1)}
        return [(numbers[source], source) for source in item.sources]


@dataclass(frozen=True)
class Content:
    clinic: Clinic
    sources: tuple[Source, ...]
    treatments: tuple[Treatment, ...]
    regions: tuple[Region, ...]

    def region(self, slug: str) -> Region | None:
        return next((r for r in self.regions if r.slug == slug), None)

    def markers(self, view: str) -> list[tuple[Region, Marker]]:
        return [(r, m) for r in self.regions for m in r.markers if m.view == view]


def configured_path() -> Path:
    """$CONTENT_PATH when set, else the project's data/regions.yaml."""
    return Path(os.environ.get("CONTENT_PATH") or DEFAULT_CONTENT_PATH)


def load(path: str | Path, launch: bool = False) -> Content:
    """Read and validate the content file; raise ContentError naming every problem.

    With `launch`, a region still marked as a draft is a problem too.
    """
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
    top.refuse_unknown({"clinic", "sources", "treatments", "regions"})
    clinic = _clinic(Fields(top.get("clinic"), problems, "clinic"))
    sources = _sources(top, problems)
    catalogue = {s.id: s for s in sources}
    treatments = _treatments(top, problems, catalogue)
    regions = _regions(top, problems, {t.id: t for t in treatments}, catalogue, launch)
    problems.raise_if_any()
    return Content(clinic=clinic, sources=sources, treatments=treatments, regions=regions)


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _clinic(f: Fields) -> Clinic:
    f.refuse_unknown(
        {
            "name",
            "city",
            "phone",
            "country",
            "appointments",
            "locations",
            "booking_url",
            "direct_access",
            "disclaimer",
            "website",
            "hours",
            "logo",
        }
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
    direct_access = None
    if f.get("direct_access", optional=True) is not None:
        d = f.mapping("direct_access")
        d.refuse_unknown({"text", "as_of"})
        direct_access = DirectAccess(text=d.text("text") or "", as_of=d.date("as_of"))
    return Clinic(
        name=f.text("name") or "",
        city=f.text("city") or "",
        phone=phone,
        country=country,
        appointments=f.text("appointments") or "",
        locations=_locations(f),
        booking_url=_https(f, "booking_url"),
        direct_access=direct_access,
        disclaimer=f.text("disclaimer") or "",
        website=_https(f, "website"),
        hours=_hours(f),
        logo=_logo(f),
    )


def _https(f: Fields, key: str) -> str | None:
    """An optional web address; only https, so the page never links to an insecure one."""
    url = f.text(key, optional=True)
    if url and not re.match(r"^https://[^\s/]+\.[^\s]+$", url):
        f.report(f.values[key], key, "must be a web address starting with https://")
    return url


def _locations(f: Fields) -> tuple[Location, ...]:
    """The clinic's sites: a name, and address lines when the clinic gives them."""
    locations = []
    for name, node in f.items("locations", optional=True):
        entry = f.entry(name, node)
        entry.refuse_unknown({"name", "address"})
        locations.append(Location(name=entry.text("name") or "", address=entry.texts("address", optional=True)))
    return tuple(locations)


def _hours(f: Fields) -> tuple[OpeningHours, ...]:
    """Opening hours as day ranges with times, each closing after it opens."""
    hours = []
    for name, node in f.items("hours", optional=True):
        entry = f.entry(name, node)
        entry.refuse_unknown({"days", "open", "close"})
        days, opens, closes = entry.text("days") or "", entry.clock("open"), entry.clock("close")
        if opens and closes and opens >= closes:
            entry.report(entry.values["close"], "close", f"must be later than 'open' ({opens:%H:%M})")
        if opens and closes:
            hours.append(OpeningHours(days=days, open=opens, close=closes))
    return tuple(hours)


def _logo(f: Fields) -> Logo | None:
    """A logo under static/, checked to exist and measured, so the header keeps its shape while it loads."""
    path = f.text("logo", optional=True)
    if not path:
        return None
    node = f.values["logo"]
    file = (STATIC_FOLDER / path).resolve()
    if not path.lower().endswith(LOGO_TYPES):
        f.report(node, "logo", "must be an .svg or .png file under static/")
    elif not file.is_relative_to(STATIC_FOLDER) or not file.is_file():
        f.report(node, "logo", f"names a file that does not exist: static/{path}")
    else:
        size = _image_size(file)
        if size:
            return Logo(path=path, width=size[0], height=size[1])
        f.report(node, "logo", f"static/{path} is not a readable {file.suffix[1:].upper()} image with a size")
    return None


def _image_size(file: Path) -> tuple[int, int] | None:
    """Width and height of a PNG (its header) or an SVG (width and height, else its viewBox)."""
    data = file.read_bytes()
    if file.suffix.lower() == ".png":
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        return None
    head = data[:4096].decode("utf-8", "replace")
    svg = re.search(r"<svg\b[^>]*>", head)
    if not svg:
        return None
    width = re.search(r'\swidth="([\d.]+)(?:px)?"', svg[0])
    height = re.search(r'\sheight="([\d.]+)(?:px)?"', svg[0])
    if width and height:
        return round(float(width[1])), round(float(height[1]))
    box = re.search(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"', svg[0])
    return (round(float(box[1])), round(float(box[2]))) if box else None


def _sources(top: Fields, problems: Problems) -> tuple[Source, ...]:
    """The catalogue every statement cites by id: each source written out once."""
    sources: dict[str, Source] = {}
    for name, node in top.items("sources"):
        f = Fields(node, problems, f"source {_peek(node, 'id') or name}")
        f.refuse_unknown({"id", "citation", "url"})
        source = Source(id=f.slug("id"), citation=f.text("citation") or "", url=_https(f, "url"))
        if source.id in sources:
            f.report(f.values["id"], "id", f"'{source.id}' is used by another source")
        sources[source.id] = source
    return tuple(sources.values())


def _source_ids(f: Fields, key: str, catalogue: dict[str, Source], optional: bool = False) -> tuple[Source, ...]:
    """`key` as one source id or a list of them, each one found in the catalogue."""
    node = f.get(key, optional)
    if node is None:
        return ()
    pairs = f.items(key) if isinstance(node, yaml.SequenceNode) else [(key, node)]
    found: list[Source] = []
    for name, item in pairs:
        source_id = f.scalar_text(item, name)
        if source_id and source_id not in catalogue:
            f.report(item, name, f"names unknown source '{source_id}' (add it under 'sources' at the top)")
        elif source_id and catalogue[source_id] not in found:
            found.append(catalogue[source_id])
    return tuple(found)


def _sourced(f: Fields, name: str, node: yaml.Node, catalogue: dict[str, Source]) -> Sourced:
    """A statement written as {text: "...", source: <id>} (or source: [<id>, <id>])."""
    if isinstance(node, yaml.ScalarNode):
        text = f.scalar_text(node, name)
        f.report(node, name, 'names no source: write it as {text: "...", source: <source id>}')
        return Sourced(text=text, sources=())
    entry = f.entry(name, node)
    entry.refuse_unknown({"text", "source"})
    return Sourced(text=entry.text("text") or "", sources=_source_ids(entry, "source", catalogue))


def _sourced_list(f: Fields, key: str, catalogue: dict[str, Source], optional: bool = False) -> tuple[Sourced, ...]:
    """A list of statements, each with its sources."""
    return tuple(_sourced(f, name, node, catalogue) for name, node in f.items(key, optional))


def _treatments(top: Fields, problems: Problems, sources: dict[str, Source]) -> tuple[Treatment, ...]:
    treatments: dict[str, Treatment] = {}
    for name, node in top.items("treatments"):
        f = Fields(node, problems, f"treatment {_peek(node, 'id') or name}")
        f.refuse_unknown({"id", "name", "kind", "description", "contraindications"})
        treatment = Treatment(
            id=f.slug("id"),
            name=f.text("name") or "",
            kind=f.choice("kind", KINDS),
            description=f.text("description") or "",
            contraindications=_sourced_list(f, "contraindications", sources, optional=True),
        )
        if treatment.id in treatments:
            f.report(f.values["id"], "id", f"'{treatment.id}' is used by another treatment")
        treatments[treatment.id] = treatment
    return tuple(treatments.values())


def _regions(
    top: Fields, problems: Problems, catalogue: dict[str, Treatment], sources: dict[str, Source], launch: bool
) -> tuple[Region, ...]:
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
                "not_improving",
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
            not_improving=_not_improving(f, sources),
            red_flags=_red_flags(f.mapping("red_flags"), sources),
            screening=_screening(f.mapping("screening")),
            reviewed=_review(f.mapping("reviewed"), launch),
            sources=_source_ids(f, "sources", sources),
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


def _not_improving(f: Fields, sources: dict[str, Source]) -> Sourced:
    """When to see a doctor or physical therapist if it is not getting better: every region says so."""
    node = f.get("not_improving")
    return _sourced(f, "not_improving", node, sources) if node is not None else Sourced(text="", sources=())


def _red_flags(f: Fields, sources: dict[str, Source]) -> RedFlags:
    f.refuse_unknown({"emergency", "urgent"})
    return RedFlags(emergency=_sourced_list(f, "emergency", sources), urgent=_sourced_list(f, "urgent", sources))


def _screening(f: Fields) -> Screening:
    f.refuse_unknown({"emergency", "urgent", "general"})
    return Screening(emergency=f.texts("emergency"), urgent=f.texts("urgent"), general=f.texts("general"))


def _review(f: Fields, launch: bool) -> Review:
    """Who reviewed the region: a named clinician with role and date, or a draft awaiting one."""
    f.refuse_unknown({"date", "by", "role", "draft"})
    by = f.text("by") or ""
    draft = f.boolean("draft") or "draft" in by.lower()
    review = Review(date=f.date("date"), by=by, role=f.text("role", optional=draft) or "", draft=draft)
    if draft and launch:
        key = "draft" if "draft" in f.values else "by"
        if key in f.values:
            f.report(
                f.values[key],
                key,
                "marks a draft: before launch a clinician reviews the region and is named here (by, role, date)",
            )
    return review
