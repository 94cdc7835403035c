"""The manuscript theme table: themes, labelled quotes with provenance marks, characteristics."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from workbench.cli import main
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code, list_codings
from workbench.coding.readings import pin_exemplar
from workbench.coding.redaction import accept_identifier
from workbench.coding.study import new_study, set_interview_status
from workbench.coding.themes import add_theme, set_trajectory
from workbench.coding.transcripts import interview_text
from workbench.coding.utterances import edit_utterance
from workbench.domain.study import StudyError
from workbench.exchange.audit_doc import export_audit_docx
from workbench.exchange.registry import ExportOptions, export
from workbench.exchange.theme_table import export_theme_table
from workbench.storage.project import open_project

from ..helpers import interview_with


def _study(path: Path):
    p = new_study(path, title="Table study")
    interview_with(
        p,
        "I1",
        [
            ("R01", "How do you sleep?"),
            ("P01", "نوم سيء"),
            ("I01", "I sleep badly since Aleppo."),
            ("P01", "Now my sleep is a little better."),
        ],
        people=(("P01", "patient"), ("R01", "researcher"), ("I01", "interpreter")),
    )
    edit_utterance(p, "I1", 2, renders="P01")
    edit_utterance(p, "I1", 3, verified=True)
    add_code(p, "sleep")
    full = interview_text(p, "I1")
    for words in ("I sleep badly since Aleppo.", "my sleep is a little better"):
        at = full.index(words)
        apply_code(p, "I1", at, at + len(words), "sleep")
    set_interview_status(p, "I1", "coded")
    add_theme(p, "Nights", codes=["sleep"], concept="Sleep as where distress shows")
    add_theme(p, "Rest", parent="Nights")
    for c in list_codings(p):
        pin_exemplar(p, "Nights", "participant:P01", "baseline", c.id)
    set_trajectory(p, "Nights", "participant:P01", label="easing")
    return p


def _cells(path: Path) -> list[list[list[str]]]:
    document = docx.Document(str(path))
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def test_theme_table_has_themes_labelled_quotes_marks_and_characteristics(tmp_path: Path) -> None:
    with _study(tmp_path / "s.dyad") as p:
        out = tmp_path / "themes.docx"
        report = export_theme_table(p, out)
    themes, readings, characteristics = _cells(out)
    assert themes[0] == ["Theme", "Subthemes", "Central organising concept", "Illustrative quotes"]
    name, subthemes, concept, quotes = themes[1]
    assert (name, subthemes, concept) == ("Nights", "Rest", "Sleep as where distress shows")
    assert "“I sleep badly since Aleppo.” (P01, patient, baseline; via interpreter)" in quotes
    assert "“my sleep is a little better” (P01, patient, baseline)" in quotes
    assert readings[1] == ["Nights", "P01", "easing"]  # computed patterns: the audit supplement
    assert characteristics[1][:7] == ["baseline", "1", "none", "0:04", "not recorded", "", "1"]
    assert characteristics[2][-1] == "P01: no interview"
    assert report.quotes == 2
    document = docx.Document(str(out))
    header = document.tables[0].rows[0]._tr.trPr
    assert header is not None and "tblHeader" in header.xml  # repeated on every page


def test_quotes_with_identifiers_are_refused_unless_overridden(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.dyad"
    with _study(path) as p:
        accept_identifier(p, "Aleppo")
        with pytest.raises(StudyError, match=r"still holds 'Aleppo' \(an accepted identifier"):
            export(p, "theme-table-docx", tmp_path / "t.docx", ExportOptions())
        assert not (tmp_path / "t.docx").exists()
        report = export(
            p, "theme-table-docx", tmp_path / "t.docx", ExportOptions(override_check=True)
        )
        assert any("overrode" in n for n in report.notes)
    paragraphs = [par.text for par in docx.Document(str(tmp_path / "t.docx")).paragraphs]
    assert any("overrode the pseudonymisation check" in par for par in paragraphs)
    assert (
        main(
            [
                "export",
                str(path),
                "--format",
                "theme-table-docx",
                "-o",
                str(tmp_path / "u.docx"),
                "--with-counts",
                "--override-pseudonym-check",
            ]
        )
        == 0
    )
    assert "Member codes (codings)" in _cells(tmp_path / "u.docx")[0][0]
    assert main(["export", str(path), "--format", "pdf", "-o", str(tmp_path / "x.pdf")]) != 0
    assert "invalid choice" in capsys.readouterr().err


def test_cell_summaries_durations_and_the_snapshot_cited(tmp_path: Path) -> None:
    from workbench.coding.readings import set_cell_summary
    from workbench.coding.snapshots import list_snapshots, take_snapshot
    from workbench.coding.study import add_participant, set_consent

    path = tmp_path / "s.dyad"
    with _study(path) as p:
        interview_with(
            p,
            "I2",
            [("R01", "And now?"), ("P01", "Better."), ("R01", "Good.")],
            people=(("P01", "patient"), ("R01", "researcher")),
            wave="mid-treatment",
        )
        add_participant(p, "P09", "patient")
        set_cell_summary(p, "Nights", "participant:P01", "baseline", "Sleeps badly; the war")
        set_cell_summary(p, "Nights", "participant:P01", "post-treatment", "Sleeps again")
        set_cell_summary(p, "Nights", "role:patient", "mid-treatment", "Easing for most")
        set_cell_summary(p, "Nights", "participant:P09", "baseline", "P09 words")
        set_consent(p, "P09", "declined")
        take_snapshot(p, "submitted")
        taken = list_snapshots(p)[0].created_at.strftime("%Y-%m-%d %H:%M UTC")
        set_trajectory(p, "Nights", "participant:P01", label="worsening")  # after the snapshot
        out = tmp_path / "themes.docx"
        export_theme_table(p, out, snapshot="submitted")
        with pytest.raises(StudyError, match="no snapshot 'nope'"):
            export_theme_table(p, tmp_path / "x.docx", snapshot="nope")
    _, readings, summaries, characteristics = _cells(out)
    assert readings[1][:3] == ["Nights", "P01", "easing"]  # as at the snapshot
    assert summaries == [
        ["Theme", "Unit", "baseline", "mid-treatment", "post-treatment"],
        ["Nights", "patients", "", "Easing for most", ""],
        ["Nights", "P01", "Sleeps badly; the war", "", "Sleeps again"],
    ]  # P09 declined consent: left out
    assert characteristics[0][3] == "Duration, min:s, median (range)"
    assert [row[3] for row in characteristics[1:]] == ["0:04", "0:03", "–"]
    text = "\n".join(par.text for par in docx.Document(str(out)).paragraphs)
    assert f"Analysis snapshot 'submitted', taken {taken}." in text
    assert "as they were at that snapshot" in text and "COREQ" in text
    assert main(["pseudonyms", "dismiss", str(path), "Aleppo"]) == 0  # reviewed: a city
    assert (
        main(
            [
                "export",
                str(path),
                "--format",
                "theme-table-docx",
                "-o",
                str(tmp_path / "u.docx"),
                "--snapshot",
                "submitted",
            ]
        )
        == 0
    )
    with_counts = _cells(tmp_path / "u.docx")
    assert with_counts[1][1][2] == "easing"


def test_a_shortened_quote_keeps_its_words_and_points_at_the_whole_segment(
    tmp_path: Path,
) -> None:
    from workbench.coding.readings import check_excerpt
    from workbench.domain.study import StudyError

    with _study(tmp_path / "s.dyad") as p:
        first = next(c for c in list_codings(p) if c.text.startswith("I sleep"))
        with pytest.raises(StudyError, match="not the quote's own"):
            pin_exemplar(
                p, "Nights", "participant:P01", "baseline", first.id, excerpt="I sleep well […]"
            )
        pin_exemplar(
            p,
            "Nights",
            "participant:P01",
            "baseline",
            first.id,
            excerpt="I sleep badly […] Aleppo.",
        )
        out = tmp_path / "themes.docx"
        export_theme_table(p, out)
    quotes = _cells(out)[0][1][3]
    assert "“I sleep badly […] Aleppo.” (P01, patient, baseline; via interpreter)" in quotes
    assert "Source:" not in quotes and "not verified" not in quotes  # in the audit supplement
    with open_project(tmp_path / "s.dyad") as p:
        export_audit_docx(p, tmp_path / "audit.docx")
    sources = _cells(tmp_path / "audit.docx")[-1]
    assert sources[0] == [
        "Theme",
        "Quote",
        "Label",
        "Source",
        "Checked against the audio",
        "Linked original or rendering",
    ]
    assert [
        "Nights",
        "I sleep badly […] Aleppo.",
        "P01, patient, baseline",
        f"I1 at 0:00:02, segment {first.id[:8]}",
        "no",
        "",
    ] in sources
    check_excerpt("one two three four", "one […] four")
    check_excerpt("one two three four", "two three")
    with pytest.raises(StudyError):
        check_excerpt("one two three four", "four […] one")  # out of order
    with pytest.raises(StudyError):
        check_excerpt("one two three four", "[…]")
