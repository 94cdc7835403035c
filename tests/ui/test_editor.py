"""The transcript editor driven through the real main window: create, import, play, code by
keyboard, undo and redo, correct the text — every result read back from the project."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtMultimedia import QMediaPlayer

from workbench.coding.codings import list_codings
from workbench.coding.transcripts import utterances
from workbench.domain.coding import CodeInfo
from workbench.domain.positions import PositionMap, codepoint_to_utf16
from workbench.ui.app import settle_heap
from workbench.ui.editor import assign_lanes
from workbench.ui.main_window import MainWindow
from workbench.ui.quick_code import rank_codes

DATA = Path(__file__).parents[1] / "data"
PRIMOCK = DATA / "transcripts" / "primock57"
CLIP = DATA / "audio" / "sr_english_one_two_three.wav"


def _study_with_primock(window: MainWindow, tmp_path: Path) -> None:
    assert window.create_project(str(tmp_path / "study.dyad"), "Editor study", ["baseline"])
    assert window.add_interview(
        {
            "key": "day1",
            "wave": "baseline",
            "patient": "P01",
            "clinician": "C01",
            "media": str(CLIP),
        }
    )
    assert window.page.interview == "day1"
    assert window.import_transcript(
        [
            PRIMOCK / "day1_consultation01_doctor.TextGrid",
            PRIMOCK / "day1_consultation01_patient.TextGrid",
        ]
    ), window.page.notice.text()


def test_create_import_play_code_by_keyboard_undo_redo(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    _study_with_primock(window, tmp_path)
    project = window.project
    assert project is not None
    rows = utterances(project, "day1")
    editor = window.editor
    assert len(editor.rows) == len(rows) > 20
    assert editor.toPlainText() == "\n".join(r.text for r in rows)
    assert "Imported" in window.page.notice.text()

    # Play and seek: the player runs on a wall clock even without a sound device.
    audio = window.page.audio
    qtbot.waitUntil(lambda: audio.player.duration() > 2000, timeout=5000)
    audio.seek(1000)
    qtbot.waitUntil(lambda: audio.player.position() >= 1000, timeout=3000)
    qtbot.keyClick(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: audio.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState,
        timeout=3000,
    )
    qtbot.waitUntil(lambda: audio.player.position() > 1200, timeout=3000)
    qtbot.keyClick(editor, Qt.Key.Key_F4)  # the transcription key pauses
    qtbot.waitUntil(
        lambda: audio.player.playbackState() != QMediaPlayer.PlaybackState.PlayingState,
        timeout=3000,
    )

    # Select the first two words of the second utterance by keyboard alone, and code them.
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.Start)
    qtbot.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.NoModifier)
    qtbot.keyClick(editor, Qt.Key.Key_Home)
    for _ in range(2):
        qtbot.keyClick(
            editor,
            Qt.Key.Key_Right,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    span = editor.selection_span()
    assert span is not None
    start, end = span
    selected = editor.toPlainText()[start:end]
    assert selected.strip()
    qtbot.keyClick(editor, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    box = window.page.quick
    assert box.isVisible()
    qtbot.keyClicks(box.line, "opening")
    assert box.list.currentItem().text() == "＋ New code “opening”"
    qtbot.keyClick(box.line, Qt.Key.Key_Return)

    codings = list_codings(project, interview="day1")
    assert [(c.code, c.start, c.end, c.text) for c in codings] == [
        ("opening", start, end, selected)
    ]
    assert [(s.code, s.start, s.end) for s in editor.stripes] == [("opening", start, end)]
    stripe_rect = editor._stripe_rect(editor.stripes[0])
    assert stripe_rect.height() > 0 and editor.stripe_at(stripe_rect.center()) is not None

    # Undo and redo by keyboard: the same history the command line walks.
    window.activateWindow()
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert list_codings(project, interview="day1") == []
    assert editor.stripes == []
    window.redo_action.trigger()
    assert [c.text for c in list_codings(project, interview="day1")] == [selected]
    assert len(editor.stripes) == 1

    # Found in the retrieval pane from the code tree; double-click jumps back to it.
    window.code_tree.select_path("opening")
    qtbot.waitUntil(lambda: window.retrieval.model.rowCount() == 1, timeout=3000)
    editor.select_utterance(5)
    listing = window.retrieval.list
    first = window.retrieval.model.index(0, 0)
    listing.setCurrentIndex(first)
    listing.setFocus()
    qtbot.keyClick(listing, Qt.Key.Key_Return)  # as a double-click: the item is activated
    assert editor.selection_span() == (start, end)

    # Dragging the code from the code tree onto a selection codes it too.
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDropEvent

    tree = window.code_tree.model
    editor.select_utterance(2)
    third = editor.selection_span()
    mime = tree.mimeData([tree.index_of("opening")])
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction | Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    editor.dropEvent(drop)
    assert drop.dropAction() == Qt.DropAction.CopyAction
    assert [(c.start, c.end) for c in list_codings(project, interview="day1")][-1] == third
    window.undo_action.trigger()

    # The code is now known: a second coding by type-ahead with recent codes first.
    editor.select_utterance(0)
    qtbot.keyClick(editor, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert box.list.item(0).text() == "★ opening"
    qtbot.keyClick(box.line, Qt.Key.Key_Return)
    assert len(list_codings(project, interview="day1")) == 2


def test_corrections_follow_the_core_and_codings_keep_their_words(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    _study_with_primock(window, tmp_path)
    project = window.project
    assert project is not None
    editor = window.editor
    page = window.page
    first = editor.rows[1].text
    words = first.split()
    # Code the last word of utterance 1, then type a new word in front of the first one.
    base = editor.toPlainText().index(first)
    last = base + first.rindex(words[-1])
    editor.select_span(last, last + len(words[-1]))
    assert page.apply("last word", create=True)
    editor.setFocus()
    editor.select_span(base, base)
    qtbot.keyClicks(editor, "Well ")
    assert editor.has_pending_edit()
    qtbot.keyClick(editor, Qt.Key.Key_Down)  # leaving the utterance commits it
    assert utterances(project, "day1")[1].text == "Well " + first
    (coding,) = list_codings(project, interview="day1")
    assert coding.text == words[-1]
    assert coding.start == last + len("Well ")

    # Enter splits at the cursor; Backspace at the start merges back.
    count = len(editor.rows)
    at = base + len("Well ") + len(words[0]) + 1
    editor.select_span(at, at)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert len(utterances(project, "day1")) == count + 1
    assert utterances(project, "day1")[2].text.startswith(words[1])
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert len(utterances(project, "day1")) == count
    assert list_codings(project, interview="day1")[0].text == words[-1]

    # A refused change is explained in the window and leaves the text as stored.
    speakers = [r.speaker for r in editor.rows]
    different = next(i for i in range(len(speakers) - 1) if speakers[i] != speakers[i + 1])
    start_next = sum(len(r.text) + 1 for r in editor.rows[: different + 1])
    editor.select_span(start_next, start_next)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert "same speaker" in page.notice.text()
    assert editor.toPlainText() == "\n".join(r.text for r in utterances(project, "day1"))

    # Verified while listening: Ctrl+M marks the utterance the cursor is in.
    qtbot.keyClick(editor, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert "verified" in utterances(project, "day1")[different + 1].flags


def test_selection_across_utterances_is_not_typed_over(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    _study_with_primock(window, tmp_path)
    editor = window.editor
    before = editor.toPlainText()
    editor.setFocus()
    editor.select_span(2, len(editor.rows[0].text) + 4)
    qtbot.keyClicks(editor, "x")
    assert editor.toPlainText() == before
    assert "one utterance at a time" in window.page.notice.text()


def test_transcribing_from_the_window_keeps_the_event_loop_free(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    assert window.create_project(str(tmp_path / "t.dyad"), "Audio study", ["baseline"])
    assert window.add_interview(
        {"key": "a1", "wave": "baseline", "patient": "P01", "media": str(CLIP)}
    )
    # Between two ticks of the probe: the wall time, and the CPU time this process used.
    gaps: list[tuple[float, float]] = []
    last = [time.monotonic(), time.process_time()]

    def tick() -> None:
        now, cpu = time.monotonic(), time.process_time()
        gaps.append((now - last[0], cpu - last[1]))
        last[0], last[1] = now, cpu

    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(tick)
    probe.start()
    settle_heap()  # as the app does once it has started (gen-2 collections otherwise ~150 ms)
    qtbot.wait(300)  # let the window settle: the probe measures the job, not the first paint
    gaps.clear()
    last[0], last[1] = time.monotonic(), time.process_time()
    job = window.page.start_transcription(model="tiny.en")
    assert job is not None and window.page.job_bar.isVisible()
    assert window.grid_model.data(window.grid_model.index(0, 0)) == "transcribing…"
    with qtbot.waitSignal(job.finished, timeout=120_000):
        pass
    probe.stop()
    qtbot.waitUntil(lambda: window.page.job is None, timeout=5000)
    # A stall of the window's own making — work on its thread, or a thread of this process
    # holding the interpreter lock (PyAV probing: ~100 ms; a full GC pass: 130–160 ms) — uses
    # this process's CPU for as long as it lasts. A machine busy with other work only delays the
    # ticks without this process running, so the wall time of a gap has a generous bound (which
    # still fails a window that waits for the job on its own thread).
    worked = max(cpu for _, cpu in gaps)
    longest = max(wall for wall, _ in gaps)
    assert worked < 0.1, f"the event loop stalled for {worked * 1000:.0f} ms of this process's work"
    assert longest < 1.0, f"the event loop stalled for {longest * 1000:.0f} ms"
    text = window.editor.toPlainText().lower()
    assert "one" in text and "three" in text
    assert "segments stored" in window.page.notice.text()

    # While playing, the word under the playhead is highlighted — found in the text as it reads.
    from workbench.coding.transcripts import timed_words

    assert window.project is not None
    words = timed_words(window.project, "a1")
    assert len(words) >= 3
    editor = window.editor
    for w in words:
        editor.set_playhead((w.start_ms + w.end_ms) // 2)
        assert editor.played_text() == editor.rows[w.utterance].text[w.start : w.end]
    assert window.grid_model.data(window.grid_model.index(0, 0)) == "transcribed"


def test_position_map_counts_code_points_against_utf16() -> None:
    text = "ab😀c\nd😀😀e"
    m = PositionMap(text)
    for i in range(len(text) + 1):
        doc = codepoint_to_utf16(text, i)
        assert m.to_document(i) == doc
        assert m.to_interview(doc) == i


def test_codings_added_one_by_one_keep_their_lanes_apart(qtbot) -> None:
    import datetime as dt
    import random

    from workbench.domain.coding import CodingInfo
    from workbench.ui.editor import TranscriptEditor

    editor = TranscriptEditor()
    qtbot.addWidget(editor)
    rng = random.Random(4)
    now = dt.datetime(2026, 1, 1)

    def coding(i: int) -> CodingInfo:
        start = rng.randrange(0, 5000)
        return CodingInfo(
            str(i), "i", f"c{i % 7}", start, start + rng.randint(5, 400), "", None, now, None, False
        )

    codings = [coding(i) for i in range(400)]
    editor.set_codings(codings[:200], {})
    for c in codings[200:]:
        editor.add_coding(c, {"c1": "#ff0000"})
    assert len(editor.stripes) == 400
    for lane in editor._lanes.by_lane:
        for a, b in itertools.pairwise(lane):
            assert a.end <= b.start
    for lane, starts in zip(editor._lanes.by_lane, editor._lanes.lane_starts, strict=True):
        assert starts == [s.start for s in lane]


def test_lanes_never_overlap_and_quick_code_ranks_recent_first() -> None:
    import datetime as dt

    from workbench.domain.coding import CodingInfo

    now = dt.datetime(2026, 1, 1)
    spans = [(0, 10), (2, 5), (5, 12), (11, 20), (3, 4)]
    codings = [
        CodingInfo(str(i), "i", f"c{i}", a, b, "", None, now, None, False)
        for i, (a, b) in enumerate(spans)
    ]
    placed = assign_lanes(codings)
    for c, lane in placed:
        for d, other in placed:
            if c is not d and lane == other:
                assert c.end <= d.start or d.end <= c.start
    assert max(lane for _, lane in placed) == 2

    def code(path: str) -> CodeInfo:
        name = path.rsplit(" / ", 1)[-1]
        return CodeInfo(name, path, None, None, None, None, None, now, 0)

    codes = [code("Sleep"), code("Safety / sleeping rough"), code("Trust"), code("Asylum")]
    assert rank_codes(codes, ["Trust"], "") == [
        "Trust",
        "Asylum",
        "Safety / sleeping rough",
        "Sleep",
    ]
    # Names that start with the letters come before paths that merely contain them.
    assert rank_codes(codes, [], "s") == ["Safety / sleeping rough", "Sleep", "Asylum", "Trust"]
    assert rank_codes(codes, [], "ROU") == ["Safety / sleeping rough"]


def test_speaker_renders_and_flags_from_the_utterance_menu(
    window: MainWindow, tmp_path: Path
) -> None:
    _study_with_primock(window, tmp_path)
    project = window.project
    assert project is not None
    page = window.page
    first = utterances(project, "day1")[0]
    other = "P01" if first.speaker != "P01" else "C01"
    page._utterance_action(0, f"speaker:{other}")
    assert utterances(project, "day1")[0].speaker == other
    assert window.editor.rows[0].speaker == other
    page._utterance_action(0, "renders:" + ("C01" if other == "P01" else "P01"))
    assert utterances(project, "day1")[0].renders in ("C01", "P01")
    page._utterance_action(0, "renders:")
    assert utterances(project, "day1")[0].renders is None
    window.undo_action.trigger()
    assert utterances(project, "day1")[0].renders is not None


def test_a_machine_translation_is_shown_beside_the_original(
    window: MainWindow, tmp_path: Path
) -> None:
    from workbench.coding.transcripts import append_transcription

    assert window.create_project(str(tmp_path / "t.dyad"), "Translated", ["baseline"])
    assert window.add_interview({"key": "a1", "wave": "baseline", "patient": "P01"})
    project = window.project
    assert project is not None

    def row(start: int, text: str, translation: str | None) -> dict[str, object]:
        return {
            "speaker": "P01",
            "start_ms": start,
            "end_ms": start + 900,
            "text": text,
            "language": "ar",
            "needs_review": False,
            "untranscribed_speech": False,
            "translation": translation,
        }

    append_transcription(
        project,
        "a1",
        [row(0, "لا أستطيع النوم", "I cannot sleep"), row(1000, "نعم", None)],
        [[], []],
        model="base",
    )
    window.page.reload()
    editor = window.editor
    assert editor.toPlainText() == "لا أستطيع النوم\nنعم"  # the original, untouched
    editor.select_span(2, 2)
    assert not window.page.translation.isHidden()
    assert window.page.translation.text() == "en (machine translation): I cannot sleep"
    editor.select_span(17, 17)
    assert window.page.translation.text() == "No translation of this utterance."


def test_the_transcribe_dialog_offers_what_the_job_takes(qtbot) -> None:
    from workbench.ui.dialogs import TranscribeDialog

    arabic = TranscribeDialog("ar")
    qtbot.addWidget(arabic)
    arabic.translate.setChecked(True)
    arabic.speakers.setValue(2)
    model, language, options = arabic.values()
    assert (model, language) == ("base", "ar")  # a language tiny.en cannot hear picks base
    assert options["translate"] and options["expected_speakers"] == 2
    english = TranscribeDialog(None)
    qtbot.addWidget(english)
    english.translate.setChecked(True)
    english.english.setChecked(True)
    model, language, options = english.values()
    assert (model, language) == ("tiny.en", None)
    assert not english.translate.isEnabled() and options["translate"] is False
    assert options["language_check"] is False and "expected_speakers" not in options
    english.model.setCurrentIndex(1)
    assert english.values()[1] == "auto"  # base without a language: each turn its own
