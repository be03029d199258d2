"""A broken content file is refused, naming the file, line, region and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bodymap import create_app
from bodymap.cli import content_cli
from bodymap.content import ContentError, load

MINIMAL = """\
clinic:
  name: Test Clinic
  city: Springfield, OR
  phone: "(541) 555-0100"
  country: US
  appointments: "We often have same-day visits."
  locations:
    - name: Springfield, OR
  booking_url: null
  direct_access:
    text: "You do not need a doctor's referral to start."
    as_of: 2026-11-27
  disclaimer: "This is general health advice. It is not a diagnosis. In an emergency, call 911."
sources:
  - id: guide
    citation: "A test guideline (2020)"
    url: https://example.org/guide
  - id: leaflet
    citation: "A test leaflet"
treatments:
  - id: heat
    name: Heat
    kind: passive
    description: "A warm pack."
    contraindications:
      - {text: "The skin there is broken", source: leaflet}
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
    not_improving: {text: "Not better in a few weeks? See a doctor.", source: leaflet}
    red_flags:
      emergency:
        - {text: "Trouble speaking.", source: guide}
      urgent:
        - {text: "Fever.", source: [guide, leaflet]}
    screening:
      emergency: ["Do you have trouble speaking?"]
      urgent: ["Do you have a fever?"]
      general: ["When did it start?"]
    sources: [guide]
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
    not_improving: {text: "Not better in 2 weeks? See a doctor.", source: leaflet}
    red_flags:
      emergency:
        - {text: "The leg looks out of shape.", source: leaflet}
      urgent:
        - {text: "You cannot bear weight.", source: guide}
    screening:
      emergency: ["Does the leg look out of shape?"]
      urgent: ["Can you put weight on it?"]
      general: ["How did it start?"]
    sources: [guide, leaflet]
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
    guide, leaflet = content.sources
    assert (guide.id, guide.url, leaflet.url) == ("guide", "https://example.org/guide", None)
    neck = content.region("neck")
    assert neck.red_flags.urgent[0].sources == (guide, leaflet)
    assert neck.footnotes == (guide, leaflet)  # numbered by first citation: the red flags come first
    assert neck.cites(neck.red_flags.urgent[0]) == [(1, guide), (2, leaflet)]


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


def test_touching_dots_are_refused(tmp_path):
    text = MINIMAL.replace("side: centre, x: 100, y: 74", "side: centre, x: 92, y: 330")
    [problem] = problems_for(tmp_path, text)
    line = line_of(text, "x: 78")
    expected = "region 'knee': field 'markers[0]' its dot touches the dot of region 'neck' on the front view"
    assert problem.endswith(f":{line}: {expected}")


def test_dots_may_sit_close_where_the_areas_take_the_taps(tmp_path):
    """The jaw's two dots are 24 units apart: the areas around them take the taps, so only the dots keep clear."""
    text = MINIMAL.replace("side: right, x: 78, y: 335", "side: right, x: 88, y: 335").replace(
        "side: left, x: 122, y: 335", "side: left, x: 112, y: 335"
    )
    path = tmp_path / "regions.yaml"
    path.write_text(text)
    assert [m.x for m in load(path).region("knee").markers] == [88, 112]


def test_a_paired_region_needs_both_sides(tmp_path):
    text = MINIMAL.replace("      - {view: front, side: left, x: 122, y: 335}\n", "")
    [problem] = problems_for(tmp_path, text)
    assert problem.endswith("region 'knee': field 'markers' needs both a left and a right circle")


def test_an_empty_red_flag_list_is_refused(tmp_path):
    text = MINIMAL.replace(
        'emergency:\n        - {text: "The leg looks out of shape.", source: leaflet}', "emergency: []"
    )
    [problem] = problems_for(tmp_path, text)
    assert problem.endswith(
        f":{line_of(text, 'emergency: []')}: region 'knee': field 'red_flags.emergency' must not be empty"
    )


def test_an_unknown_source_id_is_refused(tmp_path):
    text = MINIMAL.replace(
        '{text: "You cannot bear weight.", source: guide}', '{text: "You cannot bear weight.", source: nice-ng99}'
    )
    [problem] = problems_for(tmp_path, text)
    assert problem == (
        f"{tmp_path}/regions.yaml:{line_of(text, 'nice-ng99')}: region 'knee': field 'red_flags.urgent[0].source'"
        " names unknown source 'nice-ng99' (add it under 'sources' at the top)"
    )


def test_an_unknown_source_id_in_a_list_or_a_regions_sources_is_refused(tmp_path):
    text = MINIMAL.replace("source: [guide, leaflet]}", "source: [guide, leaflt]}").replace(
        "sources: [guide, leaflet]", "sources: [guide, gide]"
    )
    problems = problems_for(tmp_path, text)
    assert problems == [
        f"{tmp_path}/regions.yaml:{line_of(text, 'leaflt')}: region 'neck': field 'red_flags.urgent[0].source[1]'"
        " names unknown source 'leaflt' (add it under 'sources' at the top)",
        f"{tmp_path}/regions.yaml:{line_of(text, 'gide')}: region 'knee': field 'sources[1]'"
        " names unknown source 'gide' (add it under 'sources' at the top)",
    ]


def test_a_red_flag_without_a_source_is_refused(tmp_path):
    text = MINIMAL.replace(
        '- {text: "The leg looks out of shape.", source: leaflet}', '- "The leg looks out of shape."'
    )
    [problem] = problems_for(tmp_path, text)
    assert problem == (
        f"{tmp_path}/regions.yaml:{line_of(text, 'The leg looks')}: region 'knee': field 'red_flags.emergency[0]'"
        ' names no source: write it as {text: "...", source: <source id>}'
    )


def test_a_flag_or_caution_written_as_a_mapping_with_no_source_is_refused(tmp_path):
    text = MINIMAL.replace('{text: "Trouble speaking.", source: guide}', '{text: "Trouble speaking."}').replace(
        '{text: "The skin there is broken", source: leaflet}', '{text: "The skin there is broken"}'
    )
    problems = problems_for(tmp_path, text)
    assert problems == [
        f"{tmp_path}/regions.yaml:{line_of(text, 'The skin there')}: treatment heat:"
        " field 'contraindications[0].source' is missing",
        f"{tmp_path}/regions.yaml:{line_of(text, 'Trouble speaking.')}: region 'neck':"
        " field 'red_flags.emergency[0].source' is missing",
    ]


def test_the_source_catalogue_is_checked(tmp_path):
    text = MINIMAL.replace("  - id: leaflet\n", "  - id: guide\n").replace(
        "url: https://example.org/guide", "url: http://example.org/guide"
    )
    problems = problems_for(tmp_path, text)
    where = f"{tmp_path}/regions.yaml"
    assert (
        f"{where}:{line_of(text, 'http://')}: source guide: field 'url' must be a web address starting with https://"
        in (problems)
    )
    assert f"{where}:{line_of(text, 'id: guide', 2)}: source guide: field 'id' 'guide' is used by another source" in (
        problems
    )


def test_every_region_says_when_to_get_checked_if_it_is_not_improving(tmp_path):
    text = MINIMAL.replace('    not_improving: {text: "Not better in 2 weeks? See a doctor.", source: leaflet}\n', "")
    [problem] = problems_for(tmp_path, text)
    assert (
        problem
        == f"{tmp_path}/regions.yaml:{line_of(text, 'slug: knee')}: region 'knee': field 'not_improving' is missing"
    )


CLINIC_EXTRAS = """\
  website: https://www.example.org
  hours:
    - {days: [monday, tuesday, wednesday, thursday, friday], open: 07:00, close: "18:00"}
    - {days: saturday, open: "9:30", close: "12:00"}
  logo: favicon.svg
"""


def with_clinic_extras(extras: str = CLINIC_EXTRAS) -> str:
    return MINIMAL.replace("  booking_url: null\n", "  booking_url: null\n" + extras)


def test_the_clinic_may_name_its_website_hours_locations_and_logo(tmp_path):
    text = with_clinic_extras().replace(
        "    - name: Springfield, OR\n", '    - name: Main clinic\n      address: ["1 Example Street", "Springfield"]\n'
    )
    path = tmp_path / "regions.yaml"
    path.write_text(text)
    clinic = load(path).clinic
    assert clinic.website == "https://www.example.org" and clinic.website_host == "www.example.org"
    assert [(h.days, h.open.isoformat("minutes"), h.close.isoformat("minutes")) for h in clinic.hours] == [
        (("monday", "tuesday", "wednesday", "thursday", "friday"), "07:00", "18:00"),
        (("saturday",), "09:30", "12:00"),
    ]
    assert (clinic.logo.path, clinic.logo.width, clinic.logo.height) == ("favicon.svg", 32, 32)
    assert clinic.locations[0].address == ("1 Example Street", "Springfield")


def test_bad_opening_hours_are_refused(tmp_path):
    text = with_clinic_extras(
        CLINIC_EXTRAS.replace('open: "9:30"', 'open: "9.30am"').replace(
            'open: 07:00, close: "18:00"', 'open: "19:00", close: "18:00"'
        )
    )
    problems = problems_for(tmp_path, text)
    late = line_of(text, 'open: "19:00"')
    assert problems == [
        f"{tmp_path}/regions.yaml:{late}: clinic: field 'hours[0].close' must be later than 'open' (19:00)",
        f"{tmp_path}/regions.yaml:{line_of(text, '9.30am')}: clinic: field 'hours[1].open'"
        " must be a time written HH:MM, 24-hour (for example 07:30 or 18:00)",
    ]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ('"Mon-Fri"', "must be a list of weekdays, such as [monday, tuesday, wednesday, thursday, friday]"),
        ("[monday, funday]", "must be one of: monday, tuesday, wednesday, thursday, friday, saturday, sunday"),
        ("[monday, Monday]", "must name each day once"),
        ("[]", "must not be empty"),
    ],
)
def test_opening_days_are_weekdays_written_as_data(tmp_path, days, message):
    text = with_clinic_extras(CLINIC_EXTRAS.replace("days: saturday", f"days: {days}"))
    [problem] = problems_for(tmp_path, text)
    assert problem.startswith(f"{tmp_path}/regions.yaml:{line_of(text, f'days: {days}')}: clinic: field 'hours[1].days")
    assert problem.endswith(message)


def test_a_logo_that_is_not_there_is_refused(tmp_path):
    text = with_clinic_extras(CLINIC_EXTRAS.replace("logo: favicon.svg", "logo: img/our-logo.svg"))
    [problem] = problems_for(tmp_path, text)
    assert problem == (
        f"{tmp_path}/regions.yaml:{line_of(text, 'logo:')}: clinic: field 'logo'"
        " names a file that does not exist: static/img/our-logo.svg"
    )


@pytest.mark.parametrize("logo", ["css/bodymap.css", "../pyproject.toml"])
def test_a_logo_must_be_an_svg_or_png_under_static(tmp_path, logo):
    text = with_clinic_extras(CLINIC_EXTRAS.replace("logo: favicon.svg", f"logo: {logo}"))
    [problem] = problems_for(tmp_path, text)
    assert problem.endswith(
        f":{line_of(text, 'logo:')}: clinic: field 'logo' must be an .svg or .png file under static/"
        " (or set CLINIC_ASSETS_PATH)"
    )


def test_a_website_must_be_https(tmp_path):
    text = with_clinic_extras(CLINIC_EXTRAS.replace("https://www.example.org", "www.example.org"))
    [problem] = problems_for(tmp_path, text)
    assert problem.endswith(
        f":{line_of(text, 'website:')}: clinic: field 'website' must be a web address starting with https://"
    )


def test_a_reviewed_block_left_from_an_older_file_says_that_clinicians_sign_off_in_the_browser(tmp_path):
    text = MINIMAL.replace(
        "    sources: [guide]\n", "    reviewed: {date: 2026-11-27, by: Test reviewer}\n    sources: [guide]\n", 1
    )
    [problem] = problems_for(tmp_path, text)
    assert problem == (
        f"{tmp_path}/regions.yaml:{line_of(text, 'reviewed:')}: region 'neck': field 'reviewed' is no longer used:"
        " a clinician signs each region off in the browser (/staff/content), and the panel names them from that"
        " sign-off; delete this block"
    )


def test_a_misspelt_field_is_refused(tmp_path):
    text = MINIMAL.replace('summary: "Neck pain is common."', 'sumary: "Neck pain is common."')
    problems = problems_for(tmp_path, text)
    assert any(f":{line_of(text, 'sumary')}: region 'neck': field 'sumary' is not a known field" in p for p in problems)
    assert any("region 'neck': field 'summary' is missing" in p for p in problems)


def test_a_bad_date_and_a_bad_phone_are_refused(tmp_path):
    text = MINIMAL.replace("as_of: 2026-11-27", "as_of: last week", 1).replace("(541) 555-0100", "12")
    problems = problems_for(tmp_path, text)
    assert any(
        f":{line_of(text, 'as_of: last week')}: clinic: field 'direct_access.as_of' must be a date" in p
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


def run_check(*args: str, env_path: Path | None = None, real: bool = False) -> subprocess.CompletedProcess:
    """`flask --app bodymap content check ARGS`: in a real process with a bare environment when `real`, else the
    same command in-process (click's runner), which answers the same and skips a second of start-up."""
    env = {"PATH": str(Path(sys.executable).parent), "HOME": "/tmp"}
    if env_path:
        env["CONTENT_PATH"] = str(env_path)
    if real:
        return subprocess.run(
            [str(Path(sys.executable).parent / "flask"), "--app", "bodymap", "content", "check", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    result = CliRunner().invoke(content_cli, ["check", *args], env={"CONTENT_PATH": env.get("CONTENT_PATH")})
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


@pytest.mark.slow
def test_content_check_prints_every_problem_and_exits_non_zero(tmp_path):
    path = tmp_path / "regions.yaml"
    text = MINIMAL.replace('summary: "Knee pain is common."', "summary: 12")
    path.write_text(text)
    result = run_check(str(path))
    assert result.returncode == 1
    assert f"regions.yaml:{line_of(text, 'summary: 12')}: region 'knee': field 'summary' must be text" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_content_check_passes_the_shipped_file_and_honours_content_path(tmp_path):
    assert run_check(real=True).returncode == 0
    path = tmp_path / "regions.yaml"
    path.write_text(MINIMAL)
    result = run_check(env_path=path, real=True)
    assert result.returncode == 0 and "2 regions" in result.stdout


SHOULDER = """\
  - slug: shoulder
    name: Shoulder
    markers:
      - {view: back, side: left, x: 130, y: 150}
      - {view: back, side: right, x: 70, y: 150}
    summary: "Shoulder pain is common."
    conditions:
      - name: Strain
        about: "A pulled muscle."
    treatments: [walking]
    self_care: ["Keep moving."]
    not_improving: {text: "Not better in 2 weeks? See a doctor.", source: guide}
    red_flags:
      emergency:
        - {text: "Chest pain too.", source: guide}
      urgent:
        - {text: "Fever.", source: guide}
    screening:
      emergency: ["Do you have chest pain?"]
      urgent: ["Do you have a fever?"]
      general: ["When did it start?"]
    sources: [guide]
"""

# Nine kinds of mistake in one file. The neck's own mistakes must not hide that the knee's circles sit on it.
BROKEN = (
    (MINIMAL + SHOULDER)
    .replace("kind: active", "kind: lazy")
    .replace('summary: "Neck pain is common."', 'sumary: "Neck pain is common."')
    .replace('about: "A pulled muscle."', "about: 3", 1)
    .replace("as_of: 2026-11-27", "as_of: last week", 1)
    .replace("x: 100, y: 74", "x: 92, y: 330")
    .replace(
        'treatments: [heat, walking]\n    self_care: ["Rest it."]',
        'treatments: [heat, swimming]\n    self_care: ["Rest it."]',
    )
    .replace('{text: "You cannot bear weight.", source: guide}', '{text: "You cannot bear weight.", source: nice-ng99}')
)
REGION_FIELDS = (
    "conditions, es, lasts, markers, name, not_improving, red_flags, screening, self_care, slug, sources, summary,"
    " treatments"
)
BROKEN_PROBLEMS = [
    ("as_of: last week", "clinic: field 'direct_access.as_of' must be a date written YYYY-MM-DD"),
    ("kind: lazy", "treatment walking: field 'kind' must be one of: passive, active"),
    ("slug: neck", "region 'neck': field 'summary' is missing"),
    ("sumary", f"region 'neck': field 'sumary' is not a known field (known: {REGION_FIELDS})"),
    ("about: 3", "region 'neck': field 'conditions[0].about' must be text"),
    ("x: 78", "region 'knee': field 'markers[0]' its dot touches the dot of region 'neck' on the front view"),
    ("swimming", "region 'knee': field 'treatments[1]' names unknown treatment id 'swimming'"),
    (
        "nice-ng99",
        "region 'knee': field 'red_flags.urgent[0].source' names unknown source 'nice-ng99'"
        " (add it under 'sources' at the top)",
    ),
    (
        "x: 130",
        "region 'shoulder': field 'markers[0].x' puts a left circle on the wrong half:"
        " on the back view it belongs on the left of the picture",
    ),
    (
        "x: 70",
        "region 'shoulder': field 'markers[1].x' puts a right circle on the wrong half:"
        " on the back view it belongs on the right of the picture",
    ),
]


@pytest.mark.slow
def test_a_file_with_many_kinds_of_mistake_names_each_with_file_line_owner_and_field(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text(BROKEN)
    expected = [f"{path}:{line_of(BROKEN, needle)}: {problem}" for needle, problem in BROKEN_PROBLEMS]
    with pytest.raises(ContentError) as caught:
        load(path)
    assert caught.value.problems == expected
    result = run_check(str(path), real=True)
    assert result.returncode == 1
    assert result.stderr.splitlines() == expected
