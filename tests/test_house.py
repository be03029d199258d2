"""The package's shape: imports point one way, and no blueprint reaches into another."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "bodymap"
AUDIENCES = ("public", "callback", "staff", "embed")
FEATURES = ("areas", "audit", "booking", "review")  # shared by the audiences, over the layers
LAYERS = ("operations", "web", "content", "data", "notify", "settings", "extensions", "resources", "roles")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports (at run time, not for typing)."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        typing_only = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for stmt in block.body
            for node in ast.walk(stmt)
        }
        targets = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bodymap"):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    targets.add(candidate if candidate in modules else node.module)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("bodymap"))
        found[name] = {t for t in targets if t in modules and t != name}
    return found


def owner(module: str) -> str:
    """The audience or layer a module belongs to: 'staff' for bodymap.staff.queue."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_cycles():
    """A package's face (__init__) importing its own views, which take `bp` from it, is the blueprint
    pattern and not counted; any other way back to where an import started is a cycle."""
    graph = {module: {t for t in targets if not t.startswith(module + ".")} for module, targets in imports().items()}

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for following in graph[node]:
                if following == start:
                    return [*path, following]
                if following not in path:
                    stack.append((following, [*path, following]))
        return None

    assert [cycle for module in graph if (cycle := cycle_from(module))] == []


def test_no_blueprint_imports_another_blueprint():
    for module, targets in imports().items():
        if owner(module) in AUDIENCES:
            strangers = {t for t in targets if owner(t) in AUDIENCES and owner(t) != owner(module)}
            assert strangers == set(), module


def test_layers_never_import_an_audience_or_the_app():
    for module, targets in imports().items():
        if owner(module) in LAYERS:
            upward = {t for t in targets if owner(t) in (*AUDIENCES, "cli") or t == "bodymap"}
            assert upward == set(), module


def test_features_never_import_an_audience_or_the_app():
    for module, targets in imports().items():
        if owner(module) in FEATURES:
            upward = {t for t in targets if owner(t) in (*AUDIENCES, "cli") or t == "bodymap"}
            assert upward == set(), module


def test_layers_never_import_a_feature():
    for module, targets in imports().items():
        if owner(module) in LAYERS:
            assert {t for t in targets if owner(t) in FEATURES} == set(), module
