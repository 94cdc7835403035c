"""Round trip through another writer: the demo project exported as .qdpx, opened, edited and
re-saved by pyqdpx (a separate REFI-QDA library that re-serialises ``project.qde`` with
BeautifulSoup), and imported again. pyqdpx keeps archive members it does not know, so our
side file survives it; the second variant strips it as QualCoder, NVivo and ATLAS.ti do."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pyqdpx import QDPX, User

from workbench.cli import main
from workbench.coding.codebook import list_codes
from workbench.coding.codings import list_codings
from workbench.coding.study import list_interviews
from workbench.coding.transcripts import utterances
from workbench.exchange.qdpx import SIDECAR, export_qdpx
from workbench.exchange.qdpx_import import import_qdpx_as_new
from workbench.storage.project import open_project

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("patient", "clinician", "interpreter", "researcher", "other")
CATEGORY = "Trust and the relationship"  # a parent code nobody coded with directly
RENAMED = ("P01-mid-treatment", "P01 mid treatment (interpreted)")


def _role_counts(path: Path) -> dict[str, int]:
    """``workbench query PROJECT --role R --json``: segments credited to each role."""
    counts = {}
    for role in ROLES:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            assert main(["query", str(path), "--role", role, "--json"]) == 0
        counts[role] = len(json.loads(out.getvalue()))
    return counts


def _state(path: Path) -> dict:
    with open_project(path) as p:
        return {
            "turns": {
                i.id: [(u.speaker, u.text) for u in utterances(p, i.id)] for i in list_interviews(p)
            },
            "renders": {i.id: [u.renders for u in utterances(p, i.id)] for i in list_interviews(p)},
            "codings": sorted(
                (c.interview, c.code, c.text, c.coder, c.memo or "") for c in list_codings(p)
            ),
            "memos": sorted((c.interview, c.text, c.memo) for c in list_codings(p) if c.memo),
            "codes": sorted(c.path for c in list_codes(p)),
        }


def _renamed(state: dict, old: str, new: str) -> dict:
    """The state with one interview's id changed (without our side file an imported
    interview's id comes from the source's name)."""

    def iv(key: str) -> str:
        return new if key == old else key

    return {
        "turns": {iv(k): v for k, v in state["turns"].items()},
        "renders": {iv(k): v for k, v in state["renders"].items()},
        "codings": sorted((iv(c[0]), *c[1:]) for c in state["codings"]),
        "memos": sorted((iv(m[0]), *m[1:]) for m in state["memos"]),
        "codes": state["codes"],
    }


def _qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("project.qde"))


def _strip_sidecar(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist() if n != SIDECAR}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo project (projects/build_demo.py) and its .qdpx export."""
    where = tmp_path_factory.mktemp("demo")
    spec = importlib.util.spec_from_file_location("build_demo", ROOT / "projects" / "build_demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--out", str(where / "demo.dyad")]) == 0
    with open_project(where / "demo.dyad") as p:
        export_qdpx(p, where / "demo.qdpx")
    return where / "demo.dyad", where / "demo.qdpx"


def _resave_with_pyqdpx(src: Path, dest: Path, *, keep_sidecar: bool) -> str:
    """Another analyst opens the file in pyqdpx: adds themselves, turns a parent code into a
    category, renames a source (spaces), codes a few words with a note; pyqdpx saves. Returns
    the text pyqdpx's coding covers."""
    shutil.copy(src, dest)
    archive = QDPX(str(dest))
    qde = archive.get_project()
    assert qde is not None
    editor = User("pyqdpx analyst")
    qde.add_user(editor)
    category = qde.find_code(CATEGORY)
    assert category is not None and category.children
    category.is_codable = False
    source = next(s for s in qde.sources.values() if s.name == RENAMED[0])
    source._xml_tag["name"] = RENAMED[1]  # pyqdpx has no setter; its tree is what it saves
    first_turn = source.text_content.split("\n\n")[0]
    assert all(ord(ch) <= 0xFFFF for ch in first_turn)  # pyqdpx counts astral chars twice
    start = first_turn.index(": ") + 2
    coded = first_turn[start : start + 30]
    code = qde.find_code("Sleep and the body")
    assert code is not None
    source.add_selection(start, start + 30, code, editor, description="pyqdpx note")
    qde.save()
    if not keep_sidecar:
        _strip_sidecar(dest)
    with zipfile.ZipFile(dest) as z:
        assert (SIDECAR in z.namelist()) is keep_sidecar
        assert b"pyqdpx analyst" in z.read("project.qde")
    return coded


@pytest.mark.slow
@pytest.mark.parametrize("keep_sidecar", [True, False], ids=["pyqdpx", "pyqdpx-no-sidecar"])
def test_a_project_resaved_by_pyqdpx_comes_back(
    demo: tuple[Path, Path], tmp_path: Path, keep_sidecar: bool
) -> None:
    dyad, qdpx = demo
    before = _state(dyad)
    counts = _role_counts(dyad)
    assert counts["patient"] > 100 and counts["clinician"] > 100
    assert len(before["memos"]) > 10
    assert sum(r is not None for rs in before["renders"].values() for r in rs) > 10
    original_guids = {s.get("guid") for s in _qde(qdpx).iter("{*}PlainTextSelection")}

    theirs = tmp_path / "theirs.qdpx"
    coded = _resave_with_pyqdpx(qdpx, theirs, keep_sidecar=keep_sidecar)
    # (pyqdpx's serialiser dropped the REFI namespace with lxml before 6.2.1 and keeps it since;
    # a project without it is read as with it: test_qdpx_qc_sample.py.)
    assert _qde(theirs).tag in {"Project", "{urn:QDA-XML:project:1.0}Project"}
    back = tmp_path / "back.dyad"
    result = import_qdpx_as_new(str(back), theirs)
    assert result.not_carried == ()
    moved = RENAMED[0] if keep_sidecar else "P01_mid_treatment_(interpreted)"
    before = _renamed(before, RENAMED[0], moved)
    after = _state(back)

    # Speakers and turns; and, with our side file, who each interpreter line renders.
    assert after["turns"] == before["turns"]
    added = (moved, "Sleep and the body", coded, "pyqdpx analyst", "pyqdpx note")
    assert sorted([*before["codings"], added]) == after["codings"]  # the same words
    assert after["memos"] == sorted([*before["memos"], (added[0], coded, "pyqdpx note")])
    if keep_sidecar:
        assert after["renders"] == before["renders"]
        assert _role_counts(back) == counts
    else:
        # The standard has no place for a rendering: an interpreter's line counts for the
        # interpreter (a team member: nobody's), so the patient loses exactly those segments.
        assert any("speaker turn(s)" in line for line in result.inferred)
        with open_project(dyad) as p:
            from workbench.coding.queries import query_segments

            rendered = sum(
                1
                for g in query_segments(p, role="patient")
                if g.speakers == ("I01",) and g.participants == ("P01",)
            )
        assert rendered > 0
        assert _role_counts(back) == {**counts, "patient": counts["patient"] - rendered}

    # What pyqdpx changed is kept, and written again by our export.
    with open_project(back) as q:
        assert moved in {i.id for i in list_interviews(q)}
        export_qdpx(q, tmp_path / "again.qdpx")
    root = _qde(tmp_path / "again.qdpx")
    codable = {c.get("name"): c.get("isCodable") for c in root.iter("{*}Code")}
    assert codable[CATEGORY] == "false"
    assert sum(v == "false" for v in codable.values()) == 1
    assert RENAMED[1] in {s.get("name") for s in root.iter("{*}TextSource")}
    guids = {s.get("guid") for s in root.iter("{*}PlainTextSelection")}
    assert original_guids < guids and len(guids) == len(original_guids) + 1

    # And once more through pyqdpx: the category, the name and everything else hold.
    twice = tmp_path / "twice.qdpx"
    qde = QDPX(str(shutil.copy(tmp_path / "again.qdpx", twice))).get_project()
    assert qde is not None and not qde.find_code(CATEGORY).is_codable
    qde.add_user(User("second pyqdpx analyst"))
    qde.save()
    if not keep_sidecar:
        _strip_sidecar(twice)
    import_qdpx_as_new(str(tmp_path / "twice.dyad"), twice)
    assert _state(tmp_path / "twice.dyad") == after
    with open_project(tmp_path / "twice.dyad") as q:
        export_qdpx(q, tmp_path / "thrice.qdpx")
    root = _qde(tmp_path / "thrice.qdpx")
    assert {s.get("guid") for s in root.iter("{*}PlainTextSelection")} == guids
    assert {c.get("name") for c in root.iter("{*}Code") if c.get("isCodable") == "false"} == {
        CATEGORY
    }
    assert RENAMED[1] in {s.get("name") for s in root.iter("{*}TextSource")}
