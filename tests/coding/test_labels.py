"""Quote labels: a project setting every export uses, and the labels that give someone away.

The study (worked out by hand): patients P01 ("Amal"), P02, P03; clinicians C01, C02; interpreter
I01; researcher R01 interviews everyone. Baseline: P01, P02 (with I01 interpreting), P03, C01,
C02. Mid-treatment: P01, C01.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pandas as pd
import pytest

from workbench.cli import main
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code, list_codings
from workbench.coding.labels import (
    LabelRisk,
    label_risks,
    label_settings,
    parse_template,
    quote_labeller,
    set_quote_label,
)
from workbench.coding.readings import pin_exemplar
from workbench.coding.study import new_study, set_attribute, set_consent
from workbench.coding.themes import add_theme
from workbench.coding.transcripts import interview_text
from workbench.coding.undo import undo
from workbench.coding.utterances import edit_utterance
from workbench.domain.study import StudyError
from workbench.exchange.tables import export_segments_csv
from workbench.exchange.theme_table import export_theme_table
from workbench.storage.project import Project

from ..helpers import interview_with

R = ("R01", "researcher")


def _study(path: Path) -> Project:
    p = new_study(path, title="Labels")
    interview_with(
        p, "P01-b", [("R01", "How?"), ("P01", "I sleep badly.")], people=(("P01", "patient"), R)
    )
    interview_with(
        p,
        "P02-b",
        [("R01", "How?"), ("P02", "نوم سيء"), ("I01", "Sleep is bad.")],
        people=(("P02", "patient"), ("I01", "interpreter"), R),
    )
    edit_utterance(p, "P02-b", 2, renders="P02")
    interview_with(p, "P03-b", [("R01", "How?"), ("P03", "Fine.")], people=(("P03", "patient"), R))
    interview_with(
        p, "C01-b", [("R01", "How?"), ("C01", "Busy.")], people=(("C01", "clinician"), R)
    )
    interview_with(
        p, "C02-b", [("R01", "How?"), ("C02", "Tired.")], people=(("C02", "clinician"), R)
    )
    interview_with(
        p,
        "P01-m",
        [("R01", "And now?"), ("P01", "Better nights.")],
        people=(("P01", "patient"), R),
        wave="mid-treatment",
    )
    interview_with(
        p,
        "C01-m",
        [("R01", "And now?"), ("C01", "She sleeps.")],
        people=(("C01", "clinician"), R),
        wave="mid-treatment",
    )
    set_attribute(p, "P01", "pseudonym", "Amal")
    return p


def _risks(p: Project, template: str, k: int = 2) -> list[tuple[str, bool, int, tuple[str, ...]]]:
    return [
        (r.label, r.via_interpreter, r.shared_by, r.participants)
        for r in label_risks(p, template, k)
    ]


def test_templates_are_checked_and_render_each_field(tmp_path: Path) -> None:
    for bad, reason in [
        ("{name}", "unknown field {name}"),
        ("{ROLE}", "unknown field {ROLE}"),
        ("{role", "not a template"),
        ("{role:>5}", "takes no format"),
        ("{}", "empty"),
        ("Patient", "has no field"),
        ("  ", "needs at least one field"),
    ]:
        with pytest.raises(StudyError, match=reason.replace("{", r"\{").replace("}", r"\}")):
            parse_template(bad)
    assert parse_template("{pseudonym} ({Role}, {wave})").fields == ("pseudonym", "role", "wave")
    with _study(tmp_path / "s.dyad") as p:
        assert label_settings(p).template == "{participant}, {role}, {wave}"
        set_quote_label(p, "{pseudonym} ({Role}, {wave}) {{{dyad}}} {interview}")
        labeller = quote_labeller(p)
        assert (
            labeller.label_for(["P01"], "mid-treatment", None, "P01-m")
            == "Amal (Patient, mid-treatment) {no dyad} P01-m"
        )
        assert labeller.label_for(["P02"], "baseline", "D02", "P02-b") == (
            "P02 (Patient, baseline) {D02} P02-b"
        )
        assert (
            labeller.label_for([], None, None, "X")
            == "unattributed (Unattributed, no wave) {no dyad} X"
        )
        with pytest.raises(StudyError, match="unknown field"):
            set_quote_label(p, "{town}")
        undo(p)
        assert label_settings(p).template == "{participant}, {role}, {wave}"


def test_labels_fitting_fewer_than_k_participants_are_reported(tmp_path: Path) -> None:
    with _study(tmp_path / "s.dyad") as p:
        # Patient, baseline: P01 and P03 speak for themselves, P02 through I01 (marked so).
        assert _risks(p, "{Role}, {wave}") == [
            ("Clinician, mid-treatment", False, 1, ("C01",)),
            ("Interpreter, baseline", False, 1, ("I01",)),
            ("Patient, baseline", True, 1, ("P02",)),
            ("Patient, mid-treatment", False, 1, ("P01",)),
        ]
        assert _risks(p, "{Role}, {wave}", 3) == [
            ("Clinician, baseline", False, 2, ("C01", "C02")),
            ("Clinician, mid-treatment", False, 1, ("C01",)),
            ("Interpreter, baseline", False, 1, ("I01",)),
            ("Patient, baseline", False, 2, ("P01", "P03")),
            ("Patient, baseline", True, 1, ("P02",)),
            ("Patient, mid-treatment", False, 1, ("P01",)),
        ]
        # The wave alone: five people at baseline, two at mid-treatment; the interpreted one alone.
        assert _risks(p, "{wave}") == [("baseline", True, 1, ("P02",))]
        # A pseudonym reveals nothing; the role beside it still can.
        assert _risks(p, "{pseudonym}, {role}") == [
            ("…, interpreter", False, 1, ("I01",)),
            ("…, patient", True, 1, ("P02",)),
        ]
        assert _risks(p, "{participant}") == [("…", True, 1, ("P02",))]
        set_consent(p, "P03", "pending")  # not exported, so no longer shares P01's label
        assert ("Patient, baseline", False, 1, ("P01",)) in _risks(p, "{Role}, {wave}")


def test_every_export_uses_the_label_and_states_the_risky_ones(tmp_path: Path) -> None:
    with _study(tmp_path / "s.dyad") as p:
        add_code(p, "sleep")
        for interview, words in [("P02-b", "Sleep is bad."), ("P01-b", "I sleep badly.")]:
            at = interview_text(p, interview).index(words)
            apply_code(p, interview, at, at + len(words), "sleep")
        add_theme(p, "Nights", codes=["sleep"])
        for c in list_codings(p):
            pin_exemplar(p, "Nights", "study", "baseline", c.id)
        set_quote_label(p, "{Role}, {wave}")
        report = export_theme_table(p, tmp_path / "t.docx")
        quotes = docx.Document(str(tmp_path / "t.docx")).tables[0].rows[1].cells[3].text
        # verification: the analysis audit's quote table (the theme table stays uncluttered)
        assert "“I sleep badly.” (Patient, baseline)" in quotes
        assert "“Sleep is bad.” (Patient, baseline; via interpreter)" in quotes
        note = (
            "Quote labels ('{Role}, {wave}') that fewer than 2 participants share, and may "
            "identify the speaker: 'Patient, baseline' via interpreter (1 participant, 1 quote)."
        )
        assert note in report.notes
        paragraphs = [para.text for para in docx.Document(str(tmp_path / "t.docx")).paragraphs]
        assert note in paragraphs
        csv = export_segments_csv(p, tmp_path / "s.csv")
        assert note in csv.notes
        frame = pd.read_csv(tmp_path / "s.csv")
        assert list(frame["label"]) == ["Patient, baseline", "Patient, baseline"]
        set_quote_label(p, "{wave}", min_group=1)  # nothing fits fewer than one
        assert export_segments_csv(p, tmp_path / "s.csv").notes == ()


def test_labels_command_sets_shows_and_warns(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.dyad"
    _study(path).close()
    assert main(["labels", str(path), "--set", "{Role}, {wave}"]) == 0
    out, err = capsys.readouterr()
    assert "quote label: {Role}, {wave}" in out
    assert "  Patient, baseline\n" in out
    assert "4 label value(s) fit fewer than 2 participants" in out
    assert "warning: 'Patient, baseline' (via interpreter) fits only 1 participant (P02)" in err
    assert main(["labels", str(path), "--min-group", "1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["template"] == "{Role}, {wave}"
    assert shown["min_group"] == 1 and shown["risks"] == []
    assert main(["labels", str(path), "--set", "{town}, {wave}"]) != 0
    assert "unknown field {town}" in capsys.readouterr().err
    assert main(["labels", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["template"] == "{Role}, {wave}"
    assert LabelRisk("x", False, 1, ("P01",)).describe() == "'x' fits only 1 participant (P01)"
