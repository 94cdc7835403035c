"""Shared fixtures: a project on each backend (a real SQLite file and a real PostgreSQL server).

PostgreSQL tests use the server named by WORKBENCH_TEST_PG_URL (``.ci/run`` starts one). Without
it they skip on a developer's machine but *fail* under CI, and a CI run in which no PostgreSQL
test passed fails as a whole.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("WORKBENCH_CODER", "tester")

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workbench.coding.study import new_study
from workbench.storage.project import Project

DATA = Path(__file__).parent / "data"
PG_URL = os.environ.get("WORKBENCH_TEST_PG_URL")
IN_CI = bool(os.environ.get("CI"))

_postgres_passed = 0


def _need_postgres() -> str:
    if PG_URL:
        return PG_URL
    if IN_CI:
        pytest.fail("WORKBENCH_TEST_PG_URL is not set: CI must run the PostgreSQL tests")
    pytest.skip("no PostgreSQL server (set WORKBENCH_TEST_PG_URL; .ci/run starts one)")


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    request.node.add_marker(pytest.mark.postgres)
    base = _need_postgres()
    name = f"wb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a new project goes: a .dyad path, or an empty PostgreSQL database's URL."""
    if backend == "sqlite":
        return str(tmp_path / "study.dyad")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def project(target: str) -> Iterator[Project]:
    """An empty study with the default waves, on each backend."""
    p = new_study(target, title="Test study")
    try:
        yield p
    finally:
        p.close()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    global _postgres_passed
    if report.when == "call" and report.passed and "postgres" in report.keywords:
        _postgres_passed += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    selected_all = not session.config.getoption("-k") and not session.config.getoption("-m")
    if IN_CI and selected_all and exitstatus == 0 and _postgres_passed == 0:
        session.exitstatus = 1
        print("\nCI: no PostgreSQL test passed; the storage tests must run on both backends")
