"""The demo project builds from the repo's own script and shows the study's design."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from workbench.coding.study import list_interviews, study_grid, summary
from workbench.coding.transcripts import interview_text
from workbench.coding.words import in_arabic_script, whole_word
from workbench.domain.text import count_words
from workbench.storage.check import check_project
from workbench.storage.project import open_project

ROOT = Path(__file__).resolve().parent.parent


def test_demo_builds_with_two_dyads_ten_interviews_and_two_missing(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_demo", ROOT / "projects" / "build_demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "demo.dyad"
    assert module.main(["--out", str(out)]) == 0
    with open_project(out) as p:
        info = summary(p)
        assert "fictional" in info.title.lower()
        assert (info.dyads, info.interviews, info.waves) == (2, 10, 3)
        assert 20 <= info.codes <= 40 and info.codings >= 150
        from workbench.coding.queries import query_segments

        segments = query_segments(p)
        assert len(segments) == info.codings
        assert all("R01" not in g.participants for g in segments)  # never the interviewer
        interpreted = [g for g in segments if g.speakers == ("I01",)]
        credited = [g for g in interpreted if g.participants == ("P01",)]
        assert len(credited) >= len(interpreted) - 2  # renderings count for the patient
        for iv in list_interviews(p):
            assert iv.status.value == "coded"
            words = count_words(interview_text(p, iv.id))
            assert 1000 <= words <= 2200, (iv.id, words)
            assert all(person.participant != "?" for person in iv.participants)
        grid = study_grid(p)
        empty = [
            (lane.participant, wave)
            for i, lane in enumerate(grid.lanes)
            for wave in grid.waves
            if not grid.cell(i, wave)
        ]
        assert sorted(empty) == [("C01", "mid-treatment"), ("P02", "post-treatment")]
        interpreted = [
            iv
            for iv in list_interviews(p)
            if any(x.role.value == "interpreter" for x in iv.participants)
        ]
        assert len(interpreted) == 3
        assert check_project(p).sound


def test_the_demo_ships_pseudonymised_with_its_key_and_exports_only_once_reviewed(
    tmp_path: Path, capsys
) -> None:
    import zipfile

    from workbench.cli import main
    from workbench.coding.memos import add_journal_entry

    spec = importlib.util.spec_from_file_location("build_demo", ROOT / "projects" / "build_demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "demo.dyad"
    assert module.main(["--out", str(out)]) == 0
    key = out.with_suffix(".dyadkey")
    assert key.exists()
    raw = out.read_bytes()
    as_text = raw.decode("utf-8", errors="ignore")
    for original in module.REDACT:
        assert original.encode() in key.read_bytes()
        if in_arabic_script(original):  # رنا is in صرنا: whole words, as P01 writes them
            assert not whole_word(original).search(as_text), original
        else:
            assert original.encode() not in raw, original
    assert len(module.ARABIC) == 12
    assert main(["pseudonyms", "check", str(out)]) == 0
    for fmt in ("theme-table-docx", "qdpx", "xlsx"):
        written = tmp_path / f"demo.{fmt}"
        assert main(["export", str(out), "--format", fmt, "-o", str(written)]) == 0, fmt
        with zipfile.ZipFile(written) as z:
            body = b"".join(z.read(n) for n in z.namelist())
        for original in ("Hiba", "Samer", "Clare", "Brandt"):  # Brandt: after "Dr."
            assert original.encode() not in body, (fmt, original)
        readable = body.decode("utf-8", errors="ignore")
        for original in module.ARABIC:  # in P01's own words, written in Arabic
            assert not whole_word(original).search(readable), (fmt, original)
    with open_project(out) as p:
        add_journal_entry(p, "Today the patient mentioned Zarifa again.")
    capsys.readouterr()
    assert main(["export", str(out), "--format", "csv", "-o", str(tmp_path / "x.csv")]) != 0
    assert "'Zarifa' (a suggested identifier nobody reviewed" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
