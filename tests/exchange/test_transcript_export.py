"""Transcripts out in the forms the workbench reads back."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from workbench.cli import main
from workbench.coding.study import add_interview, add_participant, new_study, set_consent
from workbench.coding.transcripts import import_utterances, utterances
from workbench.domain.study import StudyError
from workbench.exchange.transcript_export import export_transcript
from workbench.exchange.transcripts import read_transcript

from ..helpers import transcript

LINES = [("R01", "How did you sleep?"), ("P01", "لا أستطيع النوم 😔"), ("R01", "Since when?")]


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt"])
def test_text_formats_read_back_with_speakers_text_and_times(tmp_path: Path, fmt: str) -> None:
    with new_study(tmp_path / "s.dyad") as p:
        for key, role in (("P01", "patient"), ("R01", "researcher")):
            add_participant(p, key, role)
        add_interview(p, "I1", wave="baseline", participants=[("P01", None), ("R01", None)])
        import_utterances(
            p, "I1", transcript(LINES, step_ms=2500), speakers={"R01": "R01", "P01": "P01"}
        )
        out = tmp_path / f"t.{fmt}"
        assert export_transcript(p, "I1", out) == 3
        original = utterances(p, "I1")
    back = read_transcript(out)
    assert [(u.speaker, u.text) for u in back.utterances] == [(u.speaker, u.text) for u in original]
    assert [u.start_ms for u in back.utterances] == [u.start_ms for u in original]


def test_docx_and_consent(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        for key, role in (("P01", "patient"), ("R01", "researcher")):
            add_participant(p, key, role)
        add_interview(p, "I1", wave="baseline", participants=[("P01", None), ("R01", None)])
        import_utterances(p, "I1", transcript(LINES), speakers={"R01": "R01", "P01": "P01"})
        export_transcript(p, "I1", tmp_path / "t.docx")
        text = "\n".join(par.text for par in docx.Document(str(tmp_path / "t.docx")).paragraphs)
        assert "[00:00:01] P01: لا أستطيع النوم 😔" in text
        assert "not checked against the audio" in text
        set_consent(p, "P01", "pending")
        with pytest.raises(StudyError, match="has not consented"):
            export_transcript(p, "I1", tmp_path / "u.txt")
    assert (
        main(
            [
                "export",
                str(path),
                "--format",
                "txt",
                "--interview",
                "I1",
                "-o",
                str(tmp_path / "v.txt"),
                "--include-unconsented",
            ]
        )
        == 0
    )
    assert main(["export", str(path), "--format", "srt", "-o", str(tmp_path / "w.srt")]) != 0
    assert "give --interview" in capsys.readouterr().err
