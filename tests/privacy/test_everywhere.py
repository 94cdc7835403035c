"""Per inventoried column: a name written there is found by the check, redacted by
``redact --all``, and never left in the project file's bytes (nor its WAL)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from workbench.coding.redaction import accept_identifier, check_identifiers, redact
from workbench.storage import inventory, places
from workbench.storage.inventory import TextColumn
from workbench.storage.project import open_project

from .everywhere import NAME, build, plant

WALKED = [c for c in inventory.INVENTORY if c.kind != inventory.DERIVED_KIND]
GUID_TABLES = {"memo", "coding", "detached_coding", "journal_entry", "code", "theme", "project"}
EXPECTED_PLACE = {
    **{table: " " for table in GUID_TABLES},  # the start of the id `memo list` prints
    "utterance": " of interview:I1 #",
    "setting": " '",
    "word": " of interview:I1 #",
    "translation": " of interview:I1 #",
    "cell_summary": " of '",
    "exemplar": " of '",
    "trajectory": " of '",
    "dyad_stance": " of D",
    "theme_event": " of '",
    "interview": " of I1",
    "interview_title": " of I1",
    "participant_attribute": " ",
    "participant_wave_attribute": " ",
    "wave": " of wave ",
    "snapshot": " of 20",
    "transcription_queue": " of I1",
    "undo_entry": " ",
    "audit_log": " of 20",
}
"""How each table's rows are named after their label (``storage.places``)."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("everywhere") / "study.dyad"
    build(path)
    return path


def _copy(built: Path, tmp_path: Path) -> Path:
    path = tmp_path / "study.dyad"
    shutil.copy(built, path)
    return path


def _raw(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_the_built_study_holds_no_name_to_begin_with(built: Path, tmp_path: Path) -> None:
    path = _copy(built, tmp_path)
    with open_project(path) as p:
        accept_identifier(p, NAME)
        assert check_identifiers(p) == []


@pytest.mark.parametrize("name", [NAME, "سامر"])
@pytest.mark.parametrize("column", WALKED, ids=lambda c: f"{c.table}.{c.column}")
def test_a_name_in_any_inventoried_column_is_found_and_redacted_everywhere(
    built: Path, tmp_path: Path, column: TextColumn, name: str
) -> None:
    path = _copy(built, tmp_path)
    with open_project(path) as p:
        plant(p, column, name)
        accept_identifier(p, name)
        leaks = check_identifiers(p)
        assert [leak.found for leak in leaks] == [name]
        where = leaks[0].where
        in_transcript = column.kind == inventory.TRANSCRIPT and column.table == "utterance"
        assert where.startswith("interview:I1" if in_transcript else column.label), where
        if not in_transcript and (
            places.has_description(column.table) or column.table in GUID_TABLES
        ):
            # named as a person finds it, never by a row number nothing shows
            assert not re.search(r"(?<!interview:I1 )#\d+$", where), where
            assert where.removeprefix(column.label).startswith(EXPECTED_PLACE[column.table])
        redact(p, "[name]", everywhere=name)
        assert check_identifiers(p) == []
    raw = _raw(path)
    assert name.encode() not in raw
    assert json.dumps(name)[1:-1].encode() not in raw  # nor as JSON escapes it


def _exports() -> list[str]:
    from workbench.exchange.registry import FORMATS

    return [f.name for f in FORMATS if f.export is not None]


def _file_bytes(path: Path) -> bytes:
    """A file's bytes, and an archive's members' bytes uncompressed."""
    import zipfile

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return b"".join(z.read(name) for name in z.namelist())
    return path.read_bytes()


def _export_all(p, folder: Path, **options: object) -> dict[str, Path]:
    from workbench.exchange.registry import ExportOptions, export, exporter

    folder.mkdir(exist_ok=True)
    written = {}
    for name in _exports():
        out = folder / f"{name}{exporter(name).extension}"
        export(p, name, out, ExportOptions(interview="I1", **options))  # type: ignore[arg-type]
        written[name] = out
    return written


def test_a_name_everywhere_blocks_every_format_until_redacted(built: Path, tmp_path: Path) -> None:
    from workbench.domain.study import StudyError
    from workbench.exchange.registry import ExportOptions, export, exporter

    path = _copy(built, tmp_path)
    with open_project(path) as p:
        for column in WALKED:
            plant(p, column)
        accept_identifier(p, NAME)
        assert len(check_identifiers(p)) >= len(WALKED) - 2  # undo fields share one entry
        for name in _exports():
            out = tmp_path / f"x{exporter(name).extension}"
            with pytest.raises(StudyError, match=rf"still holds '{NAME}' \(an accepted identifier"):
                export(p, name, out, ExportOptions(interview="I1"))
            assert not out.exists()
        overridden = _export_all(p, tmp_path / "overridden", override_check=True)
        for name, out in overridden.items():
            assert b"overrode the pseudonymisation check" in _file_bytes(out), name
        redact(p, "[name]", everywhere=NAME)
        assert check_identifiers(p) == []
        for name, out in _export_all(p, tmp_path / "clean").items():
            assert NAME.encode() not in _file_bytes(out), name
            assert b"overrode" not in _file_bytes(out), name
    assert NAME.encode() not in _raw(path)


@pytest.mark.parametrize("column", [c for c in WALKED if c.kind == inventory.PROSE])
def test_an_unreviewed_name_in_analyst_prose_blocks_exports_until_dismissed(
    built: Path, tmp_path: Path, column: TextColumn
) -> None:
    from workbench.coding.redaction import dismiss_identifier, suggest_identifiers
    from workbench.domain.study import StudyError
    from workbench.exchange.registry import ExportOptions, export

    path = _copy(built, tmp_path)
    with open_project(path) as p:
        plant(p, column)
        found = [c for c in suggest_identifiers(p) if c.text == NAME]
        assert found and found[0].interviews[0].startswith(column.label), found
        with pytest.raises(StudyError, match=rf"'{NAME}' \(a suggested identifier nobody"):
            export(p, "csv", tmp_path / "x.csv", ExportOptions())
        dismiss_identifier(p, NAME)
        assert [c.reviewed for c in suggest_identifiers(p) if c.text == NAME] == ["dismissed"]
        export(p, "csv", tmp_path / "x.csv", ExportOptions())


@pytest.mark.parametrize("column", [c for c in WALKED if c.kind == inventory.PROSE])
def test_a_name_that_starts_a_sentence_is_suggested_for_review(
    built: Path, tmp_path: Path, column: TextColumn
) -> None:
    """Analysts write "Zarifa said…": a name that only ever starts a sentence (or the text) is
    suggested for review as a ``first word`` (before, a capital at a sentence start was never
    looked at). It does not refuse exports, as ordinary first words would refuse them too; the
    same name anywhere else in a sentence is a ``name`` and does."""
    from workbench.coding.identifiers import FIRST_WORD
    from workbench.coding.redaction import suggest_identifiers
    from workbench.domain.study import StudyError
    from workbench.exchange.registry import ExportOptions, export

    path = _copy(built, tmp_path)
    with open_project(path) as p:
        plant(p, column, value=f"{NAME} said the nights are long. At night: {NAME}'s fear.")
        found = [(c.text, c.kind, c.count) for c in suggest_identifiers(p) if NAME in c.text]
        assert sorted(found) == [(NAME, FIRST_WORD, 1), (f"{NAME}'s", FIRST_WORD, 1)]
        assert not [c for c in suggest_identifiers(p) if c.text == "At"]
        export(p, "csv", tmp_path / "x.csv", ExportOptions())
        plant(p, column, value=f"{NAME} said the nights are long; so {NAME} slept.")
        found = [(c.text, c.kind, c.count) for c in suggest_identifiers(p) if NAME in c.text]
        assert found == [(NAME, "name", 2)]
        with pytest.raises(StudyError, match=rf"'{NAME}' \(a suggested identifier nobody"):
            export(p, "csv", tmp_path / "y.csv", ExportOptions())
