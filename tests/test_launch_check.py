"""`content check` checks what the app checks at start-up, reading level included; `--launch` also asks the database
whether every region and language is signed off for its current text, and refuses what the example clinic left
behind: its name, phone, city or website, a fictional 555-01xx number, a direct-access notice over a year old."""

from __future__ import annotations

import datetime
import re

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from bodymap.cli import content_cli
from bodymap.content import load, patient_text
from bodymap.data.models import SignOff, utcnow
from tests.helpers import CLINIC_FILES, CONTENT, TESTS, add_rows
from tests.test_content_validation import MINIMAL, line_of, run_check
from tests.test_spanish_content import MINIMAL_ES

pytestmark = pytest.mark.one_clinic  # the files here are the test's own

TODAY = datetime.date.today()
# The small two-language file, as a clinic would launch it: a real-looking number, a notice dated this week.
READY = MINIMAL_ES.replace("(541) 555-0100", "(541) 726-3730").replace("as_of: 2026-11-27", f"as_of: {TODAY}")


def launch(app, path):
    """`flask --app bodymap content check --launch PATH`, in-process, its database that of `app`."""
    result = CliRunner().invoke(content_cli, ["check", "--launch", str(path)], obj=ScriptInfo(create_app=lambda: app))
    return result.exit_code, result.stdout, result.stderr


def signed(app, path, *, only=None):
    """Sign off every region in every language of the file at `path` (or the `only` (slug, lang) pairs)."""
    loaded = load(path)
    rows = []
    for lang in loaded.clinic.languages:
        for region in loaded.in_language(lang).regions:
            if only is None or (region.slug, lang) in only:
                rows.append(
                    SignOff(
                        region=region.slug,
                        language=lang,
                        digest=patient_text.digest(region),
                        signed_by="Dana Ruiz, PT, DPT",
                        signed_at=utcnow(),
                    )
                )
    add_rows(app, *rows)


@pytest.fixture
def ready_file(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text(READY, encoding="utf-8")
    return path


# Reading level, with or without --launch ----------------------------------------------------------------------------

GRADE_16 = (
    "Musculoskeletal discomfort predominantly originates from cumulative biomechanical overloading of"
    " paravertebral musculature, frequently exacerbated by sustained ergonomically unfavourable positioning."
)


def test_a_grade_16_summary_fails_the_content_check_with_its_line(tmp_path):
    text = MINIMAL.replace('summary: "Knee pain is common."', f'summary: "{GRADE_16}"')
    path = tmp_path / "regions.yaml"
    path.write_text(text)
    result = run_check(str(path), real=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [problem] = [line for line in result.stderr.splitlines() if "field 'summary'" in line]
    grade = re.search(r"reads at US grade ([\d.]+)", problem)[1]
    assert float(grade) >= 16
    assert problem == (
        f"{path}:{line_of(text, GRADE_16[:30])}: region 'knee': field 'summary' reads at US grade {grade}"
        " (Flesch-Kincaid); patient text must read at grade 6 or below: shorter sentences and everyday words help"
    )
    # The region taken together reads too hard as well, named at the region.
    assert any(line.startswith(f"{path}:{line_of(text, 'slug: knee')}: region 'knee': its patient text") for line in
               result.stderr.splitlines())  # fmt: skip


def test_hard_spanish_fails_the_content_check_with_the_line_of_its_block(tmp_path):
    hard = (
        "La sintomatología musculoesquelética predominantemente se origina por sobrecargas biomecánicas"
        " acumulativas, frecuentemente exacerbadas por posiciones ergonómicamente desfavorables."
    )
    text = MINIMAL_ES.replace('summary: "El dolor de rodilla es común."', f'summary: "{hard}"')
    path = tmp_path / "regions.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_check(str(path))
    assert result.returncode == 1
    [problem] = [line for line in result.stderr.splitlines() if "field 'es.summary'" in line]
    assert problem.startswith(f"{path}:{line_of(text, hard[:30])}: region 'knee': field 'es.summary' scores ")
    assert problem.endswith(
        "on the Fernández-Huerta scale; patient text must score 70 or more (easy): shorter sentences and everyday"
        " words help"
    )


def test_a_one_line_item_is_read_with_the_rest_not_measured_alone(tmp_path):
    """ "No referral needed." alone measures grade 9: a short line is read among the clinic's other messages."""
    text = MINIMAL.replace("You do not need a doctor's referral to start.", "No referral needed.")
    path = tmp_path / "regions.yaml"
    path.write_text(text)
    assert run_check(str(path)).returncode == 0


@pytest.mark.parametrize("clinic", list(CLINIC_FILES))
def test_both_clinic_files_of_the_suite_pass_the_reading_check(clinic):
    assert run_check(str(CLINIC_FILES[clinic])).returncode == 0


# --launch: the sign-offs ---------------------------------------------------------------------------------------------


def test_launch_names_every_region_and_language_not_signed_off_with_its_line(make_app, ready_file):
    code, out, err = launch(make_app(), ready_file)
    assert code == 1
    english = "not signed off in English: a clinician who reviews English signs it off at /staff/content"
    spanish = "not signed off in Spanish: a clinician who reviews Spanish signs it off at /staff/content"
    neck_es, knee_es = line_of(READY, 'name: "Cuello"'), line_of(READY, 'name: "Rodilla"')
    assert err.splitlines() == [
        f"{ready_file}:{line_of(READY, 'slug: neck')}: region 'neck': {english}",
        f"{ready_file}:{neck_es}: region 'neck': field 'es' {spanish}",
        f"{ready_file}:{line_of(READY, 'slug: knee')}: region 'knee': {english}",
        f"{ready_file}:{knee_es}: region 'knee': field 'es' {spanish}",
    ]


def test_launch_passes_once_every_region_and_language_is_signed_off(make_app, ready_file):
    app = make_app()
    signed(app, ready_file)
    code, out, err = launch(app, ready_file)
    assert (code, err) == (0, "")
    assert out.strip().endswith("2 regions, 2 treatments and 2 sources, all valid and signed off: ready for launch")


def test_launch_names_a_region_whose_text_changed_after_its_sign_off(make_app, ready_file):
    app = make_app()
    signed(app, ready_file)
    ready_file.write_text(READY.replace("Rest it.", "Rest it for a day or two."), encoding="utf-8")
    code, out, err = launch(app, ready_file)
    assert code == 1
    assert err.splitlines() == [
        f"{ready_file}:{line_of(READY, 'slug: knee')}: region 'knee': its English text changed after"
        f" Dana Ruiz, PT, DPT signed it off on {utcnow().date()}: a clinician who reviews English signs it off"
        " again at /staff/content"
    ]


def test_launch_says_when_it_cannot_read_the_sign_offs(make_app, ready_file):
    code, out, err = launch(make_app(migrated=False), ready_file)
    assert code == 1
    assert err.startswith("Error: Cannot read the sign-offs from the database (OperationalError)")
    assert "Traceback" not in err


# --launch: what the example clinic left behind -----------------------------------------------------------------------


def another_clinic_on_the_shipped_file(tmp_path):
    """The shipped file with the second clinic's block, as a new clinic makes it: nothing else changed (the example
    clinic's name is still in its citation of its own page)."""
    text = CLINIC_FILES["shipped"].read_text(encoding="utf-8")
    block = (TESTS / "clinics" / "riverbend.yaml").read_text(encoding="utf-8")
    start = text.index("\nclinic:") + 1
    end = text.index("\n# Every source cited below", start) + 1
    built = text[:start] + block[block.index("clinic:") :].rstrip() + "\n\n" + text[end:]
    path = tmp_path / "regions.yaml"
    path.write_text(built, encoding="utf-8")
    return path, built


def test_launch_on_a_copy_with_another_clinic_block_names_the_shipped_clinics_name_with_its_line(make_app, tmp_path):
    path, text = another_clinic_on_the_shipped_file(tmp_path)
    app = make_app(CONTENT_PATH=str(path))
    signed(app, path)
    code, out, err = launch(app, path)
    assert code == 1
    example = CONTENT.clinic
    lines = err.splitlines()
    named = [line for line in lines if "names the example clinic's name" in line]
    assert named and all(example.name in line for line in named)
    citation = line_of(text, example.name)
    assert named[0].startswith(f"{path}:{citation}: source ") and "field 'citation'" in named[0]
    other = load(path).clinic
    fictional = [line for line in lines if "is a fictional number" in line]
    assert fictional == [
        f"{path}:{line_of(text, other.phone)}: clinic: field 'phone' {other.phone} is a fictional number"
        " (555-0100 to 555-0199): give a real one"
    ]


def test_the_example_clinic_may_name_itself(make_app):
    """The shipped file is the example clinic's own: its name and number are its own (its drafts are not)."""
    app = make_app(CONTENT_PATH=str(CLINIC_FILES["shipped"]))
    signed(app, CLINIC_FILES["shipped"])
    code, out, err = launch(app, CLINIC_FILES["shipped"])
    assert all("field 'direct_access.as_of' is dated" in line for line in err.splitlines()), err  # its age alone
    assert code == (1 if err else 0)


def test_a_fictional_number_anywhere_is_refused_at_launch(make_app, ready_file):
    text = READY.replace('self_care: ["Keep moving."]', 'self_care: ["Keep moving. Questions? Call (541) 555-0199."]')
    ready_file.write_text(text, encoding="utf-8")
    app = make_app()
    signed(app, ready_file)
    code, out, err = launch(app, ready_file)
    assert err.splitlines()[0] == (
        f"{ready_file}:{line_of(text, '555-0199')}: region 'neck': field 'self_care[0]'"
        " (541) 555-0199 is a fictional number (555-0100 to 555-0199): give a real one"
    )
    assert run_check(str(ready_file)).returncode == 0, "without --launch an example number is fine"


def test_a_direct_access_notice_over_a_year_old_is_refused_at_launch(make_app, ready_file):
    old = TODAY - datetime.timedelta(days=370)
    text = READY.replace(f"as_of: {TODAY}", f"as_of: {old}")
    ready_file.write_text(text, encoding="utf-8")
    app = make_app()
    signed(app, ready_file)
    code, out, err = launch(app, ready_file)
    assert code == 1
    assert err.splitlines() == [
        f"{ready_file}:{line_of(text, f'as_of: {old}')}: clinic: field 'direct_access.as_of' is dated {old},"
        " more than 12 months ago: direct-access rules change, so check the notice against your state's current"
        " rules and date it again"
    ]


@pytest.mark.slow
def test_launch_from_the_command_line_reads_the_database_it_is_told(tmp_path, ready_file):
    from tests.helpers import flask_shell

    assert flask_shell(tmp_path, "db", "upgrade").returncode == 0
    result = flask_shell(tmp_path, "content", "check", "--launch", str(ready_file))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "region 'neck': not signed off in English" in result.stderr
