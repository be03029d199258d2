"""The test kit keeps its promises: what it shares between tests cannot leak from one test into another."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bodymap.data import migrate
from bodymap.data.models import Base
from tests.helpers import own_soup, soup

pytestmark = pytest.mark.one_clinic  # about the kit, not the clinic


def test_a_page_read_by_several_tests_is_parsed_once_and_cannot_be_changed(client):
    first, again = soup(client.get("/")), soup(client.get("/"))
    assert first is again
    heading = first.select_one("h1")
    for change in (heading.decompose, lambda: heading.__setitem__("id", "x"), lambda: heading.append("!")):
        with pytest.raises(TypeError, match="own_soup"):
            change()
    assert soup(client.get("/")).select_one("h1") is heading  # still there for the next test


def test_a_page_of_a_tests_own_may_be_changed_and_leaves_the_shared_one_alone(client):
    shared = soup(client.get("/"))
    mine = own_soup(client.get("/"))
    mine.select_one("h1").decompose()
    assert mine.select_one("h1") is None
    assert shared.select_one("h1") is not None


def test_a_new_apps_database_is_at_the_newest_migration_with_every_table(make_app):
    app = make_app()
    head = ScriptDirectory.from_config(migrate._config(app)).get_current_head()
    engine = app.extensions["bodymap.engine"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
        assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())
    engine.dispose()


def test_each_new_app_has_a_database_of_its_own(make_app):
    one, other = make_app(), make_app()
    assert one.config["DATABASE_URL"] != other.config["DATABASE_URL"]
    with one.extensions["bodymap.engine"].begin() as connection:
        connection.execute(text("CREATE TABLE scratch (n INTEGER)"))
    with other.extensions["bodymap.engine"].connect() as connection:
        assert "scratch" not in inspect(connection).get_table_names()
    for app in (one, other):
        app.extensions["bodymap.engine"].dispose()
