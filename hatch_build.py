"""The wheel's build step: the catalogs of the pages' words (bodymap/translations/<lang>/LC_MESSAGES/messages.po)
compiled into the wheel as messages.mo, so an installed package speaks every language without `make catalogs`.

A checkout compiles them with `make catalogs` instead (the .mo files are not kept in git)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompiledCatalogs(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads the checkout, whose catalogs `make catalogs` compiles
        self._compiled = tempfile.TemporaryDirectory()
        root = Path(self.root)
        for source in sorted((root / "bodymap" / "translations").glob("*/LC_MESSAGES/messages.po")):
            with source.open("rb") as file:
                catalog = read_po(file)
            relative = source.relative_to(root).with_suffix(".mo")
            target = Path(self._compiled.name) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as file:
                write_mo(file, catalog)
            build_data["force_include"][str(target)] = relative.as_posix()

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        if getattr(self, "_compiled", None) is not None:
            self._compiled.cleanup()
