"""The checks every export that writes quotes runs: identifying text, and what it states."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.coding.redaction import KeyMissing, check_identifiers
from workbench.domain.study import StudyError
from workbench.storage.project import Project


def check_quotes(
    project: Project, texts: Sequence[str], *, key: str | Path | None, override: bool
) -> list[str]:
    """Refuse quotes that hold a key original or an accepted identifier unless ``override``;
    return the notes the export states (no key found, the analyst's override).

    A project with no key yet (nothing redacted, nothing accepted) is exported with a note; a key
    given explicitly that cannot be opened is an error, never silently skipped.
    """
    notes: list[str] = []
    try:
        leaks = check_identifiers(project, key)
    except KeyMissing:
        if key is not None:
            raise
        leaks = []
        notes.append("No pseudonymisation key was found: quotes were not checked against one.")
    words = {leak.found.casefold() for leak in leaks}
    failing = sum(1 for t in texts if any(w in t.casefold() for w in words))
    if failing and not override:
        raise StudyError(
            f"{failing} quotes hold identifying text (see `workbench pseudonyms check`); "
            "redact it, or override the check explicitly"
        )
    if failing:
        notes.append(f"The analyst overrode the pseudonymisation check for {failing} quote(s).")
    return notes
