"""``workbench check``: is the project sound? Storage integrity and the schema's own invariants."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, func, select, text

from workbench.domain.study import CheckReport
from workbench.domain.text import search_tokens
from workbench.storage import text_changes
from workbench.storage.models import (
    CODING_ANCHORS,
    Base,
    Coding,
    Interview,
    UtteranceRow,
    interview_version,
)
from workbench.storage.project import Project, head_revision


def check_project(project: Project) -> CheckReport:
    problems: list[str] = []
    notes: list[str] = []
    revision = project.schema_revision()
    if revision != head_revision():
        problems.append(f"schema revision {revision}, expected {head_revision()}")
    with project.session(write=False) as s:
        if project.is_sqlite:
            try:
                found = [str(r[0]) for r in s.execute(text("PRAGMA integrity_check"))]
            except UnicodeDecodeError:  # its messages quote the damaged bytes
                found = ["damaged pages (the report quotes undecodable bytes)"]
            if found != ["ok"]:
                problems += [f"integrity: {r}" for r in found[:20]]
            problems += _undecodable(s)
            fks = s.execute(text("PRAGMA foreign_key_check")).all()
            problems += [f"dangling reference in {r[0]} row {r[1]} to {r[2]}" for r in fks[:20]]
            try:
                s.execute(
                    text("INSERT INTO utterance_fts(utterance_fts) VALUES ('integrity-check')")
                )
            except Exception as exc:  # the FTS5 check reports by raising
                problems.append(f"full-text index: {str(exc).splitlines()[0]}")
            mode = s.execute(text("PRAGMA journal_mode")).scalar()
            notes.append(f"SQLite journal mode {mode}")
        else:
            notes.append("PostgreSQL: storage integrity is the server's; schema checks below")

        # Utterance positions of each interview run 0..n-1 without gaps or repeats.
        for interview_key, count, low, high, distinct in s.execute(
            select(
                Interview.key,
                func.count(UtteranceRow.id),
                func.min(UtteranceRow.position),
                func.max(UtteranceRow.position),
                func.count(func.distinct(UtteranceRow.position)),
            )
            .join(UtteranceRow, UtteranceRow.interview_id == Interview.id)
            .group_by(Interview.key)
        ):
            if low != 0 or high != count - 1 or distinct != count:
                problems.append(f"interview {interview_key}: utterance order is broken")

        stale = 0
        for utterance_text, indexed in s.execute(
            select(UtteranceRow.text, UtteranceRow.search_text)
        ):
            if " ".join(search_tokens(utterance_text)) != indexed:
                stale += 1
        if stale:
            problems.append(f"{stale} utterances have a stale search index entry")

        lengths: dict[int, int] = {
            uid: n for uid, n in s.execute(select(UtteranceRow.id, func.length(UtteranceRow.text)))
        }
        bad = 0
        for start_id, start, end_id, end in s.execute(
            select(
                *CODING_ANCHORS,
            )
        ):
            if not (
                0 <= start <= lengths.get(start_id, -1) and 0 <= end <= lengths.get(end_id, -1)
            ):
                bad += 1
        if bad:
            problems.append(f"{bad} codings point outside their utterances")
        problems += _version_problems(project, s)
        problems += _notice_problems(project, s)
        problems += text_changes.problems(project, s)
        problems += _invariant_problems(project, s)
        notes.append(
            f"{s.scalar(select(func.count()).select_from(UtteranceRow))} utterances, "
            f"{s.scalar(select(func.count()).select_from(Coding))} codings checked"
        )
    return CheckReport(sound=not problems, problems=tuple(problems), notes=tuple(notes))


VERSION_TRIGGERS = (
    "interview_version_new",
    "utterance_version_insert",
    "utterance_version_delete",
    "utterance_version_update",
    "coding_version_insert",
    "coding_version_delete",
    "coding_version_update",
    "interview_participant_version_insert",
    "interview_participant_version_delete",
    "interview_participant_version_update",
    "rendering_span_version_insert",
    "rendering_span_version_delete",
    "rendering_span_version_update",
    "utterance_link_version_insert",
    "utterance_link_version_delete",
    "utterance_link_version_update",
)
"""The triggers of migrations 0005 and 0007 on SQLite (PostgreSQL joins insert and delete in
one)."""


def _undecodable(s: Any) -> list[str]:
    """Rows whose text is not valid UTF-8 (a damaged page, or a foreign write), by table."""
    problems = []
    for table in Base.metadata.sorted_tables:
        if table.name.endswith("_fts") or not _has_rowid(s, table.name):
            continue
        for column in table.columns:
            if not isinstance(column.type, String):  # Text is a String
                continue
            bad = []
            try:
                rows = s.execute(
                    text(
                        f'SELECT rowid, CAST("{column.name}" AS BLOB) FROM "{table.name}" '
                        f'WHERE "{column.name}" IS NOT NULL'
                    )
                )
                for rowid, data in rows:
                    try:
                        bytes(data).decode("utf-8")
                    except UnicodeDecodeError:
                        bad.append(rowid)
            except Exception as exc:  # a page too damaged to read at all
                problems.append(f"{table.name}.{column.name}: unreadable ({type(exc).__name__})")
                continue
            if bad:
                shown = ", ".join(str(r) for r in bad[:10]) + (" …" if len(bad) > 10 else "")
                problems.append(
                    f"{table.name}.{column.name}: {len(bad)} row(s) hold text that is not "
                    f"valid UTF-8 (rowid {shown})"
                )
    return problems


def _has_rowid(s: Any, table: str) -> bool:
    return bool(
        s.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
        ).first()
    )


def _version_problems(project: Project, s: Any) -> list[str]:
    """Interview versions (0005) are kept by triggers; without them the longitudinal tables
    could reuse counts an edit has made stale."""
    if project.is_sqlite:
        expected = set(VERSION_TRIGGERS)
        found = set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    else:
        expected = {
            name.replace("_insert", "_insert_delete")
            for name in VERSION_TRIGGERS
            if not name.endswith("_delete")
        }
        found = set(s.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")))
    problems = [
        f"trigger {name} is missing: interview versions are not kept"
        for name in sorted(expected - found)
    ]
    unversioned = s.scalar(
        select(func.count())
        .select_from(Interview)
        .outerjoin(interview_version, interview_version.c.interview_id == Interview.id)
        .where(interview_version.c.version.is_(None))
    )
    if unversioned:
        problems.append(f"{unversioned} interviews have no version")
    return problems


def _notice_problems(project: Project, s: Any) -> list[str]:
    """On PostgreSQL every table of the project tells listening windows of a commit (0010)."""
    if project.is_sqlite:
        return []
    from workbench.storage.models import Base

    found = set(
        s.scalars(
            text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'workbench_notice'"
            )
        )
    )
    return [
        f"table {name} sends no change notice: colleagues' windows would miss its changes"
        for name in sorted(set(Base.metadata.tables) - found)
    ]


INVARIANT_INDEXES = {
    "uq_code_sibling_name": "sibling code names",
    "uq_theme_name": "theme names",
    "uq_wave_name": "wave names",
}
"""Unique indexes that hold the schema's naming invariants in the database (0001, 0011)."""


def _invariant_problems(project: Project, s: Any) -> list[str]:
    """The invariants the database itself must hold: its unique indexes and foreign keys exist
    (and, on SQLite, are switched on), and no rows already break them."""
    problems = []
    if project.is_sqlite:
        found = set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
        # SQLite keeps the unique constraint of 0001 under an automatic name: look at its columns.
        for _seq, name, unique, *_ in s.execute(text("PRAGMA index_list('wave')")).all():
            columns = [row[2] for row in s.execute(text(f"PRAGMA index_info('{name}')"))]
            if unique and columns == ["name"]:
                found.add("uq_wave_name")
        if s.execute(text("PRAGMA foreign_keys")).scalar() != 1:
            problems.append("foreign keys are not enforced on this connection")
        declared_fks = 0
    else:
        found = set(
            s.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))
        )
        declared_fks = sum(len(t.foreign_key_constraints) for t in Base.metadata.sorted_tables)
    problems += [
        f"the database does not hold the rule of unique {words} (index {name} is missing)"
        for name, words in INVARIANT_INDEXES.items()
        if name not in found
    ]
    if declared_fks:
        present = s.scalar(
            text(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND connamespace = current_schema()::regnamespace"
            )
        )
        if present < declared_fks:
            problems.append(f"{declared_fks - present} foreign keys of the schema are missing")
    for label, query in (
        (
            "sibling codes share a name",
            "SELECT COALESCE(parent_id, 0), name FROM code GROUP BY 1, 2 HAVING count(*) > 1",
        ),
        ("themes share a name", "SELECT name FROM theme GROUP BY name HAVING count(*) > 1"),
        ("waves share a name", "SELECT name FROM wave GROUP BY name HAVING count(*) > 1"),
    ):
        clashes = s.execute(text(query)).all()
        if clashes:
            problems.append(f"{len(clashes)} times {label} ({clashes[0][-1]!r} …)")
    return problems
