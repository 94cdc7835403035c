"""File ▸ Withdraw a participant…: the window withdraws consent as ``workbench withdraw`` does,
only once the analyst typed the id, and shows the receipt."""

from __future__ import annotations

from pathlib import Path

from workbench.coding.memos import add_memo, list_memos
from workbench.coding.study import list_interviews, list_participants
from workbench.storage.project import open_project
from workbench.ui.main_window import MainWindow


def test_withdrawing_needs_the_id_typed_then_removes_them_and_shows_the_receipt(
    qtbot, window: MainWindow, demo_like: Path
) -> None:
    with open_project(demo_like) as p:
        add_memo(p, "P01 slept badly all winter; R01 asked twice.")
    assert window.open_location(str(demo_like))
    window.open_interview("P01-b")
    dialog = window.withdraw_participant()
    assert dialog is not None
    qtbot.addWidget(dialog)
    ids = [dialog.person.itemData(i) for i in range(dialog.person.count())]
    assert ids == ["C01", "P01", "R01"]
    assert not dialog.withdraw_button.isEnabled()  # nobody chosen
    dialog.person.setCurrentIndex(ids.index("P01"))
    dialog.confirm.setText("P0")
    assert not dialog.withdraw_button.isEnabled()  # not the id yet
    dialog.confirm.setText("P01")
    assert dialog.withdraw_button.isEnabled()
    dialog.withdraw_button.click()
    assert dialog.busy() and not dialog.withdraw_button.isEnabled()  # off the event loop
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=30_000)

    receipt = dialog.receipt.toPlainText()
    assert receipt.startswith("Withdrawal receipt for participant P01")
    assert "interviews deleted: P01-b" in receipt
    assert "memo " in receipt  # the memo naming them, by the id `memo list` prints
    with open_project(demo_like) as p:
        assert [i.id for i in list_participants(p)] == ["C01", "R01"]
        assert list_interviews(p) == []
        assert [m.text for m in list_memos(p)] == [
            "[withdrawn] slept badly all winter; R01 asked twice."
        ]
    assert window.page.interview is None  # their interview, open before, is gone
    assert "P01" not in [dialog.person.itemData(i) for i in range(dialog.person.count())]
    assert not window.undo.stack.canUndo()


def test_a_key_kept_elsewhere_is_chosen_and_loses_their_originals(
    qtbot, window: MainWindow, demo_like: Path, monkeypatch
) -> None:
    import shutil

    from workbench.coding.redaction import redact
    from workbench.ui import withdraw_dialog

    with open_project(demo_like) as p:
        redact(p, "[a word]", everywhere="النوم")  # P01's own word
    elsewhere = demo_like.parent / "safe.dyadkey"
    shutil.move(demo_like.with_suffix(".dyadkey"), elsewhere)
    assert window.open_location(str(demo_like))
    dialog = window.withdraw_participant()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.key_said.text() == "the key beside the project"
    monkeypatch.setattr(withdraw_dialog, "ask_where_the_key_is", lambda *_: str(elsewhere))
    dialog.choose_key()
    assert dialog.key_said.text() == str(elsewhere)
    dialog.person.setCurrentIndex(dialog.person.findData("P01"))
    dialog.confirm.setText("P01")
    dialog.withdraw_button.click()
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=30_000)
    receipt = dialog.receipt.toPlainText()
    assert "originals removed from the pseudonymisation key (only their text used them): 1" in (
        receipt
    )
    assert "النوم".encode() not in elsewhere.read_bytes()
