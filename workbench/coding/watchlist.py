"""The analyst's own list of identifying words, kept in the key.

A name written in Arabic or Tigrinya script has no capital to give it away, and a town, a camp
or a clinic is often written like any word: only the analyst knows to look for them. Words on
the watch list are kept in the key (``KeyStore.watch``), never in the project — the list says who
took part — and are looked for, as whole words in any case, wherever suggestions come from. One
that the project's text holds is a suggestion of kind ``listed``, and the export gate refuses
every export until it is reviewed: accepted and redacted, or dismissed as not identifying.
Without the key at hand the list cannot be read, and the gate says it checked without a key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.coding.identifiers import Candidate, suggest_identifiers
from workbench.coding.keystore import KeyLocation, KeyStore
from workbench.coding.words import loose_key, loose_keys, visible
from workbench.domain.study import StudyError
from workbench.storage.project import Project


@dataclass(frozen=True, slots=True)
class WatchReport:
    added: tuple[str, ...]
    """Words put on the list by this call (or taken off, for ``unwatch_words``)."""
    unchanged: tuple[str, ...]
    """Words given that were already on it (or, for ``unwatch_words``, not on it)."""
    standing: tuple[Candidate, ...]
    """Watched words the project's text holds that nobody reviewed yet: each refuses every
    export until it is redacted or dismissed."""
    where: str
    """The key that holds the list."""


def _cleaned(words: Sequence[str]) -> list[str]:
    """The words without surrounding spaces (or a byte-order mark), each spelling once; a line
    of nothing that shows (a direction mark alone) is no word."""
    first: dict[str, str] = {}
    for word in (w.replace("\ufeff", "").strip() for w in words):
        if visible(word).strip():
            first.setdefault(loose_key(word), word)
    cleaned = list(first.values())
    if not cleaned:
        raise StudyError("give at least one word to watch for")
    return cleaned


def watch_words(project: Project, words: Sequence[str], key: KeyLocation = None) -> WatchReport:
    """Put ``words`` on the key's watch list (the key is made beside a project file when there is
    none yet) and say which of them the project's text holds unreviewed."""
    cleaned = _cleaned(words)
    store = KeyStore.open(project, key, create=True)
    held = {loose_key(w) for w in store.watched()}  # NADIA is Nadia: watched once
    added = store.watch([w for w in cleaned if loose_key(w) not in held])
    return WatchReport(
        tuple(added),
        tuple(w for w in cleaned if w not in added),
        tuple(_standing(project, key, cleaned)),
        store.where,
    )


def unwatch_words(project: Project, words: Sequence[str], key: KeyLocation = None) -> WatchReport:
    """Take ``words`` off the watch list (what was redacted or dismissed stays so)."""
    cleaned = _cleaned(words)
    store = KeyStore.open(project, key)
    gone = store.unwatch(cleaned)
    return WatchReport(tuple(gone), tuple(w for w in cleaned if w not in gone), (), store.where)


def watched_words(project: Project, key: KeyLocation = None) -> tuple[list[str], str]:
    """The watch list and where it is kept (raises ``KeyMissing`` without a key)."""
    store = KeyStore.open(project, key)
    return store.watched(), store.where


def _standing(project: Project, key: KeyLocation, words: list[str]) -> list[Candidate]:
    """The spellings of ``words`` the text holds, nobody reviewed (as ``suggest`` lists them;
    للزعتري is listed as لزعتري, its article's alif dropped after a joined ل)."""
    wanted = {key for w in words for key in loose_keys(w)}
    return [
        c
        for c in suggest_identifiers(project, key, names_only=True)
        if c.kind == "listed" and loose_key(c.text) in wanted and not c.reviewed
    ]
