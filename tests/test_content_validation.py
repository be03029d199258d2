"""A broken content file is refused, naming the file, line, region and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bodymap import create_app
from bodymap.content import load
from bodymap.yamlfields import ContentError

MINIMAL = """\
clinic:
  name: Test Clinic
  city: Portland, OR
  phone: "(503) 208-6278"
  country: US
  appointments: "We often have same-day visits."
  locations:
    - name: Portland, OR
  booking_url: null
  direct_access:
    text: "No referral needed."
    as_of: 2026-11-27
  disclaimer: "General information, not a diagnosis. In an emergency, call 911."
treatments:
  - id: heat
    name: Heat
    kind: passive
    description: "A warm pack."
    contraindications: []
  - id: walking
    name: Walking
    kind: active
    description: "Short walks."
    contraindications: []
regions:
  - slug: neck
    name: Neck
    markers:
      - {view: front, side: centre, x: 100, y: 74}
    summary: "Neck pain is common."
    conditions:
      - name: Strain
        about: "A pulled muscle."
    treatments: [heat, walking]
    self_care: ["Keep moving."]
    red_flags:
      emergency: ["Trouble speaking."]
      urgent: ["Fever."]
    screening:
      emergency: ["Do you have trouble speaking?"]
      urgent: ["Do you have a fever?"]
      general: ["When did it start?"]
    reviewed:
      date: 2026-11-27
      by: Test reviewer
    sources: ["Test source"]
  - slug: knee
    name: Knee
    markers:
      - {view: front, side: right, x: 78, y: 335}
      - {view: front, side: left, x: 122, y: 335}
    summary: "Knee pain is common."
    conditions:
      - name: Sprain
        about: "A stretched ligament."
    treatments: [heat, walking]
    self_care: ["Rest it."]
    red_flags:
      emergency: ["The leg looks out of shape."]
      urgent: ["You cannot bear weight."]
    screening:
      emergency: ["Does the leg look out of shape?"]
      urgent: ["Can you put weight on it?"]
      general: ["How did it start?"]
    reviewed:
      date: 2026-11-27
      by: Test reviewer
    sources: ["Test source"]
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[occurrence - 1]


def problems_for(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "regions.yaml"
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        load(path)
    return caught.value.problems


def test_the_minimal_file_is_valid(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text(MINIMAL)
    content = load(path)
    assert [r.slug for r in content.regions] == ["neck", "knee"]
    assert content.region("knee").sides == ("left", "right")


def test_a_wrong_type_names_file_line_region_and_field(tmp_path):
    text = MINIMAL.replace('summary: "Knee pain is common."', "summary: 12")
    [problem] = problems_for(tmp_path, text)
    assert (
        problem
        == f"{tmp_path}/regions.yaml:{line_of(text, 'summary: 12')}: region 'knee': field 'summary' must be text"
    )


def test_a_missing_field_is_named(tmp_path):
    text = MINIMAL.replace('    summary: "Knee pain is common."\n', "")
    [problem] = problems_for(tmp_path, text)
    assert problem.endswith(f":{line_of(text, 'slug: knee')}: region 'knee': field 'summary' is missing")


def test_an_unknown_treatment_id_is_refused(tmp_path):
    text = MINIMAL.replace(
        'treatments: [heat, walking]\n    self_care: ["Rest it."]',
        'treatments: [heat, swimming]\n    self_care: ["Rest it."]',
    )
    [problem] = problems_for(tmp_path, text)
    assert problem.endswith(
        f":{line_of(text, 'swimming')}: region 'knee': field 'treatments[1]' names unknown treatment id 'swimming'"
    )


def test_a_duplicate_slug_is_refused(tmp_path):
    text = MINIMAL.replace("slug: knee", "slug: neck").replace("y: 335}", "y: 300}")
    problems = problems_for(tmp_path, text)
    assert any(
        p.endswith(f":{line_of(text, 'slug: neck', 2)}: region 'neck': field 'slug' 'neck' is used by another region")
        for p in problems
    ), problems


def test_a_marker_off_the_drawing_is_refused(tmp_path):
    text = MINIMAL.replace("side: left, x: 122, y: 335", "side: left, x: 250, y: 335")
    [problem] = problems_for(tmp_path, text)
    line = line_of(text, "x: 250")
    expected = "region 'knee': field 'markers[1].x' is off the drawing: must be between 17 and 183"
    assert problem.endswith(f":{line}: {expected}")


def test_a_circle_on_the_wrong_side_of_the_picture_is_refused(tmp_path):
    text = MINIMAL.replace("side: right, x: 78", "side: right, x: 160")
    problems = problems_for(tmp_path, text)
    assert any("region 'knee': field 'markers[0].x' puts a right circle on the wrong half" in p for p in problems)


def test_overlapping_circles_are_refused(tmp_path):
    text = MINIMAL.replace("side: centre, x: 100, y: 74", "side: centre, x: 100, y: 330")
    problems = problems_for(tmp_path, text)
    assert any(
        "region 'knee': field 'markers[0]' its circle overlaps region 'neck'" in p or "overlaps region 'neck'" in p
        for p in problems
    ), problems


def test_a_paired_region_needs_both_sides(tmp_path):
    text = MINIMAL.replace("      - {view: front, side: left, x: 122, y: 335}\n", "")
    [problem] = problems_for(tmp_path, text)
    assert problem.endswith("region 'knee': field 'markers' needs both a left and a right circle")


def test_an_empty_red_flag_list_is_refused(tmp_path):
    text = MINIMAL.replace('emergency: ["The leg looks out of shape."]', "emergency: []")
    [problem] = problems_for(tmp_path, text)
    assert problem.endswith(
        f":{line_of(text, 'emergency: []')}: region 'knee': field 'red_flags.emergency' must not be empty"
    )


def test_a_misspelt_field_is_refused(tmp_path):
    text = MINIMAL.replace('summary: "Neck pain is common."', 'sumary: "Neck pain is common."')
    problems = problems_for(tmp_path, text)
    assert any(f":{line_of(text, 'sumary')}: region 'neck': field 'sumary' is not a known field" in p for p in problems)
    assert any("region 'neck': field 'summary' is missing" in p for p in problems)


def test_a_bad_date_and_a_bad_phone_are_refused(tmp_path):
    text = MINIMAL.replace("date: 2026-11-27", "date: last week", 1).replace("(503) 208-6278", "12")
    problems = problems_for(tmp_path, text)
    assert any(
        f":{line_of(text, 'date: last week')}: region 'neck': field 'reviewed.date' must be a date" in p
        for p in problems
    )
    assert any(f":{line_of(text, 'phone:')}: clinic: field 'phone' is not a phone number" in p for p in problems)


def test_a_file_that_is_not_yaml_names_the_line(tmp_path):
    text = MINIMAL.replace("    name: Knee\n", "    name: [Knee\n")
    [problem] = problems_for(tmp_path, text)
    assert "is not valid YAML" in problem and problem.startswith(f"{tmp_path}/regions.yaml:")


def test_every_problem_is_reported_at_once(tmp_path):
    text = MINIMAL.replace("kind: passive", "kind: lazy").replace('about: "A pulled muscle."', "about: 3")
    assert len(problems_for(tmp_path, text)) == 2


def test_the_app_refuses_to_start_on_invalid_content(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text(MINIMAL.replace('summary: "Knee pain is common."', "summary: 12"))
    with pytest.raises(ContentError):
        create_app({"CONTENT_PATH": str(path)})


def run_check(*args: str, env_path: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": str(Path(sys.executable).parent), "HOME": "/tmp"}
    if env_path:
        env["CONTENT_PATH"] = str(env_path)
    return subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "bodymap", "content", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_content_check_prints_every_problem_and_exits_non_zero(tmp_path):
    path = tmp_path / "regions.yaml"
    text = MINIMAL.replace('summary: "Knee pain is common."', "summary: 12")
    path.write_text(text)
    result = run_check(str(path))
    assert result.returncode == 1
    assert f"regions.yaml:{line_of(text, 'summary: 12')}: region 'knee': field 'summary' must be text" in result.stderr
    assert "Traceback" not in result.stderr


def test_content_check_passes_the_shipped_file_and_honours_content_path(tmp_path):
    assert run_check().returncode == 0
    path = tmp_path / "regions.yaml"
    path.write_text(MINIMAL)
    result = run_check(env_path=path)
    assert result.returncode == 0 and "2 regions" in result.stdout
