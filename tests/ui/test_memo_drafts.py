"""A memo being written is never lost: a refresh keeps it, moving on saves it where it was being
written, and a colleague's newer words are kept beside it rather than overwritten."""

from __future__ import annotations

from pathlib import Path

from workbench.coding.memos import edit_memo, list_journal, list_memos
from workbench.storage.project import open_project
from workbench.ui.main_window import MainWindow

ABOUT = "interview:P01-b"


def _opened(window: MainWindow, path: Path) -> None:
    assert window.open_location(str(path))
    window.open_interview("P01-b")
    assert window.memos.about.text() == ABOUT


def _texts(path: Path) -> list[str]:
    with open_project(path) as p:
        return sorted(m.text for m in list_memos(p, about=ABOUT))


def test_a_refresh_keeps_the_memo_being_written(window: MainWindow, demo_like: Path) -> None:
    _opened(window, demo_like)
    panel = window.memos
    panel.new()
    panel.text.insertPlainText("Half a thought about sleep")  # as typed
    window.refresh()  # what any change in the project (or a colleague's commit) sets off
    window.refresh()
    assert panel.text.toPlainText() == "Half a thought about sleep"
    assert panel.has_pending()
    assert _texts(demo_like) == []  # kept in the box, not saved behind the analyst's back


def test_moving_on_saves_the_memo_where_it_was_written(window: MainWindow, demo_like: Path) -> None:
    _opened(window, demo_like)
    panel = window.memos
    panel.new()
    panel.text.insertPlainText("Sleep comes up before I ask")
    panel.scope.setCurrentIndex(3)  # the journal
    assert _texts(demo_like) == ["Sleep comes up before I ask"]  # about the interview
    assert panel.text.toPlainText() == ""
    panel.text.insertPlainText("I looked for improvement")
    window.close()  # closing the window saves it too
    with open_project(demo_like) as p:
        assert [j.text for j in list_journal(p)] == ["I looked for improvement"]


def test_choosing_another_memo_saves_the_one_being_edited(
    window: MainWindow, demo_like: Path
) -> None:
    _opened(window, demo_like)
    panel = window.memos
    for text in ("First memo", "Second memo"):
        panel.new()
        panel.text.insertPlainText(text)
        assert panel.save()
    first = next(r for r in range(panel.list.count()) if "First" in panel.list.item(r).text())
    panel.list.setCurrentRow(first)
    panel.text.moveCursor(panel.text.textCursor().MoveOperation.End)
    panel.text.insertPlainText(", and more")
    second = next(r for r in range(panel.list.count()) if "Second" in panel.list.item(r).text())
    panel.list.setCurrentRow(second)
    assert _texts(demo_like) == ["First memo, and more", "Second memo"]
    assert panel.text.toPlainText() == "Second memo"  # the one chosen, shown
    assert not panel.has_pending()


def test_a_colleagues_newer_words_are_kept_beside_the_analysts(
    window: MainWindow, demo_like: Path
) -> None:
    _opened(window, demo_like)
    panel = window.memos
    panel.new()
    panel.text.insertPlainText("Nights are the worst")
    assert panel.save()
    panel.list.setCurrentRow(0)
    panel.text.moveCursor(panel.text.textCursor().MoveOperation.End)
    panel.text.insertPlainText(" (baseline)")
    with open_project(demo_like) as colleague:  # another analyst edits the same memo
        (memo,) = list_memos(colleague, about=ABOUT)
        edit_memo(colleague, memo.id, text="Nights are the worst, says P01", coder="colleague")
    panel.scope.setCurrentIndex(2)  # the project: moving on saves
    assert _texts(demo_like) == [
        "Nights are the worst (baseline)",
        "Nights are the worst, says P01",
    ]


def test_choosing_a_code_while_writing_about_the_interview_keeps_the_memo_open(
    window: MainWindow, demo_like: Path
) -> None:
    _opened(window, demo_like)
    panel = window.memos
    panel.new()
    panel.text.insertPlainText("Half a thought")
    panel.set_context(code="Sleep")  # the code tree's selection: not this memo's target
    assert panel.text.toPlainText() == "Half a thought" and panel.has_pending()
    assert _texts(demo_like) == []
    panel.scope.setCurrentIndex(1)  # the selected code: now the target changes
    assert _texts(demo_like) == ["Half a thought"]


def _typing_a_definition(window: MainWindow, path: Path) -> None:
    """The code Sleep chosen in the code tree, its definition being typed."""
    from workbench.coding.codebook import add_code

    with open_project(path) as p:
        add_code(p, "Sleep")
    _opened(window, path)
    window.code_tree.refresh()
    window.code_tree.select_path("Sleep")
    window.code_tree.definition.insertPlainText("Any talk of nights")


def test_closing_the_window_saves_a_definition_being_typed(
    window: MainWindow, demo_like: Path
) -> None:
    from workbench.coding.codebook import list_codes

    _typing_a_definition(window, demo_like)
    window.close()
    with open_project(demo_like) as p:
        assert {c.path: c.definition for c in list_codes(p)}["Sleep"] == "Any talk of nights"


def test_closing_asks_about_a_definition_a_colleague_refused(
    window: MainWindow, demo_like: Path, monkeypatch
) -> None:
    from workbench.coding.codebook import list_codes, update_code
    from workbench.ui import unsaved

    _typing_a_definition(window, demo_like)
    with open_project(demo_like) as colleague:
        update_code(colleague, "Sleep", definition="Theirs")
    asked: list[str] = []
    monkeypatch.setattr(unsaved, "ask", lambda _p, items, _w: asked.extend(items) or "save")
    assert window.close()
    assert asked == ["your definition of the code “Sleep”"]
    with open_project(demo_like) as p:
        assert {c.path: c.definition for c in list_codes(p)}["Sleep"] == "Any talk of nights"
