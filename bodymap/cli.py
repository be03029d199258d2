"""`flask --app bodymap content check [--launch]`: check the content file without starting the app.

Registered as a Flask CLI plugin (see pyproject.toml), so it runs even when the
content is broken and the app itself would refuse to start. `--launch` is the
gate before real patients see the pages: every region reviewed by a named clinician.
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
@click.option("--launch", is_flag=True, help="Also fail while any region is a draft with no named clinical reviewer.")
def check(path: Path | None, launch: bool) -> None:
    """Check PATH (default: $CONTENT_PATH or data/regions.yaml) and name every problem."""
    path = path or configured_path()
    try:
        loaded = load(path, launch=launch)
    except ContentError as error:
        for line in error.problems:
            click.echo(line, err=True)
        raise SystemExit(1) from None
    counts = f"{len(loaded.regions)} regions, {len(loaded.treatments)} treatments and {len(loaded.sources)} sources"
    drafts = sum(region.reviewed.draft for region in loaded.regions)
    if launch:
        click.echo(f"{path}: {counts}, all valid and reviewed: ready for launch")
    elif drafts:
        click.echo(f"{path}: {counts}, all valid ({drafts} still drafts: --launch refuses them)")
    else:
        click.echo(f"{path}: {counts}, all valid")
