"""File ▸ Review identifiers…: the window reviews what the export gate asks about, as the
command line does (redact everywhere, or dismiss), and the gate's refusal says where."""

from __future__ import annotations

from pathlib import Path

from workbench.coding.identifiers import dismissed_words
from workbench.coding.memos import add_memo, list_memos
from workbench.coding.transcripts import interview_text
from workbench.storage.project import open_project
from workbench.ui.identifiers_dialog import IdentifiersDialog
from workbench.ui.main_window import MainWindow


def _dialog(qtbot, window: MainWindow, path: Path) -> IdentifiersDialog:
    with open_project(path) as p:
        add_memo(p, "After the session she met Zarifa and Yonatan at the clinic.")
    assert window.open_location(str(path))
    dialog = window.review_identifiers()
    assert dialog is not None
    qtbot.addWidget(dialog)
    _settled(qtbot, dialog)
    return dialog


def _settled(qtbot, dialog: IdentifiersDialog) -> None:
    """The project looked through (or redacted) off the event loop: wait for it."""
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=20_000)


def _choose(dialog: IdentifiersDialog, word: str) -> None:
    words = [c.text for c in dialog.shown()]
    dialog.table.selectRow(words.index(word))
    assert [c.text for c in dialog.selected()] == [word]


def test_the_gate_refusal_points_to_the_review(qtbot, window: MainWindow, demo_like: Path) -> None:
    with open_project(demo_like) as p:
        add_memo(p, "After the session she met Zarifa at the clinic.")
    assert window.open_location(str(demo_like))
    window.export_to("csv", demo_like.parent / "out.csv")
    qtbot.waitUntil(lambda: window.task is None, timeout=20_000)
    said = window.page.notice.text()
    assert "'Zarifa' (a suggested identifier nobody reviewed" in said
    assert "File ▸ Review identifiers… lists them" in said
    assert not (demo_like.parent / "out.csv").exists()


def test_names_are_listed_dismissed_and_redacted_everywhere(
    qtbot, window: MainWindow, demo_like: Path
) -> None:
    dialog = _dialog(qtbot, window, demo_like)
    listed = {c.text: c for c in dialog.shown()}
    assert listed["Zarifa"].kind == "name" and listed["Zarifa"].count == 1
    assert dialog.table.item([c.text for c in dialog.shown()].index("Zarifa"), 0).font().bold()
    assert "refusing exports" in dialog.windowTitle()
    assert not dialog.redact_button.isEnabled()  # nothing chosen, no placeholder

    _choose(dialog, "Yonatan")
    dialog.dismiss_button.click()
    _settled(qtbot, dialog)
    assert dialog.status.text() == "Dismissed as not identifying: Yonatan"
    assert "Yonatan" not in [c.text for c in dialog.shown()]  # only the unreviewed are shown
    with open_project(demo_like) as p, p.session(write=False) as s:
        assert dismissed_words(s) == ["Yonatan"]

    _choose(dialog, "Zarifa")
    (line,) = dialog.context.toPlainText().splitlines()  # read where it stands
    assert line.startswith("memo ") and "she met Zarifa and Yonatan at the clinic" in line
    dialog.placeholder.setText("[a friend]")
    assert dialog.redact_button.isEnabled()
    dialog.redact_button.click()
    assert dialog.busy() and not dialog.table.isEnabled()  # off the event loop, table waits
    _settled(qtbot, dialog)
    assert "Redacted 'Zarifa' as [a friend]" in dialog.status.text()
    assert "Zarifa" not in [c.text for c in dialog.candidates]
    with open_project(demo_like) as p:
        (memo,) = list_memos(p)
        assert memo.text == "After the session she met [a friend] and Yonatan at the clinic."
        assert "Zarifa" not in interview_text(p, "P01-b")
    assert demo_like.with_suffix(".dyadkey").exists()  # the original is in the key
    assert window.undo_action.text() == "&Undo redact as [a friend]"
    window.undo.undo()  # with the key beside the project
    with open_project(demo_like) as p:
        assert "met Zarifa and" in list_memos(p)[0].text


def test_an_accepted_identifier_still_in_the_text_is_shown_as_refusing(
    qtbot, window: MainWindow, demo_like: Path
) -> None:
    from workbench.coding.identifiers import accept_identifier

    with open_project(demo_like) as p:
        accept_identifier(p, "Zarifa")  # accepted on the command line, never redacted
    dialog = _dialog(qtbot, window, demo_like)
    assert dialog.unreviewed_only.isChecked()
    shown = dialog.shown()
    at = [(c.text, c.kind, c.reviewed) for c in shown].index(("Zarifa", "known", "accepted"))
    assert dialog.table.item(at, 0).font().bold()
    assert dialog.table.item(at, 1).text() == "accepted before: redact it"


def test_a_name_in_arabic_is_found_once_watched_for_and_redacted_after_and(
    qtbot, window: MainWindow, demo_like: Path
) -> None:
    rana = "رنا"
    with open_project(demo_like) as p:
        add_memo(p, "P01 said: الأولاد بالمدرسة، و" + rana + " بالكورس")
    dialog = _dialog(qtbot, window, demo_like)
    assert rana not in [c.text for c in dialog.candidates]  # no capital gives it away
    assert dialog.watch_button.isEnabled()
    assert dialog.watch([rana, " "])
    assert not dialog.watch_button.isEnabled()  # off the event loop
    _settled(qtbot, dialog)
    assert "Watching for 1 more word(s), kept in the key" in dialog.status.text()
    assert "1 stand in the text and refuse exports until reviewed" in dialog.status.text()
    at = [c.text for c in dialog.shown()].index(rana)
    assert dialog.table.item(at, 0).font().bold()
    assert dialog.table.item(at, 1).text() == "on your watch list"
    _choose(dialog, rana)
    dialog.placeholder.setText("[P01's wife]")
    dialog.redact_button.click()
    _settled(qtbot, dialog)
    with open_project(demo_like) as p:
        assert any("و[P01's wife] بالكورس" in m.text for m in list_memos(p))
    assert rana not in [c.text for c in dialog.candidates]
    with open_project(demo_like) as p:
        assert p.path is not None
        assert rana.encode() not in p.path.read_bytes()


def test_a_refusal_for_the_file_alone_does_not_point_to_the_review(
    qtbot, window: MainWindow, demo_like: Path
) -> None:
    from workbench.coding.redaction import redact

    with open_project(demo_like) as p:
        add_memo(p, "After the session she met Zarifa at the clinic.")
        redact(p, "[a friend]", everywhere="Zarifa")
    assert window.open_location(str(demo_like))
    window.export_to("csv", demo_like.parent / "for-Zarifa.csv")
    qtbot.waitUntil(lambda: window.task is None, timeout=20_000)
    said = window.page.notice.text()
    assert "'Zarifa' (a redacted original" in said and "the file name for-Zarifa.csv" in said
    assert "Review identifiers" not in said  # the project holds nothing to review: rename it


def test_an_accepted_identifier_left_in_the_text_points_to_the_review(
    qtbot, window: MainWindow, demo_like: Path
) -> None:
    from workbench.coding.redaction import accept_identifier, redact

    with open_project(demo_like) as p:
        add_memo(p, "After the session she met Zarifa at the clinic.")
        redact(p, "[an activity]", everywhere="sleep")  # a key beside the project
        accept_identifier(p, "Zarifa")  # accepted, never redacted
    assert window.open_location(str(demo_like))
    window.export_to("csv", demo_like.parent / "out.csv")
    qtbot.waitUntil(lambda: window.task is None, timeout=20_000)
    said = window.page.notice.text()
    assert "still holds 'Zarifa' (an accepted identifier" in said
    assert "File ▸ Review identifiers… lists them" in said  # listed there: "redact it"


def test_the_watch_list_is_edited_in_place(
    qtbot, window: MainWindow, demo_like: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from workbench.coding.watchlist import watch_words, watched_words

    with open_project(demo_like) as p:
        add_memo(p, "Nadia phoned; Samir did not.")
        watch_words(p, ["Nadia", "Zed"])
    dialog = _dialog(qtbot, window, demo_like)
    shown: list[str] = []

    def edit(_parent, _title, _label, text):
        shown.append(text)
        return "Nadia\nSamir\n", True  # Zed taken out, Samir added

    monkeypatch.setattr(QInputDialog, "getMultiLineText", edit)
    dialog.watch_button.click()
    _settled(qtbot, dialog)
    assert shown == ["Nadia\nZed"]  # the list as it stands, to edit
    said = dialog.status.text()
    assert said.startswith("Watching for 1 more word(s), kept in the key")
    assert "no longer watched for: Zed." in said
    with open_project(demo_like) as p:
        assert watched_words(p)[0] == ["Nadia", "Samir"]
    assert {"Nadia", "Samir"} <= {c.text for c in dialog.shown() if c.kind == "listed"}
