"""Shared fixtures: the app and a test client; `region` and `region_side` walk the content."""

from __future__ import annotations

import pytest

from bodymap import create_app
from tests.helpers import CONTENT, region_sides


def pytest_generate_tests(metafunc):
    """`region` runs a test once per region; `region_side` once per region and way to open it."""
    if "region" in metafunc.fixturenames:
        metafunc.parametrize("region", CONTENT.regions, ids=[r.slug for r in CONTENT.regions])
    if "region_side" in metafunc.fixturenames:
        pairs = [(r, s) for r in CONTENT.regions for s in region_sides(r)]
        metafunc.parametrize("region_side", pairs, ids=[f"{r.slug}-{s or 'any'}" for r, s in pairs])


@pytest.fixture(scope="session")
def app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()
