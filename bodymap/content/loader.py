"""Read `data/regions.yaml`, validate it against `model`, and name every problem with its file and line.

A clinician edits only that file. Anything wrong in it is refused at start-up and by
`flask --app bodymap content check`, one line per problem, all in one run, each as
`data/regions.yaml:402: region 'knee': field 'red_flags.emergency' must not be empty`.
The YAML is read node by node so each value keeps its line; each validation error's place
(`loc`) is then looked up to the deepest value written there.
"""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import SafeConstructor

from bodymap.content import launch as launch_checks
from bodymap.content import reading
from bodymap.content.model import Content
from bodymap.settings import StartupError

Loc = tuple[str | int, ...]
# A check of valid content as a whole: (where, what is wrong) for each problem it finds. `data` is the file as read.
Check = Callable[[Content, Any], list[tuple[Loc, str]]]
# libyaml's parser reads the file about 15 times faster, with the same lines and types; the app loads it at every start.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What each kind of pydantic error says, in the words a clinician reads; a check of our own carries its own words.
WORDS = {
    "missing": "is missing",
    "string_type": "must be text",
    "tuple_type": "must be a list",
    "too_short": "must not be empty",
    "model_type": "must be a mapping of names to values",
    "model_attributes_type": "must be a mapping of names to values",
    "dict_type": "must be a mapping of names to values",
    "bool_type": "must be true or false",
    "float_type": "must be a number",
    "int_type": "must be a number",
    "date_type": "must be a date written YYYY-MM-DD",
}
# Fields that older files have and this one no longer reads, with what to do instead.
REMOVED = {
    "reviewed": (
        "is no longer used: a clinician signs each region off in the browser (/staff/content), and the panel"
        " names them from that sign-off; delete this block"
    ),
}
# A list entry is named by its identifying field: "region 'knee'", "treatment heat", "source nice-ng59".
OWNERS = {
    "regions": ("region", "slug", True),
    "treatments": ("treatment", "id", False),
    "sources": ("source", "id", False),
}


class ContentError(StartupError):
    """The content file is unusable; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load(
    path: str | Path, launch: bool = False, assets: str | Path | None = None, checks: Iterable[Check] = ()
) -> Content:
    """Read and validate the content file; raise ContentError naming every problem.

    Valid content is then measured for how easily patients read it (`reading`). With `launch`, what the example
    clinic left behind is a problem too (`launch`), and so is whatever each of `checks` finds (the sign-offs, which
    only the database knows). `assets` is the folder the clinic's logo is in (CLINIC_ASSETS_PATH; static/ if None).
    """
    path = Path(path)
    shown = _shown_path(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=LOADER)
    except OSError as error:
        raise ContentError([f"{shown}: cannot be read: {error.strerror}"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ContentError([f"{shown}{line}: is not valid YAML: {getattr(error, 'problem', error)}"]) from None
    if root is None:
        raise ContentError([f"{shown}: is empty"])

    document = Document(root)
    found = [(document.lines[loc], 0, loc, "appears twice") for loc in document.twice]
    content = None
    try:
        content = Content.read(document.data, assets=Path(assets) if assets else None)
    except ValidationError as error:
        for e in error.errors(include_url=False):
            # In reading order: by line, a misspelt field before the field it leaves missing, then as checked.
            found.append((document.line(e["loc"]), e["type"] != "extra_forbidden", e["loc"], _words(e)))
    if content is not None and not found:
        measured = [lambda content, data: reading.problems(content)]
        for check in [*measured, *([launch_checks.problems] if launch else []), *checks]:
            found += [(document.line(loc), 2, loc, message) for loc, message in check(content, document.data)]
    if found:
        found.sort(key=lambda item: item[:2])
        raise ContentError([document.describe(shown, line, loc, message) for line, _, loc, message in found])
    return content


def _shown_path(path: Path) -> str:
    """The path as the clinician typed it: relative to where the command runs, when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Document:
    """The YAML as plain data, with the line each value is written on, keyed by its place (`loc`)."""

    constructor = SafeConstructor()

    def __init__(self, root: yaml.Node):
        self.lines: dict[Loc, int] = {}
        self.twice: list[Loc] = []
        self.data = self._plain(root, ())

    def _plain(self, node: yaml.Node, loc: Loc, within: frozenset[int] = frozenset()) -> Any:
        """The value of one node, noting its line and those of everything under it."""
        self.lines[loc] = node.start_mark.line + 1
        if id(node) in within:
            return None  # an alias inside its own anchor: read once, so the walk ends
        within |= {id(node)}
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in mapping:
                    self.twice.append(loc + (key,))
                mapping[key] = self._plain(value_node, loc + (key,), within)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [self._plain(item, loc + (i,), within) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        """A scalar as YAML types it, except where that is not what a clinician meant."""
        tag = node.tag.rsplit(":", 1)[-1]
        if tag == "str":
            return node.value
        if tag == "int" and ":" in node.value:
            return node.value  # unquoted 07:30 is a base-60 number to YAML 1.1; it is a time of day here
        if tag == "timestamp":
            value = self.constructor.construct_object(node)
            return value if type(value) is datetime.date else node.value  # a date, never a date and time
        if tag in ("int", "float", "bool", "null"):
            return self.constructor.construct_object(node)
        return node.value

    def line(self, loc: Loc) -> int:
        """The line of the deepest value written at or above `loc` (a missing field: its mapping's line)."""
        while loc not in self.lines:
            loc = loc[:-1]
        return self.lines[loc]

    def value(self, loc: Loc) -> Any:
        """The value written at `loc`, or None where nothing is."""
        value = self.data
        for part in loc:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value

    def describe(self, shown: str, line: int, loc: Loc, message: str) -> str:
        """`path:line: owner: field 'a.b[1]' message`."""
        owner, start = self._owner(loc)
        field = ""
        for depth in range(start, len(loc)):
            if not isinstance(self.value(loc[:depth]), dict | list):
                break  # `source: nice-ng59` is checked as a list of one; the field is still `source`
            part = loc[depth]
            field += f"[{part}]" if isinstance(part, int) else f"{'.' if field else ''}{part}"
        owner_part = f" {owner}:" if owner else ""
        field_part = f" field '{field}'" if field else ""
        return f"{shown}:{line}:{owner_part}{field_part} {message}"

    def _owner(self, loc: Loc) -> tuple[str, int]:
        """Who a problem belongs to ("clinic", "region 'knee'"), and where the field's place starts in `loc`."""
        written = len(loc) > 1 or self.value(loc) is not None  # a missing `clinic:` is the file's problem
        if loc[:1] == ("clinic",) and written:
            return "clinic", 1
        if len(loc) > 1 and loc[0] in OWNERS and isinstance(loc[1], int):
            noun, key, quoted = OWNERS[loc[0]]
            name = self.value(loc[:2] + (key,))
            if isinstance(name, bool) or not isinstance(name, str | int | float) or not str(name):
                name = f"{loc[0]}[{loc[1]}]"
            name = repr(str(name))[1:-1]
            return (f"{noun} '{name}'" if quoted else f"{noun} {name}"), 2
        return "", 0


def _words(error: dict[str, Any]) -> str:
    """One pydantic error in today's words."""
    kind = error["type"]
    if kind == "extra_forbidden" and error["loc"][-1] in REMOVED:
        return REMOVED[error["loc"][-1]]
    if kind == "extra_forbidden":
        model = _annotation_at(error["loc"][:-1])
        known = sorted(f.alias or name for name, f in model.model_fields.items())
        return f"is not a known field (known: {', '.join(known)})"
    if kind == "literal_error":
        return f"must be one of: {', '.join(typing.get_args(_annotation_at(error['loc'])))}"
    return WORDS.get(kind, error["msg"])


def _annotation_at(loc: Loc) -> Any:
    """The type the model gives the value at `loc`: a model class, a Literal, ..."""
    annotation: Any = Content
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = annotation.model_fields.items()
            annotation = next(f.annotation for name, f in fields if (f.alias or name) == part)
        else:  # a tuple's entry
            annotation = typing.get_args(annotation)[0]
    return _unwrap(annotation)


def _unwrap(annotation: Any) -> Any:
    """The type under `Annotated[...]` and `... | None`."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation
