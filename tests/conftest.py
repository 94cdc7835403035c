"""Shared fixtures: a project on each backend (a real SQLite file and a real PostgreSQL server).

PostgreSQL tests use the server named by WORKBENCH_TEST_PG_URL (``.ci/run`` starts one). Without
it, the suite starts a throwaway server of its own when PostgreSQL's binaries are installed. If
neither works the PostgreSQL tests skip on a developer's machine but *fail* under CI, and a CI run
in which no PostgreSQL test passed fails as a whole.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("WORKBENCH_CODER", "tester")

import atexit
import glob
import shutil
import subprocess
import tempfile
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


_own_server: dict[str, str | None] = {}


def _pg_bindir() -> str | None:
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if out.returncode == 0 and Path(out.stdout.strip(), "initdb").exists():
            return out.stdout.strip()
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return str(Path(found[-1]).parent) if found else None


def _start_own_server() -> str | None:
    """A throwaway PostgreSQL server in a temporary folder, stopped when the tests end."""
    bindir = _pg_bindir()
    if bindir is None:
        return None
    folder = tempfile.mkdtemp(prefix="wb-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = str(56000 + os.getpid() % 1000)
    data, log = f"{folder}/data", f"{folder}/log"
    steps = [
        [
            f"{bindir}/initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        [
            f"{bindir}/pg_ctl",
            "-D",
            data,
            "-l",
            log,
            "-w",
            "-o",
            f"-k {folder} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off",
            "start",
        ],
    ]
    for step in steps:
        if subprocess.run(as_user + step, capture_output=True).returncode != 0:
            return None
    atexit.register(
        lambda: subprocess.run(
            [*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
        )
    )
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def _need_postgres() -> str:
    if PG_URL:
        return PG_URL
    if "url" not in _own_server:
        _own_server["url"] = _start_own_server()
    if _own_server["url"]:
        return _own_server["url"]
    if IN_CI:
        pytest.fail("WORKBENCH_TEST_PG_URL is not set: CI must run the PostgreSQL tests")
    pytest.skip("no PostgreSQL server (set WORKBENCH_TEST_PG_URL, or install PostgreSQL)")


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
