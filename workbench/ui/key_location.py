"""Where the pseudonymisation key is, asked of the analyst when it is not where it is looked for
first (beside a project file). A project file's key is a ``.dyadkey`` file; a team project's is
the ``dyad_key`` schema, read through a key holder's own database login — a URL, not a file."""

from __future__ import annotations

import weakref
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from workbench.coding.keystore import KEY_SUFFIX
from workbench.storage.project import Project

_GIVEN: dict[int, tuple[weakref.ref[Project], str]] = {}
"""Where the analyst said each open project's key is, for as long as it is open (never
written anywhere: a team's key location is a key holder's login)."""


def remembered(project: Project | None) -> str | None:
    """The key location given for ``project`` in this session (None: the default, beside a
    project file): what the window's exports and its export-gate status use."""
    if project is None:
        return None
    entry = _GIVEN.get(id(project))
    return entry[1] if entry is not None and entry[0]() is project else None


def remember(project: Project, location: str) -> None:
    for stale in [k for k, (ref, _) in _GIVEN.items() if ref() is None]:
        del _GIVEN[stale]
    _GIVEN[id(project)] = (weakref.ref(project), location)


def ask_where_the_key_is(parent: QWidget, project: Project) -> str | None:
    """The key's location as the analyst gives it (remembered for the project while it is open),
    or None when they cancel."""
    chosen = _ask(parent, project)
    if chosen:
        remember(project, chosen)
    return chosen


def _ask(parent: QWidget, project: Project) -> str | None:
    if project.path is None:
        url, ok = QInputDialog.getText(
            parent,
            "Where is the pseudonymisation key?",
            "A team project's key is read with a key holder's login:\n"
            "postgresql://KEYHOLDER@HOST/DATABASE",
        )
        return url.strip() or None if ok else None
    chosen, _ = QFileDialog.getOpenFileName(
        parent, "Where is the pseudonymisation key?", str(Path.home()), f"Key (*{KEY_SUFFIX})"
    )
    return chosen or None
