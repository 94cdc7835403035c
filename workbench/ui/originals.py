"""A key holder's reading of an interview with the originals in place of the placeholders.

Read only and without coding stripes (an original is seldom as long as its placeholder, so the
codings' positions would not fit), and audited as a reading (``redaction.reveal``); the project's
text is never changed by it. Leaving it, or anything that reads the interview again, shows the
project's pseudonymised text."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from workbench.coding.keystore import KeyMissing
from workbench.coding.redaction import originals_reader, with_originals
from workbench.coding.transcripts import utterances
from workbench.domain.study import StudyError, Utterance
from workbench.storage.project import Project
from workbench.ui.key_location import ask_where_the_key_is, remembered

if TYPE_CHECKING:
    from workbench.ui.transcript_page import TranscriptPage

BANNER = "Originals shown (key holder) — read only; this reading is in the audit log."


def _read(project: Project, interview: str, key: str | Path | None) -> list[Utterance]:
    rows = utterances(project, interview)
    texts = with_originals(project, interview, key)
    return [dataclasses.replace(r, text=t) for r, t in zip(rows, texts, strict=True)]


def show_originals(page: TranscriptPage, key: str | Path | None = None) -> bool:
    """Show the open interview with its originals; asks where the key is when it is not beside
    the project. False (with the reason in the window) when it cannot."""
    interview, project = page.interview, page.project
    if interview is None or project is None:
        page.notice.show_message("Choose an interview first.", error=True)
        return False
    if page.editor.has_pending_edit():
        page.editor.commit()
    key = key if key is not None else remembered(project)  # where the analyst said it is
    try:
        rows = _read(project, interview, key)
    except KeyMissing as exc:
        if key is not None:
            page.notice.show_message(str(exc), error=True)
            return False
        chosen = ask_where_the_key_is(page, project)
        if not chosen:
            page.notice.show_message(str(exc), error=True)
            return False
        return show_originals(page, chosen)
    except (StudyError, OSError) as exc:  # another project's key, an unreadable file
        page.notice.show_message(str(exc), error=True)
        return False
    page.editor.load(rows, [], page.colours, [], page.editor.speakers)
    page.editor.setReadOnly(True)
    page.originals_shown = True
    page.originals_key = key
    page.notice.show_message(BANNER)
    return True


class Reveals(Protocol):
    """A panel of analyst text that can show a key holder's originals (memos, cell details)."""

    def set_reveal(self, reveal: Callable[[str], str] | None) -> None: ...


def toggle_originals(page: TranscriptPage, panels: Sequence[Reveals], on: bool) -> bool:
    """View ▸ Show originals: on, the open interview and every panel of analyst text read with
    the originals (False when it cannot: the reason is in the window); off, the project's text."""
    if not on:
        page.reload()  # ends the reading: the page says so (originals_left) and panels follow
        return True
    if not show_originals(page):
        return False
    key = page.originals_key
    reveal = page.call(lambda p: originals_reader(p, key))
    for panel in panels:
        panel.set_reveal(reveal)
    return True
