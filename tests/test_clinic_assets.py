"""A clinic's logo may live outside the code (CLINIC_ASSETS_PATH): checked by the content check, served under a
hashed name like the app's own static files, and nothing else from that folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bodymap.settings import ConfigError
from tests.helpers import soup

pytestmark = pytest.mark.one_clinic  # the same for any clinic's file

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    '<rect width="120" height="40"/></svg>'
)


@pytest.fixture
def outside(tmp_path, clinic_file):
    """A folder of the clinic's own, outside the checkout, and a copy of the content naming the logo in it."""
    folder = tmp_path / "clinic-assets"
    (folder / "brand").mkdir(parents=True)
    (folder / "brand" / "logo.svg").write_text(LOGO)
    (folder / "notes.txt").write_text("not for the public")
    data = yaml.safe_load(clinic_file.read_text(encoding="utf-8"))
    data["clinic"]["logo"] = "brand/logo.svg"
    path = tmp_path / "regions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return folder, path


def test_the_logo_is_served_from_the_clinics_folder_under_a_hashed_name(make_app, outside, content):
    folder, path = outside
    client = make_app(CONTENT_PATH=str(path), CLINIC_ASSETS_PATH=str(folder)).test_client()
    logo = soup(client.get("/")).select_one("header img.clinic-logo")
    assert logo["src"].startswith("/clinic-assets/brand/logo.") and logo["src"].endswith(".svg")
    assert (logo["width"], logo["height"], logo["alt"]) == ("120", "40", content.clinic.name)
    image = client.get(logo["src"])
    assert image.status_code == 200 and image.mimetype == "image/svg+xml" and image.get_data(as_text=True) == LOGO
    assert image.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for other in ("/clinic-assets/notes.txt", "/clinic-assets/../regions.yaml", "/clinic-assets/brand/nope.svg"):
        assert client.get(other).status_code == 404, other


def test_without_the_setting_the_logo_is_looked_for_under_static(make_app, outside):
    _, path = outside
    with pytest.raises(Exception, match=r"names a file that does not exist: static/brand/logo.svg"):
        make_app(CONTENT_PATH=str(path))


@pytest.mark.slow
def test_the_content_check_looks_for_the_logo_in_the_clinics_folder(outside, tmp_path):
    folder, path = outside
    flask = Path(sys.executable).parent / "flask"
    env = {"PATH": str(flask.parent), "HOME": str(tmp_path), "CONTENT_PATH": str(path)}
    good = subprocess.run(
        [str(flask), "--app", "bodymap", "content", "check"], env={**env, "CLINIC_ASSETS_PATH": str(folder)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    os.remove(folder / "brand" / "logo.svg")
    gone = subprocess.run(
        [str(flask), "--app", "bodymap", "content", "check"], env={**env, "CLINIC_ASSETS_PATH": str(folder)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("  logo:"))
    assert gone.returncode == 1
    assert (
        gone.stderr
        == f"{path}:{line}: clinic: field 'logo' names a file that does not exist: {folder}/brand/logo.svg\n"
    )


def test_a_clinic_assets_path_that_is_not_a_folder_stops_the_app(monkeypatch, tmp_path):
    from bodymap import settings

    monkeypatch.setenv("CLINIC_ASSETS_PATH", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match=r"CLINIC_ASSETS_PATH: '.*nowhere' is not a folder"):
        settings.from_environment(str(tmp_path))
