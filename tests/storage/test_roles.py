"""Roles on a team server: owner, analyst and reader as PostgreSQL roles, refused by the
database itself (the real server; every role made here is dropped after its test)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from workbench.coding.codebook import add_code, list_codes, rename_code
from workbench.coding.codings import apply_code, list_codings
from workbench.coding.study import list_participants, set_consent
from workbench.coding.transcripts import interview_text
from workbench.coding.withdraw import withdraw_participant
from workbench.storage.models import Base, Participant
from workbench.storage.project import RefusedError, open_project
from workbench.storage.roles import (
    ANALYSIS,
    ANALYST_SPECIAL,
    KINDS,
    STRUCTURE,
    RoleError,
    add_role,
    group_name,
    list_roles,
    privileges,
    project_tables,
    reader_conditions,
)

from ..team import HIDDEN_WORD, MakeRole, make_role, team_url  # noqa: F401


def test_every_table_has_a_rule_for_every_role() -> None:
    for table in project_tables():
        for kind in KINDS:
            assert privileges(table, kind), (table, kind)
    assert set(Base.metadata.tables) <= set(project_tables())


def test_each_table_has_exactly_one_rule_and_no_rule_is_stale() -> None:
    groups = [STRUCTURE, ANALYSIS, set(ANALYST_SPECIAL)]
    assert sum(len(g) for g in groups) == len(set().union(*groups))
    assert set().union(*groups) == set(project_tables())


def test_group_roles_are_one_per_database_and_kind() -> None:
    assert group_name("ourstudy", "reader") == "ourstudy_reader"
    names = {
        group_name(db, kind) for db in ("our-study", "our_study", "Our_Study") for kind in KINDS
    }
    assert len(names) == 9
    assert all(len(n) <= 63 for n in (group_name("x" * 63, k) for k in KINDS))


def test_a_table_without_a_rule_is_refused_not_granted() -> None:
    with pytest.raises(RoleError, match="no role rule"):
        privileges("some_new_table", "analyst")


def test_readers_lose_whatever_points_at_a_hidden_participant() -> None:
    conditions = reader_conditions()
    assert conditions["participant"] == "consent = 'consented'"
    for table in ("utterance", "word", "translation", "coding", "memo", "dyad_member"):
        assert "EXISTS" in conditions[table], table


def test_the_server_holds_no_table_without_a_rule(team_url: str) -> None:  # noqa: F811
    engine = create_engine(team_url)
    with engine.connect() as conn:
        tables = set(
            conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).scalars()
        )
    engine.dispose()
    assert tables == set(project_tables())


def test_a_reader_cannot_write(make_role: MakeRole) -> None:  # noqa: F811
    url = make_role("reader")
    with open_project(url, coder="maria") as p:
        assert [c.name for c in list_codes(p)] == ["Coping"]
        with pytest.raises(RefusedError, match=r"^refused: reader 'wb_reader_\w+' may not change"):
            add_code(p, "Hope")
        with pytest.raises(RefusedError, match="refused: reader"):
            set_consent(p, "P01", "declined")
    assert "Hope" not in {c.name for c in list_codes(open_project(url))}


def test_a_reader_does_not_see_an_unconsented_participant(make_role: MakeRole) -> None:  # noqa: F811
    reader = make_role("reader")
    with open_project(reader) as p:
        assert {x.id for x in list_participants(p)} == {"P01", "R01"}
        assert HIDDEN_WORD not in interview_text(p, "joint")
        assert "Fine, thanks." in interview_text(p, "joint")
        assert [c.text for c in list_codings(p)] == ["How"]  # the coding of P02's words: hidden
        with p.session(write=False) as s:
            assert s.scalar(select(Participant).where(Participant.key == "P02")) is None
    analyst = make_role("analyst")
    with open_project(analyst) as p:
        assert HIDDEN_WORD in interview_text(p, "joint")
        assert {x.id for x in list_participants(p)} == {"P01", "P02", "R01"}


def test_an_analyst_codes_and_renames(make_role: MakeRole) -> None:  # noqa: F811
    with open_project(make_role("analyst"), coder="sam") as p:
        add_code(p, "Hope")
        apply_code(p, "joint", 4, 10, "Hope")
        rename_code(p, "Coping", "Coping with pain")
        assert {c.name for c in list_codes(p)} == {"Hope", "Coping with pain"}
        assert len(list_codings(p)) == 3


def test_an_analyst_cannot_withdraw_a_participant(
    make_role: MakeRole,  # noqa: F811
    team_url: str,  # noqa: F811
) -> None:
    with open_project(make_role("analyst")) as p:
        with pytest.raises(RefusedError, match=r"^refused: analyst 'wb_analyst_\w+' may not do"):
            withdraw_participant(p, "P02")
        with pytest.raises(RefusedError):
            set_consent(p, "P02", "consented")
    with open_project(team_url) as p:
        assert {x.id for x in list_participants(p)} == {"P01", "P02", "R01"}
        assert HIDDEN_WORD in interview_text(p, "joint")


def test_an_owner_can_withdraw_a_participant(make_role: MakeRole, team_url: str) -> None:  # noqa: F811
    with open_project(make_role("owner")) as p:
        receipt = withdraw_participant(p, "P02")
        assert {x.id for x in list_participants(p)} == {"P01", "R01"}
        assert HIDDEN_WORD not in interview_text(p, "joint")
    # The tables belong to a superuser here: PostgreSQL lets no one else vacuum them, and the
    # receipt says so instead of claiming the old row versions are gone.
    assert receipt.storage_compacted.startswith("not compacted")
    assert any("VACUUM FULL" in copy for copy in receipt.unreachable_copies)


def test_an_owner_compacts_when_a_group_owns_the_tables(team_url: str) -> None:  # noqa: F811
    group = f"wb_tables_{uuid.uuid4().hex[:8]}"
    owner = f"wb_owner_{uuid.uuid4().hex[:8]}"
    admin = create_engine(team_url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {group} NOLOGIN")
            for table in project_tables():
                conn.exec_driver_sql(f'ALTER TABLE "{table}" OWNER TO {group}')
            conn.exec_driver_sql(f"ALTER SEQUENCE interview_version_clock OWNER TO {group}")
        assert add_role(admin, owner, "owner").note == ""
        with admin.connect() as conn:
            before = conn.exec_driver_sql("SELECT pg_relation_filenode('utterance')").scalar()
        with open_project(make_url(team_url).set(username=owner)) as p:
            receipt = withdraw_participant(p, "P02")
        assert receipt.storage_compacted == "VACUUM FULL of the touched tables"
        assert not any("VACUUM FULL" in copy for copy in receipt.unreachable_copies)
        with admin.connect() as conn:  # rewritten: the old row versions are gone
            after = conn.exec_driver_sql("SELECT pg_relation_filenode('utterance')").scalar()
        assert after != before
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"REASSIGN OWNED BY {group} TO CURRENT_USER")
            conn.exec_driver_sql(f"DROP OWNED BY {group}")
            conn.exec_driver_sql(f"DROP ROLE {group}")
        admin.dispose()


def test_an_owner_is_told_what_a_login_table_owner_keeps(team_url: str) -> None:  # noqa: F811
    admin = create_engine(team_url)
    try:
        note = add_role(admin, f"wb_owner_{uuid.uuid4().hex[:8]}", "owner").note
    finally:
        admin.dispose()
    assert "belong to the login role 'postgres'" in note
    assert "cannot run `workbench migrate`" in note


def test_roles_are_listed_with_their_kinds(make_role: MakeRole, team_url: str) -> None:  # noqa: F811
    made = {make_role(kind).split("://")[1].split("@")[0]: kind for kind in KINDS}
    engine = create_engine(team_url)
    try:
        assert {r.name: r.kind for r in list_roles(engine)} == made
        with engine.connect() as conn:  # the project's creator keeps its rights
            assert conn.execute(text("SELECT count(*) FROM participant")).scalar() == 3
    finally:
        engine.dispose()
