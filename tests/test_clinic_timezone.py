"""The clinic's time zone in the content file: optional (UTC), an IANA name, refused with its line when unknown."""

from __future__ import annotations

import pytest

from bodymap.content import ContentError, load
from tests.helpers import CLINIC_FILES, CLINICS


def with_timezone(tmp_path, value: str):
    """A copy of the shipped content file whose clinic names a time zone."""
    text = CLINIC_FILES["shipped"].read_text(encoding="utf-8")
    assert text.count("\nclinic:\n") == 1
    path = tmp_path / "regions.yaml"
    path.write_text(text.replace("\nclinic:\n", f"\nclinic:\n  timezone: {value}\n"), encoding="utf-8")
    return path


def test_a_clinic_that_names_no_time_zone_keeps_utc():
    """Neither clinic file says where the clinic is, so neither guesses: the README asks each clinic to set it."""
    assert {name: content.clinic.timezone for name, content in CLINICS.items()} == {
        "shipped": "UTC",
        "riverbend": "UTC",
    }


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/Lisbon", "UTC"])
def test_a_clinic_may_name_its_time_zone(tmp_path, zone):
    assert load(with_timezone(tmp_path, zone)).clinic.timezone == zone


@pytest.mark.parametrize("zone", ["Pacific Time", "America/Springfield", "PST8", "../../etc/passwd"])
def test_an_unknown_time_zone_is_refused_with_its_line(tmp_path, zone):
    path = with_timezone(tmp_path, zone)
    with pytest.raises(ContentError) as refused:
        load(path)
    [problem] = refused.value.problems
    line = path.read_text(encoding="utf-8").splitlines().index(f"  timezone: {zone}") + 1
    assert problem.startswith(f"{path}:{line}: clinic: field 'timezone'"), problem
    assert "America/Los_Angeles" in problem
