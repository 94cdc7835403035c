"""File ▸ Withdraw a participant…: consent withdrawn, the person removed without a trace, from
the window as ``workbench withdraw`` does it (``coding.withdraw``).

It cannot be undone (the undo history holding their words is purged with them), so the analyst
types the participant's id to confirm, as mature tools ask before anything irreversible; what it
will do is said first, and the receipt is shown after, to keep with the study's records.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.study import list_participants
from workbench.coding.withdraw import withdraw_participant
from workbench.domain.study import WithdrawalReceipt
from workbench.storage.project import Project
from workbench.ui.exchange import ExchangeTask
from workbench.ui.key_location import ask_where_the_key_is, remembered

WHAT_HAPPENS = (
    "Withdrawing consent removes the participant without a trace, and cannot be undone:\n"
    "• their own interviews are deleted, with their codings and memos;\n"
    "• in interviews they shared, their words become [withdrawn] (an interpreter's rendering "
    "of them too);\n"
    "• runs of five or more of their words, and their id, quoted in memos, summaries, notes or "
    "the journal become [withdrawn]; other people's words and unrelated notes are untouched;\n"
    "• undo steps holding their words are deleted, and the project file is compacted;\n"
    "• the pseudonymisation key loses the originals only their text used (their name, a "
    "relative's, a home town only they spoke of).\n"
    "Exports and snapshots written earlier still hold them: the receipt names those files."
)


class WithdrawDialog(QDialog):
    """Choose the participant, confirm by typing their id, withdraw, read the receipt."""

    withdrawn = Signal(str)
    """The participant's id, once withdrawn (the window reads the project again)."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self._task: ExchangeTask | None = None
        self.setWindowTitle("Withdraw a participant")
        self.resize(640, 520)
        explained = QLabel(WHAT_HAPPENS)
        explained.setWordWrap(True)
        self.person = QComboBox()
        for info in list_participants(project):
            dyads = f" · {', '.join(info.dyads)}" if info.dyads else ""
            self.person.addItem(f"{info.id} ({info.role.value}{dyads})", info.id)
        self.person.setCurrentIndex(-1)
        self.person.currentIndexChanged.connect(self._ready)
        self.confirm = QLineEdit()
        self.confirm.setPlaceholderText("type the participant's id to confirm")
        self.confirm.textChanged.connect(self._ready)
        self.key: str | None = remembered(project)
        """Where the pseudonymisation key is, when the analyst pointed to one."""
        self.key_said = QLabel()
        self.key_said.setWordWrap(True)
        key_button = QPushButton("Choose…")
        key_button.setToolTip("The key file, or a key holder's postgresql:// URL")
        key_button.clicked.connect(self.choose_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_said, 1)
        key_row.addWidget(key_button)
        self._say_key()
        form = QFormLayout()
        form.addRow("Participant:", self.person)
        form.addRow("Confirm:", self.confirm)
        form.addRow("Key:", key_row)
        self.withdraw_button = QPushButton("Withdraw and remove")
        self.withdraw_button.setObjectName("destructive")
        self.withdraw_button.setEnabled(False)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.receipt = QPlainTextEdit()
        self.receipt.setReadOnly(True)
        self.receipt.setPlaceholderText("The receipt appears here.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.withdraw_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explained)
        layout.addLayout(form)
        layout.addWidget(self.receipt, 1)
        layout.addWidget(buttons)

    def choose_key(self) -> None:
        chosen = ask_where_the_key_is(self, self.project)
        if chosen:
            self.key = chosen
            self._say_key()

    def _say_key(self) -> None:
        """Which key loses the originals only their text used (the tooltip says why)."""
        if self.key is not None:
            said = self.key
        elif self.project.path is not None:
            said = "the key beside the project"
        else:
            said = "none given: the receipt says what stays in the team's key"
        self.key_said.setText(said)
        self.key_said.setToolTip(
            "The originals of redactions only their text used are removed from this key"
        )

    def chosen(self) -> str | None:
        value = self.person.currentData()
        return str(value) if value is not None else None

    def _ready(self) -> None:
        chosen = self.chosen()
        self.withdraw_button.setEnabled(
            chosen is not None and self.confirm.text().strip() == chosen
        )

    def busy(self) -> bool:
        return self._task is not None

    def withdraw(self) -> bool:
        """Withdraw the chosen participant (confirmed), off the event loop (seconds on a large
        study: every text is searched for their words); the receipt or the reason is shown."""
        chosen = self.chosen()
        if chosen is None or self.confirm.text().strip() != chosen or self._task is not None:
            return False
        project, key = self.project, self.key
        self.receipt.setPlainText(f"Withdrawing {chosen}: searching every text for their words…")
        for widget in (self.person, self.confirm, self.withdraw_button):
            widget.setEnabled(False)
        task = ExchangeTask(lambda: withdraw_participant(project, chosen, key_path=key), self)
        self._task = task

        def ended(receipt: object) -> None:
            assert isinstance(receipt, WithdrawalReceipt)
            self._task = None
            self.receipt.setPlainText("\n".join(receipt.lines()))
            self.person.removeItem(self.person.currentIndex())
            self.person.setCurrentIndex(-1)
            self.confirm.clear()
            self.person.setEnabled(True)
            self.confirm.setEnabled(True)
            self.withdrawn.emit(chosen)

        def failed(reason: str) -> None:
            self._task = None
            self.receipt.setPlainText(f"Not withdrawn: {reason}")
            self.person.setEnabled(True)
            self.confirm.setEnabled(True)
            self._ready()

        task.ended.connect(ended)
        task.failed.connect(failed)
        task.start()
        return True

    def done(self, result: int) -> None:
        if self._task is not None:  # one transaction: let it end, its receipt is the record
            self._task.wait()
        super().done(result)
