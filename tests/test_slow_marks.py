"""`make test` stays quick: a test that starts a process (a `flask` command, gunicorn, a build) or a server that
never answers is marked `slow`, so `make test-slow` runs it and `make test` leaves it out."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
PROCESS_CALLS = ("run", "Popen", "check_output", "check_call")
STARTS = {"flask_shell", "hung_server"} | {f"subprocess.{name}" for name in PROCESS_CALLS}


def called(node: ast.AST) -> set[str]:
    """The names a function calls: `f(...)` as "f", `subprocess.run(...)` as "subprocess.run"."""
    names = set()
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        if isinstance(call.func, ast.Name):
            names.add(call.func.id)
        elif isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
            names.add(f"{call.func.value.id}.{call.func.attr}")
    return names


def marked_slow(decorators: list[ast.expr]) -> bool:
    return any("mark.slow" in ast.unparse(decorator) for decorator in decorators)


def unmarked_starters(path: Path) -> list[str]:
    """The tests in `path` that start a process or a server, through a function of the module or not, unmarked."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        targets = getattr(node, "targets", [])
        if any(getattr(t, "id", "") == "pytestmark" for t in targets) and "mark.slow" in ast.unparse(node.value):
            return []
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    starters = set(STARTS)
    while grown := {name for name, f in functions.items() if name not in starters and called(f) & starters}:
        starters |= grown
    return [
        f"{path.name}::{name}"
        for name, function in functions.items()
        if name.startswith("test_") and name in starters and not marked_slow(function.decorator_list)
    ]


def test_every_test_that_starts_a_process_or_a_server_is_marked_slow():
    unmarked = [name for path in sorted(TESTS.rglob("test_*.py")) for name in unmarked_starters(path)]
    assert unmarked == [], "mark these @pytest.mark.slow (see CONTRIBUTING, Tests)"


def test_the_check_finds_a_test_that_starts_a_process_through_a_helper(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "def run_cli():\n    return flask_shell('x')\n\n"
        "def test_quick():\n    assert True\n\n"
        "def test_starts():\n    run_cli()\n\n"
        "@pytest.mark.slow\ndef test_marked():\n    run_cli()\n"
    )
    assert unmarked_starters(sample) == ["test_sample.py::test_starts"]
