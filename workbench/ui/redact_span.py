"""Redact the selected words of a transcript, from the editor's context menu.

On the command line a span is given as positions (``workbench redact --interview I --start S
--end E``), which nobody reading a transcript knows; in the window the analyst selects the words,
right-clicks, chooses *Redact the selection…* and types the placeholder. The core redacts it as
the command line does (anchored like a coding, the original kept in the key beside the project
or one the analyst points to) and it is one step of the undo stack.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from workbench.coding.keystore import KeyMissing
from workbench.coding.redaction import RedactionReport, redact, undo_step
from workbench.coding.undo import Change
from workbench.domain.study import StudyError, Utterance
from workbench.storage.project import Project, ProjectError
from workbench.ui.key_location import ask_where_the_key_is
from workbench.ui.undo_stack import ProjectUndo


class Editor(Protocol):
    """What this reads of the transcript editor (``ui.editor.TranscriptEditor``)."""

    rows: list[Utterance]
    redaction_asked: SignalInstance

    def selection_in_utterance(self) -> tuple[int, int, int] | None: ...

    def selection_span(self) -> tuple[int, int] | None: ...

    def isReadOnly(self) -> bool: ...

    def has_pending_edit(self) -> bool: ...

    def commit(self) -> None: ...


class Notice(Protocol):
    def show_message(self, text: str, *, error: bool = False) -> None: ...


class Page(Protocol):
    """What this uses of the transcript page (``ui.transcript_page.TranscriptPage``)."""

    @property
    def project(self) -> Project | None: ...

    @property
    def interview(self) -> str | None: ...

    @property
    def editor(self) -> Editor: ...

    @property
    def undo(self) -> ProjectUndo: ...

    @property
    def notice(self) -> Notice: ...

    @property
    def project_changed(self) -> SignalInstance: ...

    def reload(self) -> None: ...

    def window(self) -> QWidget: ...


def redaction_step(report: RedactionReport) -> Change:
    """A redaction as the window's undo stack shows it: the core's own step."""
    return Change(undo_step(report.placeholder), frozenset({"utterance"}))


ACTION = "Redact the selection…"


def fill_menu(menu: QMenu, editor: Editor) -> None:
    """*Redact the selection…* for words selected inside one utterance (else a line saying
    what to select)."""
    where = editor.selection_in_utterance()
    menu.addSeparator()
    if where is None or where[1] == where[2] or editor.isReadOnly():
        menu.addAction(f"{ACTION} (select words inside one utterance)").setEnabled(False)
        return
    span = editor.selection_span()
    if span is None:
        return
    action = menu.addAction(ACTION)
    action.setObjectName("redactSelection")
    action.triggered.connect(lambda _=False: editor.redaction_asked.emit(*span))


def redact_span(page: Page, start: int, end: int) -> bool:
    """Ask for the placeholder and redact ``start``–``end`` of the open interview; False (with
    the reason in the window) when it was not."""
    if page.project is None or page.interview is None:
        return False
    if page.editor.has_pending_edit():  # a correction first, then the words it left selected
        page.editor.commit()
        start, end = page.editor.selection_span() or (start, end)
    where = page.editor.selection_in_utterance()
    words = page.editor.rows[where[0]].text[where[1] : where[2]] if where else ""
    placeholder, ok = QInputDialog.getText(
        page.window(), "Redact", f"Replace “{words}” with (e.g. [a town in Eritrea]):"
    )
    if not ok or not placeholder.strip():
        return False
    return _redact(page, start, end, placeholder.strip(), None)


def _redact(page: Page, start: int, end: int, placeholder: str, key: str | None) -> bool:
    project, interview = page.project, page.interview
    if project is None or interview is None:
        return False
    try:
        report = redact(
            project, placeholder, interview=interview, start=start, end=end, key_path=key
        )
    except KeyMissing as exc:
        if key is None:  # earlier redactions have their key elsewhere: where is it?
            chosen = ask_where_the_key_is(page.window(), project)
            if chosen:
                return _redact(page, start, end, placeholder, chosen)
        page.notice.show_message(str(exc), error=True)
        return False
    except (StudyError, ProjectError, OSError) as exc:
        page.notice.show_message(f"Not redacted: {exc}", error=True)
        return False
    page.undo.record(redaction_step(report))
    page.reload()
    page.project_changed.emit()
    others = f"; also replaced in {len(report.rewritten)} other text(s)" if report.rewritten else ""
    page.notice.show_message(f"Redacted as {report.placeholder}{others}.{counterpart_hint(report)}")
    return True


def counterpart_hint(report: RedactionReport) -> str:
    """Where the same name may still stand, as written in another script (or nothing)."""
    if not report.counterparts:
        return ""
    shown = ", ".join(report.counterparts[:5]) + (" …" if len(report.counterparts) > 5 else "")
    return (
        f" {len(report.counterparts)} turn(s) interpreted to or from it, written in another "
        f"script, may name it as written there: {shown}. Read them, then redact the span or "
        "watch for the word (File ▸ Review identifiers… ▸ Watch list…)."
    )
