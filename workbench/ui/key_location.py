"""Where the pseudonymisation key is, asked of the analyst when it is not where it is looked for
first (beside a project file). A project file's key is a ``.dyadkey`` file; a team project's is
the ``dyad_key`` schema, read through a key holder's own database login — a URL, not a file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from workbench.coding.keystore import KEY_SUFFIX
from workbench.storage.project import Project


def ask_where_the_key_is(parent: QWidget, project: Project) -> str | None:
    """The key's location as the analyst gives it, or None when they cancel."""
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
