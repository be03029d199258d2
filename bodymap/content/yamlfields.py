"""Read a YAML file node by node, so every problem can name its file and line.

`content.py` describes what `regions.yaml` must hold; this module does the
walking and the type checks, and collects every problem instead of stopping
at the first, so a clinician sees all of them in one run.
"""

from __future__ import annotations

import datetime
import re

import yaml

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
BOOL = "tag:yaml.org,2002:bool"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ContentError(Exception):
    """The content file is unusable; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Problems:
    """Collects problems, each tagged with file, line, owner and field."""

    def __init__(self, path: str):
        self.path = path
        self.lines: list[str] = []

    def add(self, node: yaml.Node, owner: str, field: str, message: str) -> None:
        where = f"{self.path}:{node.start_mark.line + 1}"
        owner_part = f" {owner}:" if owner else ""
        field_part = f" field '{field}'" if field else ""
        self.lines.append(f"{where}:{owner_part}{field_part} {message}")

    def raise_if_any(self) -> None:
        if self.lines:
            raise ContentError(self.lines)


class Fields:
    """A YAML mapping whose keys are read one by one and checked as they go."""

    def __init__(self, node: yaml.Node | None, problems: Problems, owner: str, prefix: str = ""):
        self.node = node
        self.problems = problems
        self.owner = owner
        self.prefix = prefix
        self.values: dict[str, yaml.Node] = {}
        self.ok = isinstance(node, yaml.MappingNode)
        if not self.ok:
            if node is not None:  # a missing mapping was reported by its parent
                problems.add(node, owner, prefix.rstrip("."), "must be a mapping of names to values")
            return
        for key_node, value_node in node.value:
            key = key_node.value
            if key in self.values:
                problems.add(key_node, owner, prefix + key, "appears twice")
            self.values[key] = value_node

    def field(self, key: str) -> str:
        return self.prefix + key

    def report(self, node: yaml.Node, key: str, message: str) -> None:
        self.problems.add(node, self.owner, self.field(key), message)

    def refuse_unknown(self, known: set[str]) -> None:
        for key, node in self.values.items():
            if key not in known:
                self.report(node, key, f"is not a known field (known: {', '.join(sorted(known))})")

    def get(self, key: str, optional: bool = False) -> yaml.Node | None:
        node = self.values.get(key)
        if node is None and not optional and self.ok:
            self.problems.add(self.node, self.owner, self.field(key), "is missing")
        if node is not None and optional and node.tag == NULL:
            return None
        return node

    def text(self, key: str, optional: bool = False) -> str | None:
        node = self.get(key, optional)
        return None if node is None else self.scalar_text(node, key)

    def scalar_text(self, node: yaml.Node, key: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != STR:
            self.report(node, key, "must be text")
            return ""
        value = " ".join(node.value.split())
        if not value:
            self.report(node, key, "must not be empty")
        return value

    def slug(self, key: str) -> str:
        value = self.text(key) or ""
        if value and not SLUG.match(value):
            self.report(self.values[key], key, "must be lowercase letters, digits and single hyphens")
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.text(key) or ""
        if value and value not in choices:
            self.report(self.values[key], key, f"must be one of: {', '.join(choices)}")
        return value

    def number(self, key: str, low: float, high: float) -> float:
        node = self.get(key)
        if node is None:
            return low
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (INT, FLOAT):
            self.report(node, key, "must be a number")
            return low
        value = float(node.value)
        if not low <= value <= high:
            self.report(node, key, f"is off the drawing: must be between {low:g} and {high:g}")
        return value

    def date(self, key: str) -> datetime.date:
        node = self.get(key)
        if node is None:
            return datetime.date.min
        if isinstance(node, yaml.ScalarNode) and node.tag == TIMESTAMP:
            try:
                return datetime.date.fromisoformat(node.value)
            except ValueError:
                pass
        self.report(node, key, "must be a date written YYYY-MM-DD")
        return datetime.date.min

    def boolean(self, key: str) -> bool:
        """An optional true/false field; missing means false."""
        node = self.get(key, optional=True)
        if node is None:
            return False
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL:
            self.report(node, key, "must be true or false")
            return False
        return node.value.lower() in ("true", "yes", "on")

    def clock(self, key: str) -> datetime.time | None:
        """A time of day written HH:MM (24-hour), quoted or not."""
        node = self.get(key)
        if node is None:
            return None
        # Unquoted 07:30 is a base-60 number to YAML 1.1; the text as written is what the clinician meant.
        match = CLOCK.match(node.value) if isinstance(node, yaml.ScalarNode) else None
        if not match:
            self.report(node, key, "must be a time written HH:MM, 24-hour (for example 07:30 or 18:00)")
            return None
        return datetime.time(int(match[1]), int(match[2]))

    def items(self, key: str, optional: bool = False) -> list[tuple[str, yaml.Node]]:
        """The entries of a list, each with its field name (`key[0]`, `key[1]`, ...)."""
        node = self.get(key, optional)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.report(node, key, "must be a list")
            return []
        if not node.value and not optional:
            self.report(node, key, "must not be empty")
        return [(f"{key}[{i}]", item) for i, item in enumerate(node.value)]

    def texts(self, key: str, optional: bool = False) -> tuple[str, ...]:
        return tuple(self.scalar_text(item, name) for name, item in self.items(key, optional))

    def mapping(self, key: str) -> Fields:
        return Fields(self.get(key), self.problems, self.owner, self.field(key) + ".")

    def entry(self, name: str, node: yaml.Node) -> Fields:
        """A mapping that is one entry of a list read with `items`."""
        return Fields(node, self.problems, self.owner, self.prefix + name + ".")
