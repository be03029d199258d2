"""A package that installs anywhere: the built wheel carries its templates, static files, content, migrations and
compiled catalogs, and serves from a folder that is not a checkout. A language whose catalog is missing stops the app
with its name, instead of serving English under a Spanish address."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from bodymap import create_app, resources
from bodymap.settings import ConfigError

pytestmark = pytest.mark.one_clinic

CHECKOUT = Path(__file__).resolve().parent.parent
SERVE = """
import json, re
from bodymap import create_app, resources
app = create_app({"SESSION_COOKIE_SECURE": False})
client = app.test_client()
home, spanish = client.get("/"), client.get("/es/")
css = re.search(r'href="(/static/css/[^"]+)"', home.get_data(as_text=True)).group(1)
print(json.dumps({
    "installed": resources.INSTALLED,
    "templates": str(resources.TEMPLATES),
    "content": app.config["CONTENT_PATH"],
    "home": home.status_code,
    "spanish": spanish.status_code,
    "spanish_lang": re.search(r'<html lang="([a-z]+)"', spanish.get_data(as_text=True)).group(1),
    "spanish_words": spanish.get_data(as_text=True),
    "static": client.get(css).status_code,
    "static_type": client.get(css).mimetype,
}))
"""


@pytest.mark.slow
def test_the_built_wheel_serves_the_site_in_both_languages_from_outside_the_checkout(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels), str(CHECKOUT)],
        check=True,
        timeout=300,
    )
    [wheel] = wheels.glob("bodymap-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for carried in (
        "bodymap/bundled/templates/base.html",
        "bodymap/bundled/static/svg/front.svg",
        "bodymap/bundled/data/regions.yaml",
        "bodymap/bundled/migrations/env.py",
        "bodymap/translations/es/LC_MESSAGES/messages.mo",
    ):
        assert carried in names
    assert not any(name.startswith(("tests/", "scripts/")) for name in names)

    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=600)
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    environment = {"PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(empty / "instance"), "HOME": str(tmp_path)}
    done = subprocess.run(
        [python, "-c", SERVE], cwd=empty, env=environment, capture_output=True, text=True, timeout=120, check=True
    )
    served = json.loads(done.stdout)
    assert served["installed"] is True
    assert served["templates"].startswith(str(fresh)) and str(CHECKOUT) not in served["content"]
    assert (served["home"], served["spanish"], served["static"]) == (200, 200, 200)
    assert served["static_type"] == "text/css"
    assert served["spanish_lang"] == "es" and "¿Dónde le duele?" in served["spanish_words"]
    check = subprocess.run(
        [fresh / "bin" / "flask", "--app", "bodymap", "content", "check"],
        cwd=empty, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.returncode == 0 and "all valid" in check.stdout


def test_a_language_without_its_compiled_catalog_stops_the_app_and_names_the_file(monkeypatch, tmp_path, clinic_file):
    (tmp_path / "es" / "LC_MESSAGES").mkdir(parents=True)  # the .po may be there; the .mo is not
    monkeypatch.setattr(resources, "TRANSLATIONS", tmp_path)
    with pytest.raises(ConfigError) as refused:
        create_app({"TESTING": True, "CONTENT_PATH": str(clinic_file), "DATABASE_URL": "sqlite://"})
    assert str(tmp_path / "es" / "LC_MESSAGES" / "messages.mo") in str(refused.value)
    assert "make catalogs" in str(refused.value)
