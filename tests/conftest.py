"""Shared fixtures: every app a test builds runs once per clinic file (the shipped one and a made-up second
clinic), database tests on SQLite and on PostgreSQL; `region` and `region_side` walk the clinic's regions.

A module whose promises hold whatever the clinic's file says (sign-in, health checks, headers, the database,
the commands) says `pytestmark = pytest.mark.one_clinic` and runs against the shipped file alone: the second
clinic's run of it could only repeat the first. So do browser tests, unless marked `every_clinic`.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, delete, text

import bodymap.content
from bodymap import create_app, review
from bodymap.data import migrate
from bodymap.data.engine import database_url as sqlalchemy_url
from bodymap.data.models import Base
from bodymap.staff import accounts
from bodymap.web.caching import stored_responses
from tests.helpers import CLINIC_FILES, CLINICS, add_staff, quick_hash, region_sides, sign_in

# The suite's SQLite files live in memory-backed storage where the machine has it: every page view and form
# writes a row, and a disk's fsync for each made up a large share of the run. Nothing here needs to survive.
SCRATCH = Path(tempfile.mkdtemp(prefix="bodymap-tests-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None))
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)
# create_app() keeps its secret key and default database in the instance folder: the suite's is the throwaway
# folder above, never the checkout's, and a fixed key saves writing one. Set before any test builds an app.
os.environ["INSTANCE_PATH"] = str(SCRATCH / "instance")
os.environ["SECRET_KEY"] = "test-secret-key-not-for-production"

# The PostgreSQL server the tests use; each run works in a schema of its own, dropped at the end,
# so two runs at once (two checkouts, CI beside a developer) never meet.
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
POSTGRES_SCHEMA = f"bodymap_test_{os.getpid()}"
POSTGRES_URL = f"{POSTGRES_SERVER}?options=-csearch_path%3D{POSTGRES_SCHEMA}"

TEST_CONFIG = {
    "TESTING": True,
    "SESSION_COOKIE_SECURE": False,  # the test client speaks plain HTTP
    "RATELIMIT_ENABLED": False,  # tests that check the limits turn them on
    "VIEW_COUNT_FLUSH_SECONDS": 0,  # write each view at once, so tests can count them
    "SIGN_OFF_CHECK_SECONDS": 0,  # no thread asking for new sign-offs: the tests of it turn it on
}

# Regions are named by slug when tests are collected and looked up in the clinic of each run, so the two
# files may differ: a test of a region or side one clinic lacks is skipped for that clinic only.
REGION_SLUGS = list(dict.fromkeys(r.slug for content in CLINICS.values() for r in content.regions))
REGION_SIDES = list(
    dict.fromkeys((r.slug, s) for content in CLINICS.values() for r in content.regions for s in region_sides(r))
)


# The second clinic's file keeps the shipped regions (see `second_clinic_file`): its run of a test per region
# repeats the shipped run wherever the region reads the same in both files. It runs for the regions that differ,
# and for one region with sides, which carries the second clinic's name, phone and hours through every such test.
SAMPLE_REGION = next((slug for slug, side in REGION_SIDES if side), REGION_SLUGS[0])
REGIONS_RUN_AGAIN = {
    name: {r.slug for r in content.regions if r != CLINICS["shipped"].region(r.slug) or r.slug == SAMPLE_REGION}
    for name, content in CLINICS.items()
}


def repeats_the_shipped_run(params: dict) -> bool:
    """True for the second clinic's run of a region's test when that region reads the same as in the shipped file."""
    clinic = params.get("clinic_file", "shipped")
    if clinic == "shipped":
        return False
    slug = params.get("region") or (params.get("region_side") or (None,))[0]
    return slug is not None and slug not in REGIONS_RUN_AGAIN[clinic]


BROWSER_TESTS = Path(__file__).parent / "browser"
# A browser test run per region checks, in `make test`, the region with the most to say (the longest page, the one
# likeliest to overflow a sheet or push the list under the map); its runs for the other regions are a sweep, marked
# slow: `make test-slow` (and CI) runs them.
MOST_TO_SAY = {name: max(c.regions, key=lambda r: len(r.model_dump_json())).slug for name, c in CLINICS.items()}


def pytest_configure(config):
    """Register the markers that say which clinic files a test runs against."""
    config.addinivalue_line("markers", "one_clinic: holds whatever the content says: runs on the shipped file only")
    config.addinivalue_line("markers", "every_clinic: a browser test that also runs against the second clinic file")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Leave out the second clinic's run of `one_clinic` tests, of browser tests not marked `every_clinic` and of
    tests of a region that reads the same in both files (but the sample region). Mark slow the browser sweeps:
    a per-region browser test's runs for regions other than MOST_TO_SAY, and the second clinic's browser runs
    (its pages are checked without a browser in `make test`).

    The suite runs on every core (pytest-xdist, `--dist worksteal`); each worker drives a Chromium of its own.
    """
    kept, dropped = [], []
    for item in items:
        in_browser = BROWSER_TESTS in item.path.parents
        once = item.get_closest_marker("one_clinic") is not None or (
            in_browser and item.get_closest_marker("every_clinic") is None
        )
        params = getattr(getattr(item, "callspec", None), "params", {})
        clinic = params.get("clinic_file", "shipped")
        again = once and clinic != "shipped"
        slug = params.get("region") or (params.get("region_side") or (None,))[0]
        if in_browser and (clinic != "shipped" or slug not in (None, MOST_TO_SAY[clinic])):
            item.add_marker(pytest.mark.slow)
        (dropped if again or repeats_the_shipped_run(params) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_generate_tests(metafunc):
    """`region` runs a test once per region; `region_side` once per region and way to open it."""
    if "region" in metafunc.fixturenames:
        metafunc.parametrize("region", REGION_SLUGS, ids=REGION_SLUGS, indirect=True)
    if "region_side" in metafunc.fixturenames:
        ids = [f"{slug}-{side or 'any'}" for slug, side in REGION_SIDES]
        metafunc.parametrize("region_side", REGION_SIDES, ids=ids, indirect=True)


@pytest.fixture(scope="session", params=list(CLINIC_FILES))
def clinic_file(request):
    """The content file of this run: the one the checkout ships, then the second clinic's."""
    return CLINIC_FILES[request.param]


@pytest.fixture(scope="session")
def content(clinic_file):
    """The loaded content of this run's clinic: what tests read clinic facts and region text from."""
    return next(CLINICS[name] for name, path in CLINIC_FILES.items() if path == clinic_file)


@pytest.fixture
def region(request, content):
    """The region of this run's clinic named by the test's slug."""
    found = content.region(request.param)
    if found is None:
        pytest.skip(f"this clinic has no region {request.param!r}")
    return found


@pytest.fixture
def region_side(request, content):
    """The region and side (None: opened without one) of this run's clinic named by the test's parameter."""
    slug, side = request.param
    found = content.region(slug)
    if found is None or side not in region_sides(found):
        pytest.skip(f"this clinic has no {slug} {side or ''}".strip())
    return found, side


def unavailable(message: str):
    """Skip for lack of a service, or fail under CI, where every service must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def redis_url() -> str:
    """The Redis server the tests use ($TEST_REDIS_URL); skip (fail under CI) when it does not answer."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        unavailable(f"Redis at {url} is not available: {type(error).__name__}")
    return url


def postgres_schema(statement: str) -> None:
    """Run CREATE or DROP for this run's schema; skip (fail under CI) when no server answers."""
    engine = create_engine(sqlalchemy_url(POSTGRES_SERVER), connect_args={"connect_timeout": 3})
    try:
        with engine.begin() as connection:
            connection.execute(
                text(f"{statement} SCHEMA {POSTGRES_SCHEMA}" + (" CASCADE" if statement == "DROP" else ""))
            )
    except Exception as error:  # noqa: BLE001 - any failure means there is no server to test against
        unavailable(f"PostgreSQL at {POSTGRES_SERVER} is not available: {type(error).__name__}")
    finally:
        engine.dispose()


def scratch_folder() -> Path:
    """A new, empty folder in the suite's scratch space."""
    return Path(tempfile.mkdtemp(dir=SCRATCH))


class SharedBytecode(BytecodeCache):
    """Compiled templates kept for the whole run: the suite builds a few hundred apps from the same
    templates, and Jinja checks each template's source against what was compiled before reusing it."""

    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.stored:
            bucket.bytecode_from_string(self.stored[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.stored[bucket.key] = bucket.bytecode_to_string()


SHARED_BYTECODE = SharedBytecode()
LOADED: dict[tuple, object] = {}
read_content = bodymap.content.load


def load_once(path, launch: bool = False, assets=None, checks=()):
    """The content loader, keeping what it read for as long as the file holds the same bytes: most apps of a
    run read the same two files. The models are frozen, so apps may share them; an invalid file raises each time."""
    try:
        key = (str(Path(path).resolve()), Path(path).read_bytes(), launch, str(assets))
    except OSError:
        key = None  # the loader says what is wrong with the path
    if key is None or checks:
        return read_content(path, launch=launch, assets=assets, checks=checks)
    if key not in LOADED:
        LOADED[key] = read_content(path, launch=launch, assets=assets)
    return LOADED[key]


bodymap.content.load = load_once


@functools.cache
def migrated_sqlite() -> Path:
    """A SQLite database upgraded to the newest migration, made once per run: each new app gets a copy of the file,
    which takes a fraction of running every migration again. The migrations themselves are tested from empty
    databases (test_migration_*, test_callback_storage)."""
    path = scratch_folder() / "migrated.sqlite3"
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    migrate.upgrade(app)
    app.extensions["bodymap.engine"].dispose()  # the last connection to close folds the WAL into the file
    return path


def build_app(clinic_file, folder, *, migrated: bool = True, **config):
    """The app for `clinic_file` on a throwaway SQLite database in `folder` (or config's DATABASE_URL)."""
    database = folder / "bodymap.sqlite3"
    copy = migrated and "DATABASE_URL" not in config and "MIGRATIONS_PATH" not in config
    if copy:
        shutil.copyfile(migrated_sqlite(), database)
    app = create_app(
        {
            **TEST_CONFIG,
            "CONTENT_PATH": str(clinic_file),
            "DATABASE_URL": f"sqlite:///{database}",
            **config,
        }
    )
    app.jinja_env.bytecode_cache = SHARED_BYTECODE
    if migrated and not copy:
        migrate.upgrade(app)
    return app


@pytest.fixture(scope="session")
def make_app(clinic_file):
    """`make_app(**config)`: a new app with this run's clinic and TEST_CONFIG changed by `config`, on a
    migrated throwaway SQLite database (`migrated=False` leaves it empty). For tests that change settings."""

    def make(*, migrated: bool = True, **config):
        return build_app(clinic_file, scratch_folder(), migrated=migrated, **config)

    return make


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request):
    """Every database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{scratch_folder()}/bodymap.sqlite3"
        return
    postgres_schema("CREATE")
    yield POSTGRES_URL
    postgres_schema("DROP")


@pytest.fixture(scope="session")
def db_app(database_url, make_app):
    """The app on this run's database (SQLite or PostgreSQL), shared by the database tests of a clinic."""
    app = make_app(DATABASE_URL=database_url)
    yield app
    app.extensions["bodymap.engine"].dispose()


def empty_tables(app) -> None:
    """Delete every row, children first (the audit trail's too: on PostgreSQL its trigger lets through only what the
    purge's setting allows, here every row); then the shared app forgets the sign-offs it had read from them and the
    pages it had stored with them, so the next test starts from drafts."""
    with app.extensions["bodymap.sessions"]() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT set_config('bodymap.audit_purge_before', 'infinity', true)"))
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
    found = review.sign_offs(app)
    found.register, found.seen = review.Register(), None
    stored_responses(app).clear()


@pytest.fixture
def db_client(db_app):
    """A client on an app whose tables are emptied after the test."""
    yield db_app.test_client()
    empty_tables(db_app)


@pytest.fixture(scope="session")
def sqlite_app(make_app):
    """An app of its own on SQLite alone, for tests whose answer does not depend on the database:
    a refused form (nothing is written) or a page rendered from rows any database stores alike."""
    return make_app()


@pytest.fixture
def sqlite_client(sqlite_app):
    """A client on `sqlite_app`, whose tables are emptied after the test."""
    yield sqlite_app.test_client()
    empty_tables(sqlite_app)


@pytest.fixture
def staff_client(db_client, db_app):
    """A client signed in as a front-desk member."""
    add_staff(db_app)
    assert sign_in(db_client).status_code == 303
    return db_client


@pytest.fixture(scope="session")
def app(make_app):
    """The app on a throwaway SQLite database, for tests that do not care which database.

    Shared by every such test of a clinic: a test that changes settings or rows makes its own with `make_app`.
    """
    return make_app()


@pytest.fixture
def client(app):
    """A fresh client on the shared SQLite app."""
    return app.test_client()


@pytest.fixture
def quick_hashes(monkeypatch):
    """Accounts made by the `staff` commands, and the stand-in hash an unknown email is checked against, get the
    suite's quick scrypt: for tests about accounts, sessions and refusals, not about the hashing cost
    (test_staff_accounts checks that the app's own cost is used)."""
    monkeypatch.setattr(accounts, "hash_password", quick_hash)
    monkeypatch.setattr(accounts, "_unknown_user_hash", lambda: quick_hash("no such staff member"))


@pytest.fixture(scope="session")
def staff_reader(app):
    """A client signed in as a front-desk member once per clinic, for staff tests that only read pages.

    They run on SQLite alone: what they check is the page, not how a database stores it.
    """
    add_staff(app, email="reader@clinic.example")
    client = app.test_client()
    assert sign_in(client, email="reader@clinic.example").status_code == 303
    return client


def pytest_collection_finish(session):
    """Everything built so far lives for the whole run: the collector leaves it alone from here on."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
