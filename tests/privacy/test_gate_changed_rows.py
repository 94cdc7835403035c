"""After a change, the export gate reads only the rows changed since its last clear pass
(migration 0017, ``coding.witnesses``) — and finds exactly what reading everything finds."""

from __future__ import annotations

import json
import random
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from workbench.coding.identifiers import still_clear, suggest_identifiers
from workbench.coding.memos import add_memo, delete_memo, edit_memo, list_memos
from workbench.coding.redaction import dismiss_identifier
from workbench.coding.study import new_study, set_attribute
from workbench.coding.utterances import edit_utterance
from workbench.domain.study import StudyError
from workbench.exchange import gate
from workbench.exchange.registry import ExportOptions, export
from workbench.storage import text_changes
from workbench.storage.models import Memo
from workbench.storage.project import Project, open_project

from ..helpers import interview_with
from ..team import MakeRole, make_role, team_url  # noqa: F401

LINES = [
    ("R01", "How did the first weeks go?"),
    ("P01", "We ate bread and waited at the camp."),
    ("P01", "The nights were long and I could not rest."),
]


def _study(path: str | Path) -> str | Path:
    with new_study(path, title="Rows") as p:
        interview_with(p, "I1", LINES)
        _dismiss_all(p)
        gate.precheck(p, None)  # the whole pass: the verdict every later look starts from
    return path


def _dismiss_all(p: Project) -> None:
    for candidate in suggest_identifiers(p, names_only=True):
        if candidate.refuses_exports and not candidate.reviewed:
            dismiss_identifier(p, candidate.text)


def _spent(p: Project) -> int | None:
    """Rows the last clear pass judged without reading the rest (None: it read everything, or
    nothing is clear)."""
    since = text_changes.since(p, text_changes.NO_KEY, gate.RULES)
    if since is None or since.witnesses is None:
        return None
    return int(json.loads(since.witnesses)["spent"]) or None


def test_after_a_memo_the_gate_reads_only_the_rows_it_changed(tmp_path: Path, target: str) -> None:
    with open_project(_study(target)) as p:
        assert text_changes.cleared(p, text_changes.NO_KEY, gate.RULES)
        info, _ = add_memo(p, "The camp kitchen ran out of bread again.")
        since = text_changes.since(p, text_changes.NO_KEY, gate.RULES)
        assert since is not None
        with p.session(write=False) as s:
            memo_id = s.query(Memo.id).filter(Memo.guid == info.id).scalar()
        assert since.rows["memo"] == {memo_id}
        assert set(since.rows) <= {"memo", "undo_entry", "audit_log"}
        found = gate.precheck(p, None)
        assert found.standing == () and found.kept
        assert _spent(p) == 1  # the memo: the undo entry and the audit row write no suggestion
        export(p, "csv", tmp_path / "out.csv", ExportOptions())


def test_a_name_in_a_changed_row_is_refused(tmp_path: Path, target: str) -> None:
    with open_project(_study(target)) as p:
        add_memo(p, "At the camp we met Zubaida twice.")
        with pytest.raises(StudyError, match="'Zubaida' \\(a suggested identifier nobody"):
            export(p, "csv", tmp_path / "out.csv", ExportOptions())


def test_the_last_lower_case_spelling_edited_away_makes_a_name_of_a_capital_elsewhere(
    tmp_path: Path,
    target: str,
) -> None:
    """ "Mansaf" inside a sentence is no name while "mansaf" is written somewhere: in another
    memo, which an edit then changes. The capital's own memo did not change."""
    with open_project(_study(target)) as p:
        add_memo(p, "Each week they cooked Mansaf for everyone.")
        lower, _ = add_memo(p, "The smell of mansaf from the next tent.")
        gate.precheck(p, None)
        assert _spent(p), "judged from the changed rows only"
        export(p, "csv", tmp_path / "a.csv", ExportOptions())
        edit_memo(p, lower.id, text="The smell of cooking from the next tent.")
        with pytest.raises(StudyError, match="'Mansaf'"):
            export(p, "csv", tmp_path / "b.csv", ExportOptions())
        # the same when the lower case went with a deleted memo
        edit_memo(p, lower.id, text="The smell of mansaf from the next tent.")
        export(p, "csv", tmp_path / "c.csv", ExportOptions())
        delete_memo(p, lower.id)
        with pytest.raises(StudyError, match="'Mansaf'"):
            export(p, "csv", tmp_path / "d.csv", ExportOptions())


@pytest.mark.parametrize("written", ["'mansaf", "’mansaf", "-mansaf", "(mansaf)"])
def test_a_lower_case_spelling_after_a_quote_or_a_hyphen_is_kept_as_one(
    tmp_path: Path, target: str, written: str
) -> None:
    """The identifier finder reads 'mansaf and -mansaf as mansaf (not x'mansaf, one word), so
    the capital leans on them; the whole pass keeps their row the same way (a helper's review
    found it kept none, and the edit below passed)."""
    with open_project(_study(target)) as p:
        add_memo(p, "Each week they cooked Mansaf for everyone.")
        lower, _ = add_memo(p, f"The dish they called {written}.")
        text_changes.forget(p)
        gate.precheck(p, None)  # the whole pass, from which the next look starts
        edit_memo(p, lower.id, text="The dish they called stew.")
        with pytest.raises(StudyError, match="'Mansaf'"):
            export(p, "csv", tmp_path / "b.csv", ExportOptions())


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE memo SET id = 999, text = 'The dish was stew.' WHERE text LIKE '%of mansaf%'",
        "INSERT OR REPLACE INTO memo (guid, text, created_at, updated_at) SELECT guid, "
        "'The dish was stew.', created_at, updated_at FROM memo WHERE text LIKE '%of mansaf%'",
    ],
    ids=["a row's id changed", "a row replaced"],
)
def test_a_row_gone_without_its_own_log_line_is_noticed(tmp_path: Path, sql: str) -> None:
    """Plain SQL from another tool: a row's key changed (the row under the old key is gone), or
    INSERT OR REPLACE deleted a row without its delete trigger (SQLite's default)."""
    with open_project(_study(tmp_path / "s.dyad")) as p:
        add_memo(p, "Each week they cooked Mansaf for everyone.")
        add_memo(p, "The smell of mansaf from the next tent.")
        export(p, "csv", tmp_path / "a.csv", ExportOptions())
        with p.session() as s:
            s.execute(text(sql))
        with pytest.raises(StudyError, match="'Mansaf'"):
            export(p, "csv", tmp_path / "b.csv", ExportOptions())


def test_a_capital_leaning_on_its_own_row_and_on_the_transcript(
    tmp_path: Path, target: str
) -> None:
    with open_project(_study(target)) as p:
        both, _ = add_memo(p, "They shared Maqluba, and maqluba again on Sunday.")
        export(p, "csv", tmp_path / "a.csv", ExportOptions())
        assert _spent(p)
        edit_memo(p, both.id, text="They shared Maqluba on Sunday.")
        with pytest.raises(StudyError, match="'Maqluba'"):
            export(p, "csv", tmp_path / "b.csv", ExportOptions())
        # a lower-case spelling in the transcript (an utterance changed) makes it no name again
        edit_utterance(p, "I1", 1, text="We ate bread and maqluba and waited at the camp.")
        export(p, "csv", tmp_path / "c.csv", ExportOptions())
        assert _spent(p)
        edit_utterance(p, "I1", 1, text="We ate bread and waited at the camp.")
        with pytest.raises(StudyError, match="'Maqluba'"):
            export(p, "csv", tmp_path / "d.csv", ExportOptions())


def test_a_participant_name_added_to_the_list_is_found_in_text_nobody_changed(
    tmp_path: Path,
    target: str,
) -> None:
    with open_project(_study(target)) as p:
        add_memo(p, "she said her sister rania brought the papers.")
        export(p, "csv", tmp_path / "a.csv", ExportOptions())
        set_attribute(p, "P01", "first_name", "Rania")
        with pytest.raises(StudyError, match="'rania' \\(a name from the participant list"):
            export(p, "csv", tmp_path / "b.csv", ExportOptions())


def test_more_changes_than_the_log_holds_mean_reading_everything(
    tmp_path: Path, target: str
) -> None:
    with open_project(_study(target)) as p:
        with p.session() as s:  # one transaction, plain SQL: past the log's limit
            for i in range(text_changes.ROW_LOG_LIMIT + 10):
                s.execute(insert(Memo).values(text=f"note {i}", guid=f"g{i}"))
            s.execute(insert(Memo).values(text="and later Yusuf came.", guid="g-last"))
        assert text_changes.since(p, text_changes.NO_KEY, gate.RULES) is None
        with pytest.raises(StudyError, match="'Yusuf'"):
            export(p, "csv", tmp_path / "a.csv", ExportOptions())


WORDS = ["bread", "camp", "tent", "night", "waited", "the", "and", "we", "papers"]
CAPITALS = [a + b for a in ("Ma", "Ka", "Zu", "Ta", "Ha") for b in ("nsaf", "qlu", "feh", "tarb")]
"""Made-up words: none is common, so each is a name unless written in lower case somewhere."""
NAMES = ["Zubaida", "Yusuf", "Hiba", "Samer"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(3, 7))]
    for _ in range(rng.randint(0, 2)):
        pick = rng.random()
        word = rng.choice(CAPITALS)
        if pick < 0.45:
            # as the finder reads words: 'word and -word are the word, x'word and more-word not
            word = rng.choice(["", "", "", "'", "’", "-", "x'", "more-"]) + word.lower()
        elif pick < 0.52:
            word = rng.choice(NAMES)
        words.insert(rng.randint(1, len(words)), word + rng.choice(["", "", "", "'s", ","]))
    return "They said " + " ".join(words) + "."


def edits_judged_both_ways(where: str | Path, seed: int, steps: int = 70) -> tuple[int, int]:
    """Random memo edits, additions, deletions and transcript corrections: after each, the
    gate's verdict (from the changed rows when it can) must equal a whole pass's; what stands is
    then dismissed, so the next steps start clear again. Returns how many steps were judged
    from the changed rows, and how many found something standing."""
    rng = random.Random(seed)
    judged_from_rows = refused = 0
    with open_project(_study(where)) as p:
        for step in range(steps):
            memos = list_memos(p)
            action = rng.random()
            if action < 0.4 or not memos:
                add_memo(p, _sentence(rng))
            elif action < 0.7:
                edit_memo(p, rng.choice(memos).id, text=_sentence(rng))
            elif action < 0.85:
                delete_memo(p, rng.choice(memos).id)
            else:
                edit_utterance(p, "I1", rng.randint(0, 2), text=_sentence(rng))
            whole, _ = gate._look_through(p, None)
            found = gate.precheck(p, None)
            assert {w.word for w in found.standing} == {w.word for w in whole.standing}, step
            if found.standing:
                refused += 1
                for standing in found.standing:
                    dismiss_identifier(p, standing.word)
                gate.precheck(p, None)
            elif _spent(p):
                judged_from_rows += 1
    return judged_from_rows, refused


@pytest.mark.parametrize("seed", [16, 18])
def test_reading_changed_rows_finds_what_reading_everything_finds(
    tmp_path: Path, seed: int
) -> None:
    """Seeds 16 and 18 each fail within 10 steps when a word's last lower-case row going is not
    noticed (checked by breaking that check), and did on the first version, which kept no row
    for 'mansaf or -mansaf; 30 seeds agree with the whole pass."""
    judged_from_rows, refused = edits_judged_both_ways(tmp_path / "s.dyad", seed)
    assert judged_from_rows >= 20 and refused >= 5, (judged_from_rows, refused)


def test_reading_changed_rows_on_a_team_server(pg_url: str) -> None:
    """The same on PostgreSQL, where the log names each transaction's rows."""
    judged_from_rows, refused = edits_judged_both_ways(pg_url, 16, steps=40)
    assert judged_from_rows >= 15 and refused >= 3, (judged_from_rows, refused)


def test_an_analysts_changes_are_judged_from_their_rows(
    team_url: str,  # noqa: F811
    make_role: MakeRole,  # noqa: F811
) -> None:
    """An analyst's write logs its rows (the database's function writes the log as the tables'
    owner), and the analyst's gate reads them and clears what it read."""
    with open_project(team_url) as owner:
        _dismiss_all(owner)
        gate.precheck(owner, None)
    with open_project(make_role("analyst")) as p:
        add_memo(p, "The kitchen at the camp ran out of bread.")
        found = gate.precheck(p, None)
        assert found.standing == () and found.kept
        assert _spent(p) == 1
        add_memo(p, "At the camp we met Zubaida twice.")
        with pytest.raises(StudyError, match="'Zubaida'"):
            export(p, "csv", Path(tempfile.mkdtemp()) / "out.csv", ExportOptions())


def test_a_verdict_recorded_since_the_look_is_not_written_over(target: str) -> None:
    """Two analysts' gates at once: the one that looked first and records last would write
    over a verdict that cleared changes its own pass did not read (its rows kept would then
    miss them); it leaves the other's verdict, and the changes it saw stay logged."""
    with open_project(_study(target)) as p, open_project(target) as colleague:
        add_memo(p, "The kitchen at the camp ran out of bread.")
        seen = text_changes.look(p)
        assert seen is not None
        add_memo(colleague, "We waited at the camp for the papers.")
        gate.precheck(colleague, None)
        since = text_changes.since(p, text_changes.NO_KEY, gate.RULES)
        assert since is not None and since.rows == {}
        assert not text_changes.clear(p, seen, text_changes.NO_KEY, gate.RULES, "{}")
        after = text_changes.since(p, text_changes.NO_KEY, gate.RULES)
        assert after is not None and after.witnesses == since.witnesses


def _words(found: Sequence[gate.Watched]) -> list[str]:
    return sorted(w.word for w in found)


def test_two_gates_recording_at_once_on_a_team_server(pg_url: str) -> None:
    """With no verdict yet, two passes each found none when they looked; the second to record
    waits for the first (an advisory lock) and then leaves its verdict, whose rows kept saw the
    changes the first cleared from the log. (A third review forced this interleaving: the
    second wrote over the first, and a name went through later.)"""
    _study(pg_url)
    with open_project(pg_url) as a, open_project(pg_url) as b, open_project(pg_url) as w:
        text_changes.forget(a)
        add_memo(w, "A first note about bread.")  # a change both passes will clear
        seen_b = text_changes.look(b)
        found_b, kept_b = gate._look_through(b, None)
        assert seen_b is not None and not found_b.standing
        info, _ = add_memo(w, "The rose garden was quiet.")
        edit_utterance(w, "I1", 1, text="We ate bread and later met Rose at the camp.")
        seen_a = text_changes.look(a)
        found_a, kept_a = gate._look_through(a, None)
        assert seen_a is not None and not found_a.standing
        result: dict[str, object] = {}

        def b_records() -> None:
            result["b"] = text_changes.clear(b, seen_b, text_changes.NO_KEY, gate.RULES, kept_b)

        @event.listens_for(a.engine, "after_cursor_execute")
        def between(*args: object) -> None:  # a has written its verdict, not yet committed
            if "INSERT INTO gate_clearance" in str(args[2]) and "t" not in result:
                result["t"] = threading.Thread(target=b_records)
                result["t"].start()
                time.sleep(1.0)

        assert text_changes.clear(a, seen_a, text_changes.NO_KEY, gate.RULES, kept_a)
        event.remove(a.engine, "after_cursor_execute", between)
        thread = result["t"]
        assert isinstance(thread, threading.Thread)
        thread.join()
        assert result["b"] is False
        delete_memo(w, info.id)  # the last lower-case 'rose' goes
        assert _words(gate.precheck(a, None).standing) == ["Rose"]


def test_the_verdict_and_the_log_are_read_as_of_one_moment(pg_url: str) -> None:
    """A colleague's gate recording its verdict (and clearing the log of what it judged)
    between the two reads of ``since`` left the pass with the old verdict and the emptied log;
    both are now read in one snapshot (REPEATABLE READ)."""
    _study(pg_url)
    with open_project(pg_url) as a, open_project(pg_url) as b, open_project(pg_url) as w:
        info, _ = add_memo(w, "The rose garden was quiet.")
        edit_utterance(w, "I1", 1, text="We ate bread and later met Rose at the camp.")
        seen_b = text_changes.look(b)
        since_b = text_changes.since(b, text_changes.NO_KEY, gate.RULES)
        assert seen_b is not None and since_b is not None
        kept_b = still_clear(b, None, since_b.rows, since_b.witnesses)
        assert kept_b is not None
        delete_memo(w, info.id)  # the last lower-case 'rose' goes
        armed = [True]

        @event.listens_for(a.engine, "after_cursor_execute")
        def between(*args: object) -> None:
            if armed[0] and "FROM gate_clearance" in str(args[2]) and in_since[0]:
                armed[0] = False
                text_changes.clear(b, seen_b, text_changes.NO_KEY, gate.RULES, kept_b)

        in_since = [False]
        original = text_changes.since

        def since(*args: Any, **kwargs: Any) -> text_changes.Since | None:
            in_since[0] = True
            try:
                return original(*args, **kwargs)
            finally:
                in_since[0] = False

        text_changes.since = since  # type: ignore[assignment]
        try:
            found = gate.precheck(a, None)
        finally:
            text_changes.since = original  # type: ignore[assignment]
            event.remove(a.engine, "after_cursor_execute", between)
        assert not armed[0], "the colleague's gate recorded between the reads"
        assert _words(found.standing) == ["Rose"]
