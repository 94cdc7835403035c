"""A team project's key: the schema dyad_key, readable by key holders only, never the analysts.

Runs on the real PostgreSQL server with two login roles made for the test: an analysis role
that owns the project database, and a key holder allowed to create a schema in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from workbench.cli import main
from workbench.coding.codings import list_codings
from workbench.coding.redaction import accept_identifier, check_identifiers, redact
from workbench.coding.study import new_study
from workbench.coding.transcripts import interview_text
from workbench.coding.undo import undo
from workbench.domain.study import StudyError
from workbench.storage.project import open_project

from .test_redaction import NAMES, PLACES, _coded


@dataclass(frozen=True)
class Team:
    analyst: str
    """The analysis role's URL (owns the project's tables)."""
    holder: str
    """The key holder's URL (same database)."""
    admin: str
    analyst_role: str


@pytest.fixture
def team(pg_url: str) -> Iterator[Team]:
    suffix = uuid.uuid4().hex[:8]
    analyst, holder = f"analyst_{suffix}", f"keyholder_{suffix}"
    url = make_url(pg_url)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE ROLE "{analyst}" LOGIN'))
        c.execute(text(f'CREATE ROLE "{holder}" LOGIN'))
        c.execute(text(f'ALTER DATABASE "{url.database}" OWNER TO "{analyst}"'))
        c.execute(text(f'GRANT CREATE ON DATABASE "{url.database}" TO "{holder}"'))
    as_ = {
        name: url.set(username=name).render_as_string(hide_password=False)
        for name in (analyst, holder)
    }
    try:
        yield Team(as_[analyst], as_[holder], pg_url, analyst)
    finally:
        with admin.connect() as c:
            c.execute(text(f'REASSIGN OWNED BY "{analyst}", "{holder}" TO CURRENT_USER'))
            c.execute(text(f'DROP OWNED BY "{analyst}", "{holder}"'))
            c.execute(text(f'DROP ROLE "{analyst}"'))
            c.execute(text(f'DROP ROLE "{holder}"'))
        admin.dispose()


def _project_texts(admin_url: str) -> str:
    """Every row of every project table, as text (what a dump of the project would hold)."""
    engine = create_engine(admin_url)
    with engine.connect() as c:
        tables = c.scalars(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        ).all()
        assert "utterance" in tables and "redaction" in tables
        rows = [
            str(r) for t in tables for r in c.scalars(text(f'SELECT t::text FROM public."{t}" t'))
        ]
    engine.dispose()
    return "\n".join(rows)


def test_team_key_is_a_schema_the_analysis_role_cannot_read(team: Team) -> None:
    with new_study(team.analyst, title="Team") as p:
        _coded(p)
        for original in ("Hiwet", "Deir al-Nour", "سامر", "Mendefera"):
            redact(p, {**NAMES, **PLACES}[original], everywhere=original, key_path=team.holder)
        before_text = interview_text(p, "I1")
        before = sorted(c.text for c in list_codings(p))
        report = redact(p, "[brother]", everywhere="Samer", key_path=team.holder)
        assert report.occurrences == 3
        assert sorted(c.text for c in list_codings(p)) == [
            "[brother] called [sister]",
            "[home town]",
            "brother [brother] is in detention",
            "أخي [brother]",
        ]
        originals = {**NAMES, **PLACES}
        # The originals are in the key schema, and nowhere in the project's tables.
        admin = create_engine(team.admin)
        with admin.connect() as c:
            kept = set(c.scalars(text("SELECT original FROM dyad_key.entry")))
        admin.dispose()
        assert kept == set(originals)
        dump = _project_texts(team.admin)
        for original in originals:
            assert original not in dump, original
        # The analysis role is refused the key schema by the server itself.
        analyst = create_engine(team.analyst)
        with analyst.connect() as c, pytest.raises(ProgrammingError, match="permission denied"):
            c.execute(text("SELECT original FROM dyad_key.entry"))
        analyst.dispose()
        # Undo needs the key holder; with it, text and codings come back.
        with pytest.raises(StudyError, match=r"needs its key.*give --key postgresql://"):
            undo(p)
        assert "Samer" not in interview_text(p, "I1")
        undo(p, key=team.holder)
        assert interview_text(p, "I1") == before_text
        assert sorted(c.text for c in list_codings(p)) == before
        assert [leak.found for leak in check_identifiers(p, team.holder)].count("Samer") == 3


def test_team_key_refusals_say_why(team: Team, capsys) -> None:
    with new_study(team.analyst, title="Team") as p:
        _coded(p)
        with pytest.raises(StudyError, match="a key holder's role, not as the project's role"):
            redact(p, "[brother]", everywhere="Samer", key_path=team.analyst)
        with pytest.raises(StudyError, match="cannot reach the key at"):
            redact(
                p,
                "[brother]",
                everywhere="Samer",
                key_path=make_url(team.holder).set(port=1).render_as_string(),
            )
        with pytest.raises(StudyError, match="does not exist there yet"):
            check_identifiers(p, team.holder)
        assert "Samer" in interview_text(p, "I1")  # nothing changed by a refusal
        accept_identifier(p, "Brandt", team.holder)
    # A superuser sees every schema: a project opened as one cannot keep the key apart.
    with open_project(team.admin) as q, pytest.raises(StudyError, match="is a superuser"):
        check_identifiers(q, team.holder)
    # Nor may the key holder share the schema with the analysis role.
    holder = create_engine(team.holder)
    with holder.begin() as c:
        c.execute(text(f'GRANT USAGE ON SCHEMA dyad_key TO "{team.analyst_role}"'))
    with open_project(team.analyst) as p, pytest.raises(StudyError, match="can read the key"):
        check_identifiers(p, team.holder)
    with holder.begin() as c:
        c.execute(text(f'REVOKE USAGE ON SCHEMA dyad_key FROM "{team.analyst_role}"'))
    holder.dispose()
    capsys.readouterr()
    assert main(["redact", team.analyst, "--all", "Samer", "--as", "[brother]"]) != 0
    assert "give --key postgresql://KEYHOLDER@HOST/DATABASE" in capsys.readouterr().err
    assert main(["pseudonyms", "check", team.analyst, "--key", team.holder]) != 0
    assert "interview:I1 #3: Brandt" in capsys.readouterr().out
    args = ["redact", team.analyst, "--all", "Samer", "--as", "[brother]", "--key", team.holder]
    assert main(args) == 0
    assert main(["undo", team.analyst, "--key", team.holder]) == 0
    assert "undo: redact as [brother]" in capsys.readouterr().out
