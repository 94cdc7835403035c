"""A team study on the real PostgreSQL server, and login roles made for one test and dropped
after it (roles are cluster-wide, so every name is unique and nothing outlives the test)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.study import add_participant, new_study, set_interview_status
from workbench.coding.themes import add_theme
from workbench.storage.roles import KINDS, add_role, group_name

from .helpers import interview_with

HIDDEN_WORD = "quillbramble"
"""Said only by P02, whose consent is pending: a reader must never see it."""


def team_study(url: str) -> None:
    """P01 consented and P02 pending, in one coded joint interview, with one code (in a theme)
    applied to the researcher's and to P02's words."""
    p = new_study(url, title="Team study")
    try:
        add_participant(p, "P02", "patient", consent="pending")
        interview_with(
            p,
            "joint",
            [("R01", "How are you both?"), ("P01", "Fine, thanks."), ("P02", HIDDEN_WORD)],
            people=(("P01", "patient"), ("P02", "patient"), ("R01", "researcher")),
        )
        add_code(p, "Coping")
        apply_code(p, "joint", 0, 3, "Coping")
        apply_code(p, "joint", 32, 32 + len(HIDDEN_WORD), "Coping")  # P02's words
        add_theme(p, "Living with it", codes=["Coping"])
        set_interview_status(p, "joint", "coded")
    finally:
        p.close()


MakeRole = Callable[[str], str]
"""Given a kind, makes a login role of that kind and returns the URL to connect as it."""


@pytest.fixture
def team_url(pg_url: str) -> Iterator[str]:
    """A team study; every role made on it (and its three groups) is dropped afterwards."""
    team_study(pg_url)
    yield pg_url
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
            groups = [group_name(database, kind) for kind in KINDS]
            members = conn.execute(
                text(
                    "SELECT DISTINCT r.rolname FROM pg_auth_members m "
                    "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member "
                    "WHERE g.rolname = ANY(:g)"
                ),
                {"g": groups},
            ).scalars()
            existing = set(conn.exec_driver_sql("SELECT rolname FROM pg_roles").scalars())
            for role in [*members, *groups]:
                if role in existing:
                    conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
                    conn.exec_driver_sql(f'DROP ROLE "{role}"')
    finally:
        admin.dispose()


@pytest.fixture
def make_role(team_url: str) -> MakeRole:
    def make(kind: str) -> str:
        name = f"wb_{kind}_{uuid.uuid4().hex[:8]}"
        engine = create_engine(team_url)
        try:
            add_role(engine, name, kind)
        finally:
            engine.dispose()
        return make_url(team_url).set(username=name).render_as_string(hide_password=False)

    return make
