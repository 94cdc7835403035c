"""``storage.bulk``: utterances and codings inserted without their per-row triggers and indexes
leave what the triggers would have — the same clocks, interview versions, full-text entries —
and the very schema a new project has, on a real SQLite project."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from workbench.coding.codebook import add_code
from workbench.coding.study import add_interview, add_participant, new_study
from workbench.domain.text import count_words, search_text_of
from workbench.exchange.qdpx_import import import_qdpx_as_new
from workbench.storage.bulk import Bulk
from workbench.storage.check import check_project
from workbench.storage.models import Code, Coder, Coding, Interview, UtteranceRow
from workbench.storage.project import Project, open_project

from ..conftest import DATA

WORDS = ["Schlaf kommt zurück", "Night is long", "ÉTÉ été", "a", "pain, named: sleep", "x y"]


def _study(path: Path) -> Project:
    p = new_study(path)
    add_participant(p, "P1", "patient")
    for key in ("i1", "i2"):
        add_interview(p, key, wave=None, participants=[("P1", None)])
    add_code(p, "Night")
    return p


def _fill(p: Project, bulk: bool) -> None:
    """Utterances of two interviews, interleaved; codings across both, in two batches."""
    with p.session() as s:
        b = Bulk(s, p.is_sqlite) if bulk else None
        if b is not None:
            b.start()
        ivs = list(s.scalars(select(Interview.id).order_by(Interview.id)))
        order = [ivs[0], ivs[0], ivs[1], ivs[0], ivs[1], ivs[1]]
        rows = [
            {
                "interview_id": iv,
                "position": order[:i].count(iv),
                "text": t,
                "search_text": search_text_of(t),
                "word_count": count_words(t),
                "speaker_id": None,
                "speaker_label": "P1" if i % 2 else None,
                "renders_id": None,
                "start_ms": i * 1000 if i % 3 else None,
                "end_ms": None,
                "language": "de" if i == 0 else None,
                "needs_review": i == 1,
                "untranscribed_speech": False,
                "verified": i == 2,
                "version": 0,
            }
            for i, (iv, t) in enumerate(zip(order, WORDS, strict=True))
        ]
        if b is not None:  # through the driver, and what the triggers would have done
            b.insert(UtteranceRow.__table__, rows)  # type: ignore[arg-type]
        else:
            s.execute(insert(UtteranceRow), rows)
        ids = {u.id: u.interview_id for u in s.scalars(select(UtteranceRow))}
        code, coder = s.scalar(select(Code.id)), s.scalar(select(Coder.id))
        for batch in ([1, 3, 2], [5, 1, 3, 2]):
            codings = [
                {
                    "guid": f"00000000-0000-4000-8000-{u:06d}{len(batch):06d}",
                    "code_id": code,
                    "interview_id": ids[u],
                    "start_utterance_id": u,
                    "start_offset": 0,
                    "end_utterance_id": u,
                    "end_offset": 1,
                    "coder_id": coder,
                    "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                    "important": u % 2 == 0,
                    "memo": None if u % 2 else "ça va",
                }
                for u in batch
            ]
            if b is not None:
                b.insert(Coding.__table__, codings)  # type: ignore[arg-type]
            else:
                s.execute(insert(Coding), codings)
        if b is not None:
            b.finish()


def _state(path: Path) -> dict[str, object]:
    con = sqlite3.connect(path)
    con.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, utterance_fts, instance)")
    state = {
        "schema": set(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")),
        "text_clock": con.execute("SELECT value FROM text_clock").fetchall(),
        "analysis_clock": con.execute("SELECT value FROM analysis_clock").fetchall(),
        "versions": con.execute("SELECT * FROM interview_version ORDER BY 1").fetchall(),
        "fts": con.execute("SELECT term, doc, col, offset FROM temp.v ORDER BY 1, 2, 4").fetchall(),
        "match": con.execute(
            "SELECT rowid FROM utterance_fts WHERE utterance_fts MATCH 'ete'"
        ).fetchall(),
        "codings": con.execute("SELECT * FROM coding ORDER BY id").fetchall(),
        "utterances": con.execute("SELECT * FROM utterance ORDER BY id").fetchall(),
    }
    con.close()
    return state


def test_bulk_inserts_leave_what_the_row_triggers_would(tmp_path: Path) -> None:
    states = []
    for bulk in (False, True):
        path = tmp_path / f"{bulk}.dyad"
        with _study(path) as p:
            _fill(p, bulk)
            assert check_project(p).problems == ()
        states.append(_state(path))
    plain, fast = states
    assert plain["fts"] and plain["match"] == fast["match"] != []
    assert plain == fast


def test_a_failed_bulk_insert_rolls_back_to_the_triggers_and_indexes(tmp_path: Path) -> None:
    with _study(tmp_path / "a.dyad") as p:
        before = _state(tmp_path / "a.dyad")["schema"]
        with pytest.raises(RuntimeError), p.session() as s:
            Bulk(s, True).start()
            assert "utterance_fts_insert" not in set(
                s.scalars(text("SELECT name FROM sqlite_master"))
            )
            raise RuntimeError("the import failed")
    assert _state(tmp_path / "a.dyad")["schema"] == before


def test_an_imported_project_has_a_new_projects_schema_and_passes_check(tmp_path: Path) -> None:
    with new_study(tmp_path / "fresh.dyad"):
        pass
    import_qdpx_as_new(str(tmp_path / "in.dyad"), DATA / "refi" / "qc132_interview_coded.qdpx")
    fresh, imported = _state(tmp_path / "fresh.dyad"), _state(tmp_path / "in.dyad")
    assert imported["schema"] == fresh["schema"]
    assert imported["text_clock"] > fresh["text_clock"]
    with open_project(str(tmp_path / "in.dyad")) as p:
        assert check_project(p).problems == ()
