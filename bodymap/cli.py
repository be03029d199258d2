"""`flask --app bodymap content check`: check the content file without starting the app.

Registered as a Flask CLI plugin (see pyproject.toml), so it runs even when the
content is broken and the app itself would refuse to start.
"""

from __future__ import annotations

from pathlib import Path

import click

from bodymap.content import configured_path, load
from bodymap.yamlfields import ContentError


@click.group("content", help="Check the clinic's content file.")
def content_cli() -> None:
    pass


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def check(path: Path | None) -> None:
    """Check PATH (default: $CONTENT_PATH or data/regions.yaml) and name every problem."""
    path = path or configured_path()
    try:
        loaded = load(path)
    except ContentError as error:
        for line in error.problems:
            click.echo(line, err=True)
        raise SystemExit(1) from None
    click.echo(f"{path}: {len(loaded.regions)} regions and {len(loaded.treatments)} treatments, all valid")
