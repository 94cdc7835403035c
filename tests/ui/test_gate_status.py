"""The export gate's verdict in the status bar: worked out once the project has been idle, kept
as the gate keeps it (so the next export only searches its own file), and a refusal names the
word and links to Review identifiers…."""

from __future__ import annotations

from pathlib import Path

from workbench.coding.memos import add_memo
from workbench.exchange import gate
from workbench.storage import text_changes
from workbench.ui.identifiers_dialog import IdentifiersDialog
from workbench.ui.main_window import MainWindow


def _looked(window: MainWindow, qtbot) -> gate.Precheck:
    status = window.gate_status
    status.timer.setInterval(10)  # idle at once, for the test
    status.changed(window.project)
    qtbot.waitUntil(lambda: status.verdict is not None and status.task is None, timeout=20_000)
    assert status.verdict is not None
    return status.verdict


def test_the_status_bar_says_whether_an_export_would_be_refused(
    window: MainWindow, demo_like: Path, qtbot
) -> None:
    assert window.open_location(str(demo_like))
    status = window.gate_status
    assert status.label.isVisible() and status.label.text() == "Exports: not checked yet"

    verdict = _looked(window, qtbot)
    assert verdict.standing == () and verdict.kept
    # No key beside the project: the label says what was not looked for, and is not green.
    assert status.label.text() == ("Exports: no suggestion in the way (not checked against a key)")
    assert "No pseudonymisation key was found" in status.label.toolTip()
    assert window.project is not None
    # The verdict is the gate's own: the next export does not look through the project again.
    assert text_changes.cleared(window.project, text_changes.NO_KEY, gate.RULES)
    # Its write is the window's own, not a colleague's commit to show.
    assert window.watcher is not None and window.watcher.changes() == set()

    add_memo(
        window.project, "She said Hiba and Samer drove them to the border.", about="interview:P01-b"
    )
    window.refresh()
    status.verdict = None
    verdict = _looked(window, qtbot)
    assert {w.word for w in verdict.standing} == {"Hiba", "Samer"}
    text = status.label.text()
    assert "Exports refused" in text and "and 1 more" in text and "Review identifiers" in text
    assert "a suggested identifier nobody reviewed" in status.label.toolTip()

    status.label.linkActivated.emit("review")
    qtbot.waitUntil(lambda: window.findChild(IdentifiersDialog) is not None, timeout=5_000)
    dialog = window.findChild(IdentifiersDialog)
    assert dialog is not None
    dialog.close()


def test_closing_the_window_while_the_gate_looks_waits_for_it(
    window: MainWindow, demo_like: Path, qtbot
) -> None:
    assert window.open_location(str(demo_like))
    window.gate_status.look()
    assert window.gate_status.task is not None
    window.close()  # the project closes only once the pass has ended
    assert window.gate_status.task is None


def test_with_the_key_beside_the_project_nothing_in_the_way_is_said_in_green(
    window: MainWindow, demo_like: Path, qtbot
) -> None:
    from workbench.coding.redaction import redact
    from workbench.storage.project import open_project

    with open_project(demo_like) as p:
        redact(p, "[feeling]", everywhere="sleep")  # a key beside the project file
    assert window.open_location(str(demo_like))
    verdict = _looked(window, qtbot)
    assert verdict.standing == () and verdict.notes == ()
    assert "Exports: nothing in the way" in window.gate_status.label.text()
    assert "#2f6b3b" in window.gate_status.label.text()


def test_the_key_the_analyst_pointed_to_is_the_one_the_window_checks_with(
    window: MainWindow, demo_like: Path, tmp_path: Path, qtbot
) -> None:
    """A key kept apart from the project (as a team's is, behind a key holder's login): once
    the analyst has said where it is, the status bar and the window's exports use it."""
    from workbench.coding.redaction import redact
    from workbench.storage.project import open_project
    from workbench.ui.key_location import remember, remembered

    elsewhere = tmp_path / "apart" / "study.dyadkey"
    elsewhere.parent.mkdir()
    with open_project(demo_like) as p:
        redact(p, "[feeling]", everywhere="sleep", key_path=str(elsewhere))
        add_memo(p, "He did not sleep at all that week.", about="interview:P01-b")
    assert window.open_location(str(demo_like))
    assert remembered(window.project) is None
    _looked(window, qtbot)
    assert "not checked against a key" in window.gate_status.label.text()
    out = tmp_path / "segments.csv"
    assert window.export_to("csv", out)
    qtbot.waitUntil(lambda: window.task is None, timeout=60_000)
    assert out.exists()  # without the key, the words it holds were not looked for

    assert window.project is not None
    remember(window.project, str(elsewhere))  # as Review identifiers… does when asked
    window.gate_status.verdict = None
    verdict = _looked(window, qtbot)
    assert [w.word for w in verdict.standing] == ["sleep"]
    assert "Exports refused: “sleep”" in window.gate_status.label.text()
    out.unlink()
    assert window.export_to("csv", out)
    qtbot.waitUntil(lambda: window.task is None, timeout=60_000)
    assert not out.exists()  # refused: the key's word stands in the memo
