"""Interpreter renderings through .qdpx (issue 15): a rendering span with an aside, a whole
utterance rendering someone, and linked original/rendering pairs come back from .dyad → .qdpx →
.dyad exactly, and so do the voices the analysis counts. The standard has no place for them:
they travel in our side file, keyed by utterance position.

    0 R01  How are your nights?
    1 P01  الليالي صعبة
    2 I01  The nights are hard. Sorry, do you want me to ask that as it is?
           └ characters 0–20 render P01; the aside is I01's own (the team's: nobody's)
    3 C01  We talk about nights.
    4 I01  نتحدث عن الليالي                  (wholly renders C01)
    links 1 → 2 and 3 → 4
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from workbench.analysis.longitudinal import matrix
from workbench.cli import main
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.queries import query_segments
from workbench.coding.study import (
    add_dyad,
    add_interview,
    add_participant,
    new_study,
    set_interview_status,
)
from workbench.coding.themes import add_theme
from workbench.coding.transcripts import import_utterances, interview_text, utterances
from workbench.exchange.qdpx import SIDECAR, export_qdpx
from workbench.exchange.qdpx_import import import_qdpx_as_new
from workbench.storage.models import RenderingSpan, UtteranceLink, UtteranceRow
from workbench.storage.project import Project, open_project

from ..helpers import transcript

ASIDE = "Sorry, do you want me to ask that as it is?"
LINES = [
    ("R01", "How are your nights?"),
    ("P01", "الليالي صعبة"),
    ("I01", f"The nights are hard. {ASIDE}"),
    ("C01", "We talk about nights."),
    ("I01", "نتحدث عن الليالي"),
]


def _build(path: Path) -> None:
    with new_study(path, waves=["baseline", "end"]) as p:
        for key, role in [
            ("P01", "patient"),
            ("C01", "clinician"),
            ("R01", "researcher"),
            ("I01", "interpreter"),
        ]:
            add_participant(p, key, role)
        add_dyad(p, "D01", ["C01", "P01"])
        add_interview(
            p,
            "J1",
            wave="baseline",
            dyad="D01",
            participants=[(k, None) for k in ("P01", "C01", "R01", "I01")],
        )
        import_utterances(p, "J1", transcript(LINES), speakers={k: k for k, _ in LINES})
        for code, theme in (("nights", "Nights"), ("asking", "Asking")):
            add_code(p, code)
            add_theme(p, theme, codes=[code])
        full = interview_text(p, "J1")
        for words, code in [
            ("الليالي صعبة", "nights"),
            ("The nights are hard.", "nights"),
            ("We talk about nights.", "nights"),
            ("نتحدث عن الليالي", "nights"),
            (ASIDE, "asking"),
        ]:
            at = full.index(words)
            apply_code(p, "J1", at, at + len(words), code)
        set_interview_status(p, "J1", "coded")
    # The interpreter's marks as the command line makes them.
    for args in (
        ["utterance", "renders", str(path), "J1", "2", "--for", "P01", "--span", "0", "20"],
        ["utterance", "renders", str(path), "J1", "4", "--for", "C01"],
        ["utterance", "link", str(path), "J1", "1", "2"],
        ["utterance", "link", str(path), "J1", "3", "4"],
    ):
        assert main(args) == 0


def _marks(project: Project) -> dict:
    """Spans and links by utterance position; whole-utterance renders; the voices counted."""
    with project.session(write=False) as s:
        position = dict(s.execute(select(UtteranceRow.id, UtteranceRow.position)).all())
        spans = sorted(
            (position[r.utterance_id], r.start_offset, r.end_offset, r.participant_id)
            for r in s.scalars(select(RenderingSpan))
        )
        links = sorted(
            (position[r.original_id], position[r.rendering_id])
            for r in s.scalars(select(UtteranceLink))
        )
    who = {u.index: u.speaker for u in utterances(project, "J1")}
    return {
        "spans": [(i, lo, hi) for i, lo, hi, _ in spans],
        "span_speakers": [who[i] for i, *_ in spans],
        "links": links,
        "renders": [(u.speaker, u.renders, u.text) for u in utterances(project, "J1")],
        "segments": {
            (c.theme, c.unit, c.wave, m): c.value(m)
            for m in ("segments", "words", "participants")
            for by in ("participant", "study", "dyad")
            for c in matrix(project, by, m)
        },
        "voices": sorted((g.text, g.participants) for g in query_segments(project)),
    }


def test_renderings_and_links_survive_a_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "source.dyad"
    _build(source)
    with open_project(source) as p:
        before = _marks(p)
        export_qdpx(p, tmp_path / "out.qdpx")
    assert before["spans"] == [(2, 0, 20)] and before["links"] == [(1, 2), (3, 4)]
    assert before["renders"][4][1] == "C01"
    voices = dict(before["voices"])
    assert voices["The nights are hard."] == ("P01",) and voices[ASIDE] == ()
    assert voices["نتحدث عن الليالي"] == ("C01",)
    assert before["segments"][("Nights", "P01", "baseline", "segments")] == 1  # linked: once
    assert before["segments"][("Nights", "C01", "baseline", "segments")] == 1
    with zipfile.ZipFile(tmp_path / "out.qdpx") as z:
        side = json.loads(z.read(SIDECAR))
    (entry,) = side["interviews"].values()
    assert entry["rendering_spans"] == [[2, 0, 20, "P01"]]
    assert entry["links"] == [[1, 2], [3, 4]]

    result = import_qdpx_as_new(str(tmp_path / "back.dyad"), tmp_path / "out.qdpx")
    assert result.not_carried == ()
    with open_project(tmp_path / "back.dyad") as q:
        after = _marks(q)
        export_qdpx(q, tmp_path / "again.qdpx")
    assert after == before
    # And written again the same: a second export of the copy carries the same side file.
    with zipfile.ZipFile(tmp_path / "again.qdpx") as z:
        again = json.loads(z.read(SIDECAR))
    (entry_again,) = again["interviews"].values()
    assert entry_again["rendering_spans"] == entry["rendering_spans"]
    assert entry_again["links"] == entry["links"]


@pytest.mark.parametrize(
    ("edit", "reported"),
    [
        (lambda e: e.update(rendering_spans=[[2, 0, 500, "P01"]]), "rendering span"),
        (lambda e: e.update(rendering_spans=[[2, 0, 20, "X9"]]), "rendering span"),
        (lambda e: e.update(links=[[1, 2], [0, 2]]), "rendering link"),
        (lambda e: e.update(links=[[1, 9]]), "rendering link"),
    ],
    ids=["span-past-its-text", "span-for-nobody", "rendered-twice", "link-past-the-end"],
)
def test_a_mark_that_does_not_fit_is_reported_not_carried(
    tmp_path: Path, edit, reported: str
) -> None:
    _build(tmp_path / "source.dyad")
    with open_project(tmp_path / "source.dyad") as p:
        export_qdpx(p, tmp_path / "out.qdpx")
    bent = tmp_path / "bent.qdpx"
    with zipfile.ZipFile(tmp_path / "out.qdpx") as z, zipfile.ZipFile(bent, "w") as out:
        for name in z.namelist():
            data = z.read(name)
            if name == SIDECAR:
                side = json.loads(data)
                edit(next(iter(side["interviews"].values())))
                data = json.dumps(side).encode()
            out.writestr(name, data)
    result = import_qdpx_as_new(str(tmp_path / "back.dyad"), bent)
    assert [line for line in result.not_carried if reported in line]
    with open_project(tmp_path / "back.dyad") as q:
        assert len(utterances(q, "J1")) == len(LINES)  # the rest is carried
