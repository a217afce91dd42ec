"""Fixtures for the checks on seeded demo data (see demo_site.py)."""
from __future__ import annotations

import pytest

from . import demo_site as ds


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """One portal on `seed_demo` data for the whole session, served by gunicorn.

    The checks that write (the write matrix) only make writes that must be refused, so the data
    stays what `seed_demo` made for every check that reads it."""
    tmp = tmp_path_factory.mktemp("demo-site")
    env = ds.seed("checks", tmp)
    site = ds.start(env, tmp)
    yield site
    ds.stop(site)
