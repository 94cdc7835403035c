"""Finding identifiers to review, and checking that none the key knows is left in the project."""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Collection, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding.common_words import COMMON
from workbench.coding.keystore import KeyLocation, KeyStore
from workbench.coding.witnesses import Witnesses
from workbench.coding.words import (
    COMBINING,
    INSIDE_WORDS,
    any_word,
    first_look,
    loose_word,
    visible,
    whole_word,
)
from workbench.domain.study import StudyError
from workbench.storage import inventory
from workbench.storage.inventory import HISTORY, JSON, LABEL, PROSE, TRANSCRIPT
from workbench.storage.models import (
    Dyad,
    Interview,
    Participant,
    ParticipantAttribute,
    Setting,
    UtteranceRow,
)
from workbench.storage.project import Project

_COMMON = COMMON
_DATE = re.compile(
    r"\b(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}(st|nd|rd|th)? (of )?(January|February|March|"
    r"April|May|June|July|August|September|October|November|December)|(January|February|March|"
    r"April|May|June|July|August|September|October|November|December) \d{1,2}(st|nd|rd|th)?|"
    r"\b(19|20)\d{2}\b)"
)


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    kind: str
    """``name`` (capitalised, not at a sentence start), ``first word`` (``FIRST_WORD``: a
    sentence's capitalised first word written in lower case nowhere), ``date``, ``number``,
    ``listed`` (the analyst's word list), ``participant`` (a name the participant list holds)
    or ``known`` (accepted before)."""
    count: int
    interviews: tuple[str, ...]
    """Where it occurs: interview ids, or what holds it (``coding memo 486a61d6``)."""
    reviewed: str = ""
    """``dismissed`` (not identifying), ``accepted`` (an identifier: redact it), or empty."""

    @property
    def refuses_exports(self) -> bool:
        """Whether the export gate refuses every export while the project holds it: a
        suggestion nobody reviewed of a kind the gate asks about (``BLOCKING_KINDS``), or an
        identifier accepted before that the text still holds (``known``: redact it)."""
        return (self.kind in BLOCKING_KINDS and not self.reviewed) or self.kind == "known"


BLOCKING_KINDS = ("name", "listed", "participant")
"""Suggestion kinds an unreviewed candidate refuses exports for. Dates and numbers are listed
for review but do not refuse (every export writes dates of its own), nor do sentences' first
words (``FIRST_WORD``)."""


FIRST_WORD = "first word"
"""A capitalised word that starts a sentence (or a text) and is written in lower case nowhere
in the project, nor is a common word: "Zarifa said…" in an analyst's note. A name, or an
ordinary word no other sentence happens to use ("Calm", "Lots", "Apparently": dozens in the
demo), which nothing here can tell apart without a dictionary. Listed for review like
dates and numbers; the export gate does not refuse for them (a name written anywhere else in a
sentence is a ``name``, and refuses)."""
_NUMBER = re.compile(r"(?<![\w:./-])\d[\d ./-]{2,}\d(?![\w:])")
"""Three or more digits in a run (phone, case, camp-block or file numbers), in any script's
digits; times of day (10:30) are not identifiers."""
_LOWER = re.compile(r"\b[a-z][\w'’-]*")
_ID_PART = re.compile(r"['’]s\b|-")
_NAME_ATTRIBUTES = re.compile(r"name|pseudonym|alias|nickname", re.IGNORECASE)


def suggest_identifiers(
    project: Project,
    key_path: KeyLocation = None,
    *,
    words: Sequence[str] = (),
    names_only: bool = False,
) -> list[Candidate]:
    """Candidate identifiers for review; nothing is redacted until the analyst accepts.
    ``names_only`` leaves dates and numbers out (the export gate does not block on them).

    Besides capitalised words, dates and numbers, ``words`` (the analyst's own list: towns,
    camps, clinics, in any script), the key's watch list (``coding.watchlist``: the same, kept)
    and names the participant list holds (attributes such as ``first_name``) are looked for as
    whole words, so an Arabic or Tigrinya name is found too.
    """
    known: list[str] = []
    watched: list[str] = []
    with contextlib.suppress(StudyError):  # no key yet: nothing accepted or watched yet
        store = KeyStore.open(project, key_path)
        known, watched = store.identifiers(), store.watched()
    listed = list(dict.fromkeys(w.strip() for w in [*words, *watched] if visible(w).strip()))
    with project.session(write=False) as s:
        texts = [(place, body) for _, _, _, place, body in _read_texts(s, _SUGGESTED, words=False)]
        sources = _identifier_sources(s)
        found = _suggested(texts, sources, listed, known, names_only=names_only)
        return _places_named(s, found)


@dataclass(frozen=True, slots=True)
class Standing:
    leaks: list[Leak]
    """What ``check_identifiers`` finds (nothing without a key)."""
    unreviewed: list[Candidate]
    """Of what ``suggest_identifiers(names_only=True)`` finds, the candidates nobody reviewed
    (neither accepted nor dismissed; never ``known`` ones), in the same order."""
    witnesses: str | None = None
    """When nothing stands: what a later look at changed rows only needs (``witnesses``)."""


def standing_identifiers(
    project: Project, store: KeyStore | None, *, witnessed: bool = False
) -> Standing:
    """What the export gate's whole pass needs, every text read once; ``witnessed``: with what
    a later look at changed rows only needs, when nothing stands (``Standing.witnesses``)."""
    with _collector_paused():
        # The pass's rows are all gone by the time the collector runs again (alive then, the
        # collector's next rounds would move them to its oldest generation, and the next
        # command would pay for a full collection: 80 ms of the export after an idle pass).
        return _standing(project, store, witnessed=witnessed)


def _standing(project: Project, store: KeyStore | None, *, witnessed: bool) -> Standing:
    needles, known, watched = _key_lists(store)
    with project.session(write=False) as s:
        if needles:
            texts = _read_texts(s, (TRANSCRIPT, PROSE, LABEL, JSON, HISTORY), words=True)
        else:  # nothing to check for: only what suggestions come from
            texts = _read_texts(s, _SUGGESTED, words=False)
        sources = _identifier_sources(s)
        leaks = _leaks([(where, body) for _, _, where, _, body in texts], needles)
        suggested = [t for t in texts if t[0].kind in _SUGGESTED and t[0].table != "word"]
        leaning: set[str] = set()
        unreviewed = _unreviewed(suggested, sources, watched, known, leaning)
        if leaks or unreviewed:
            return Standing(_leaks_named(s, leaks), _places_named(s, unreviewed))
    if not witnessed:
        return Standing([], [])
    witnesses = Witnesses.start()
    witnesses.sources = _sources_print(witnesses, sources)
    whole = witnesses.record(
        [f"{item.table}:{key}" for item, key, _, _, _ in suggested],
        [body for *_, body in suggested],
        leaning,
    )
    return Standing([], [], witnesses.dumps() if whole else None)


def _unreviewed(
    texts: Sequence[_Text],
    sources: _Sources,
    watched: Sequence[str],
    known: Sequence[str],
    leaning: set[str],
    also_lower: Callable[[str], bool] | None = None,
) -> list[Candidate]:
    """The suggestions in ``texts`` nobody reviewed, of the kinds the gate asks about."""
    return _suggested(
        [(place, body) for _, _, _, place, body in texts],
        sources,
        watched,
        known,
        names_only=True,
        unreviewed_only=True,
        leaning=leaning,
        also_lower=also_lower,
    )


def _still_written(project: Project, witnesses: Witnesses, changed: set[str]) -> bool:
    """Whether, for each word kept row by row, one of its rows nobody changed still writes it
    in lower case: a change the log did not see (a row's id changed, a REPLACE that deleted a
    row without its trigger) ends the trust in what was kept."""
    picked = {
        digest: min(rows - changed) for digest, rows in witnesses.rows.items() if rows - changed
    }
    wanted: dict[str, set[int]] = {}
    for name in picked.values():
        table, number = name.split(":", 1)
        wanted.setdefault(table, set()).add(int(number))
    if not wanted:
        return True
    written: dict[str, set[str]] = {}
    with project.session(write=False) as s:
        for item, key, _, _, body in _read_texts(s, _SUGGESTED, words=False, rows=wanted):
            row = f"{item.table}:{key}"
            written.setdefault(row, set()).update(
                witnesses.digest(w) for w in _vocabulary([body], capitals=False)[0]
            )
    return all(digest in written.get(row, ()) for digest, row in picked.items())


def _key_lists(store: KeyStore | None) -> tuple[list[str], list[str], list[str]]:
    """What the gate looks for from the key: its originals and accepted identifiers (as
    leaks), the accepted ones (reviewed suggestions) and the watch list."""
    if store is None:
        return [], [], []
    needles = [n for n in {*store.originals(), *store.identifiers()} if visible(n).strip()]
    return needles, store.identifiers(), [w for w in store.watched() if visible(w).strip()]


def _sources_print(witnesses: Witnesses, sources: _Sources) -> str:
    """What can make a suggestion of a text nobody changed, besides other texts: the study's
    ids, the names the participant list holds, the dismissed words."""
    return witnesses.print_of(sources.ids, sources.people, sources.dismissed)


def still_clear(
    project: Project,
    store: KeyStore | None,
    changed: Mapping[str, Collection[int | None]],
    kept: str | None,
) -> str | None:
    """Whether the project is still clear for the export gate after ``changed`` (per table, the
    rows changed since its last clear pass; ``storage.text_changes.since``), reading only those
    rows and what the pass kept (``kept``, ``witnesses``). The witnesses to keep now when it
    is; None when something stands in the way or it cannot tell (the gate then reads
    everything, and names what stands)."""
    witnesses = Witnesses.loads(kept)
    if witnesses is None:
        return None
    if any(None in keys for table, keys in changed.items() if table in _SUGGESTING_TABLES):
        return None  # a row of suggestion text the log could not name
    names = {f"{table}:{key}" for table, keys in changed.items() for key in keys}
    # Only a row of suggestion text can have written a word in lower case.
    witnesses.spent += sum(len(keys) for t, keys in changed.items() if t in _SUGGESTING_TABLES)
    if any(count <= witnesses.spent for count in witnesses.many.values()):
        return None  # a word with many lower-case rows may have lost them all by now
    needles, known, watched = _key_lists(store)
    with _collector_paused(), project.session(write=False) as s:
        texts = _read_texts(s, (TRANSCRIPT, PROSE, LABEL, JSON, HISTORY), words=True, rows=changed)
        sources = _identifier_sources(s)
    if _sources_print(witnesses, sources) != witnesses.sources:
        return None  # ids, the participant list's names or the dismissed words changed
    if _leaks([(where, body) for _, _, where, _, body in texts], needles):
        return None
    suggested = [t for t in texts if t[0].kind in _SUGGESTED and t[0].table != "word"]
    here: dict[str, set[str]] = {}
    """A word's digest -> the changed rows writing it in lower case now."""
    for item, key, _, _, body in suggested:
        for word in _vocabulary([body], capitals=False)[0]:
            here.setdefault(witnesses.digest(word), set()).add(f"{item.table}:{key}")
    for digest, rows in witnesses.rows.items():
        lost = bool(rows & names)
        rows -= names
        rows |= here.get(digest, set())
        if lost and not rows:
            return None  # its last lower-case spelling went: a capital elsewhere is a name
    if not _still_written(project, witnesses, names):
        return None
    leaning: set[str] = set()
    if _unreviewed(suggested, sources, watched, known, leaning, witnesses.known):
        return None
    for word in leaning:
        if not witnesses.known(word):
            digest = witnesses.digest(word)
            if digest not in here:
                return None
            witnesses.rows[digest] = set(here[digest])
    return witnesses.dumps()


def _places_named(s: Session, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates with each place as a person can find it (``inventory.named``)."""
    names = inventory.named(s, (place for c in candidates for place in c.interviews))
    if not names:
        return candidates
    return [
        replace(c, interviews=tuple(sorted(names.get(w, w) for w in c.interviews)))
        for c in candidates
    ]


def _leaks_named(s: Session, leaks: list[Leak]) -> list[Leak]:
    names = inventory.named(s, (leak.where for leak in leaks))
    return [Leak(names.get(leak.where, leak.where), leak.found, leak.written) for leak in leaks]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: the pass makes a few hundred thousand rows, strings and
    tuples, none of them in a cycle, and the collector's rounds over them that it sets off cost
    about a sixth of the pass."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_SUGGESTED = (TRANSCRIPT, PROSE)
"""The kinds of text suggestions come from (never a transcription's word rows)."""
_SUGGESTING_TABLES = frozenset(c.table for c in inventory.walked(*_SUGGESTED) if c.table != "word")


@dataclass(frozen=True, slots=True)
class _Sources:
    dismissed: set[str]
    people: list[str]
    """The names the participant list holds."""
    ids: set[str]
    """The study's own ids (participants, dyads, interviews)."""


def _identifier_sources(s: Session) -> _Sources:
    """What suggestions are looked for against: the dismissed words, the names the participant
    list holds, and the study's own ids."""
    people = [
        value.strip()
        for name, value in s.execute(select(ParticipantAttribute.name, ParticipantAttribute.value))
        if value and _NAME_ATTRIBUTES.search(name)
    ]
    ids = {
        *s.scalars(select(Participant.key)),
        *s.scalars(select(Dyad.key)),
        *s.scalars(select(Interview.key)),
    }
    return _Sources(set(dismissed_words(s)), people, ids)


def _suggested(
    texts: Sequence[tuple[str, str]],
    sources: _Sources,
    listed: Sequence[str],
    known: Sequence[str],
    *,
    names_only: bool,
    unreviewed_only: bool = False,
    leaning: set[str] | None = None,
    also_lower: Callable[[str], bool] | None = None,
) -> list[Candidate]:
    """The candidates of ``suggest_identifiers`` in ``texts`` ((interview or what holds it,
    text), in the inventory's order). ``unreviewed_only``: only those nobody accepted or
    dismissed, and no ``known`` ones (what the export gate asks about). ``leaning`` and
    ``also_lower``: ``_runs``'s."""
    accepted = set(known)
    reviewed = accepted | sources.dismissed if unreviewed_only else set()
    bodies = [body for _, body in texts]
    lower_words, starting = _vocabulary(bodies, capitals=not unreviewed_only)
    runs = iter(
        _runs(
            bodies,
            sources.ids,
            lower_words if also_lower is None else _OrElse(lower_words, also_lower),
            skip=reviewed,
            starting=starting,
            openings=not unreviewed_only,
            leaning=leaning,
        )
    )
    run = next(runs, None)
    listed_or_people = first_look([*listed, *sources.people])
    spellings = {word: loose_word(word) for word in {*listed, *sources.people}}
    spelled_from: dict[str, str] = {}
    """A spelling found (``tessy``, ``محمّد``) -> the listed word it was found for."""
    any_known = None if unreviewed_only else any_word(known, folded=False)
    found: dict[tuple[str, str], set[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()

    def note(value: str, kind: str, interview: str) -> None:
        found.setdefault((value, kind), set()).add(interview)
        counts[(value, kind)] += 1

    for i, (interview, body) in enumerate(texts):
        while run is not None and run[0] == i:
            note(run[1], FIRST_WORD if run[2] else "name", interview)
            run = next(runs, None)
        if not names_only:
            for value, kind in _dates_and_numbers(body):
                note(value, kind, interview)
        if listed_or_people is not None and listed_or_people(body):
            for kind, needles in (("listed", listed), ("participant", sources.people)):
                for word in needles:
                    if word in reviewed:
                        continue
                    for match in spellings[word].finditer(body):  # each as written
                        spelling = match.group(0)
                        spelled_from.setdefault(spelling, word)
                        if spelling not in reviewed:
                            note(spelling, kind, interview)
        if any_known is not None and any_known.search(body):
            for word in known:
                if whole_word(word).search(body):
                    note(word, "known", interview)
    for value, kind in list(found):
        if kind == FIRST_WORD and (value, "name") in found:  # a name written mid-sentence too
            found[(value, "name")] |= found.pop((value, kind))
            counts[(value, "name")] += counts.pop((value, kind))
    return sorted(
        (
            Candidate(
                value,
                kind,
                counts[(value, kind)],
                tuple(sorted(found[(value, kind)])),
                "accepted"
                if {value, spelled_from.get(value)} & accepted
                else "dismissed"
                if {value, spelled_from.get(value)} & sources.dismissed
                else "",
            )
            for value, kind in found
        ),
        key=lambda c: (-c.count, c.text),
    )


_TITLES = (
    "Dr",
    "Mr",
    "Mrs",
    "Ms",
    "Mx",
    "Prof",
    "Rev",
    "St",
    "e.g",
    "E.g",
    "i.e",
    "I.e",
    "cf",
    "vs",
)
"""Abbreviations whose full stop ends no sentence: the capital after "Dr. " or "e.g. " is a
name (or at least no sentence's first word)."""
_INSIDE = re.escape(INSIDE_WORDS) + COMBINING
_AFTER_TITLE = "|".join(rf"(?<=\W{re.escape(t)}\.\s[A-Z])" for t in _TITLES)
_CAPITALISED_RUN = re.compile(
    rf"[A-Z](?<![\w\x00][A-Z])(?:(?<![.!?:\n]\s[A-Z])|{_AFTER_TITLE})[\w'’{_INSIDE}-]+"
    rf"(?:\s+[A-Z][\w'’{_INSIDE}-]+)*"
)
"""A capitalised word (what prints nothing may stand inside it: Sa\u00admer is one word), and
the capitalised words after it: not after another word character
(a word's start), nor after ``:``, a newline, ``.``, ``!`` or ``?`` and one space (but after
"Dr. ": ``_TITLES``), nor at the
start of a text (texts are joined after a ``\\x00``) or of a sentence (``_at_sentence_start``).
Those starts are ``_named_starts``'s.

Applied to every text at once; the capital comes first so the regex engine skips from capital
to capital instead of setting up lookbehinds at every position of the text (five times faster
than ``\\b`` and the lookbehinds in front, which the engine tries at every character)."""
_SEPARATOR = "\x00"


def _joined(bodies: Sequence[str]) -> str:
    """The texts as one string, each after a ``\\x00`` (within a text, one becomes a ``\\x01``:
    neither is a word character, a space nor punctuation, so nothing else changes)."""
    joined = _SEPARATOR + _SEPARATOR.join(bodies)
    if joined.count(_SEPARATOR) != len(bodies):
        joined = _SEPARATOR + _SEPARATOR.join(b.replace(_SEPARATOR, "\x01") for b in bodies)
    return joined


def _lower_words(bodies: Sequence[str]) -> set[str]:
    """Every word written in lower case somewhere in ``bodies`` (``_LOWER``)."""
    return _vocabulary(bodies)[0]


def _vocabulary(bodies: Sequence[str], *, capitals: bool = True) -> tuple[set[str], set[str]]:
    """Every word written in lower case somewhere in ``bodies`` (``_LOWER``), and every
    capitalised word a run of non-spaces starts with (``_named_starts``; none unless
    ``capitals``). No such word spans a space, so each distinct run of non-space characters is
    looked at once."""
    distinct: set[str] = set()
    for body in bodies:
        distinct.update(body.split())
    found: set[str] = set()
    starting: set[str] = set()
    for chunk in distinct:
        found.update(_LOWER.findall(chunk))
        if capitals and "A" <= chunk[0] <= "Z" and (word := _CAPITAL_WORD.match(chunk)) is not None:
            starting.add(word.group())
    return found, starting


def _at_sentence_start(text: str, at: int) -> bool:
    """Whether ``at`` starts a sentence: it follows ``.``, ``!`` or ``?`` and spaces (not the
    full stop of "Dr.")."""
    before = at - 1
    while before >= 0 and text[before].isspace():
        before -= 1
    return (
        before < at - 1 and before >= 0 and text[before] in ".!?" and not _ends_title(text, before)
    )


_TITLE_END = re.compile(rf"(?:^|\W)(?:{'|'.join(map(re.escape, _TITLES))})\.\Z")


def _ends_title(text: str, dot: int) -> bool:
    """Whether the ``.`` at ``dot`` ends one of ``_TITLES`` ("Dr.")."""
    return text[dot] == "." and _TITLE_END.search(text, max(dot - 5, 0), dot + 1) is not None


def _named_starts(
    joined: str, ids: set[str], lower_words: Container[str], starting: set[str]
) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) of each capitalised word that starts a text or a sentence (where
    ``_CAPITALISED_RUN`` does not look) and looks like a name on its own, in order: "Hiba said"
    yields Hiba. What ``_CAPITALISED_RUN`` finds is left as it was ("Hiba Hassan said": Hiba
    here, Hassan there; "O'Brien said": O'Brien here, Brien there), so the names the export
    gate refuses for are the same whether first words are looked for or not.

    ``starting``: every word a run of non-spaces starts with in capitals (a superset of the
    words that start a sentence). Only those that look like names are looked for, and only
    where they stand is checked one by one."""
    named = {word for word in starting if _may_be_name(word.strip("'’-"), ids, lower_words)}
    if not named:
        return
    for found in re.finditer(rf"{_trie(named)}(?![\w'’-])", joined):
        if _starts_sentence(joined, found.start()):
            yield found.start(), found.end(), found.group()


def _trie(words: set[str]) -> str:
    """A pattern matching any of ``words`` (non-empty), as a tree of their letters: the regex
    engine tries one branch per letter instead of every word at every capital of the text
    (``Bran(?:dt)?`` for Bran and Brandt; the longer word first, as an alternation of them
    longest first would)."""
    tree: dict[str, dict[str, Any]] = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}

    def pattern(node: dict[str, dict[str, Any]]) -> str:
        branches = [re.escape(letter) + pattern(node[letter]) for letter in sorted(node) if letter]
        if not branches:
            return ""
        joined = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        if "" not in node:
            return joined
        return f"(?:{joined})?" if len(branches) > 1 or len(branches[0]) > 1 else f"{joined}?"

    return f"(?:{pattern(tree)})"


def _starts_sentence(text: str, at: int) -> bool:
    """Whether the capital at ``at`` (never 0: ``_joined`` starts with a ``\\x00``) is where
    ``_CAPITALISED_RUN`` does not look: at the start of a text, one space after ``.``, ``!``,
    ``?``, ``:`` or a newline, or spaces after ``.``, ``!`` or ``?``."""
    before = text[at - 1]
    if before == _SEPARATOR:
        return True
    if not before.isspace():
        return False
    if text[at - 2] in ".!?:\n":
        return not _ends_title(text, at - 2)
    return text[at - 2].isspace() and _at_sentence_start(text, at)


_CAPITAL_WORD = re.compile(rf"[A-Z][\w'’{_INSIDE}-]+")


def _name_runs(
    bodies: Sequence[str],
    ids: set[str],
    lower_words: set[str],
    *,
    skip: set[str] | frozenset[str] = frozenset(),
) -> Iterator[tuple[int, str]]:
    """(index of the text, value): what ``_names`` yields for each of ``bodies``, in order, in
    one pass over them all; values in ``skip`` left out."""
    for text, value, _ in _runs(bodies, ids, lower_words, skip=skip):
        yield text, value


def _runs(
    bodies: Sequence[str],
    ids: set[str],
    lower_words: Container[str],
    *,
    skip: set[str] | frozenset[str] = frozenset(),
    starting: set[str] | None = None,
    openings: bool = True,
    leaning: set[str] | None = None,
) -> Iterator[tuple[int, str, bool]]:
    """(index of the text, value, whether it is a sentence's first word): ``_name_runs``, each
    marked. ``starting``: ``_vocabulary``'s second set, worked out here when not given;
    ``openings``: false leaves the first words of sentences out (``_named_starts`` is not
    run), as the export gate, which does not refuse for them, wants. ``leaning``: gets the
    words (in lower case) of each run that is no name only because ``lower_words`` holds them
    (``witnesses``)."""
    joined = _joined(bodies)
    if starting is None:
        starting = _vocabulary(bodies)[1] if openings else set()
    verdicts: dict[str, bool] = {}
    text = -1
    next_text = 1  # where the text after the current one starts (text 0 after the first \x00)

    def judged(start: int, run: str, opening: bool) -> tuple[int, str, bool] | None:
        nonlocal text, next_text
        while start >= next_text:
            text += 1
            found = joined.find(_SEPARATOR, next_text)
            next_text = found + 1 if found >= 0 else len(joined) + 1
        value = run.strip("'’-" + INSIDE_WORDS)
        keep = verdicts.get(value)
        if keep is None:
            keep = verdicts[value] = value not in skip and _may_be_name(value, ids, lower_words)
            if not keep and leaning is not None and value not in skip:
                leaning.update(_leaning_on(value, ids, lower_words))
        return (text, value, opening) if keep else None

    starts = _named_starts(joined, ids, lower_words, starting)
    named = next(starts, None)
    at = 0
    while at >= 0:
        resume, at = at, -1
        for match in _CAPITALISED_RUN.finditer(joined, resume):
            start = match.start()
            if joined[start - 2].isspace() and _at_sentence_start(joined, start):
                at = start + 1  # a sentence start is _named_starts'; a capital after it is ours
                break
            while named is not None and named[0] < start:
                if (kept := judged(named[0], named[2], True)) is not None:
                    yield kept
                named = next(starts, None)
            if joined[start - 1] in "</":
                continue  # a transcription convention: <UNSURE>, <UNIN/>
            if (kept := judged(start, match.group(), False)) is not None:
                yield kept
    while named is not None:
        if (kept := judged(named[0], named[2], True)) is not None:
            yield kept
        named = next(starts, None)


def _may_be_name(value: str, ids: set[str], lower_words: Container[str]) -> bool:
    """Whether a capitalised run may be a name: not one of the study's own ids, not only common
    words or words the texts also hold in lower case."""
    words = value.split()
    if _ID_PART.split(words[0])[0] in ids:
        return False  # the study's own pseudonymous ids (P01, P02's, P02-baseline)
    return not all(w.lower() in _COMMON or w.lower() in lower_words for w in words)


def _leaning_on(value: str, ids: set[str], lower_words: Container[str]) -> list[str]:
    """The words (in lower case) of a run that is no name (``_may_be_name``) which it is no
    name for only because ``lower_words`` holds them."""
    words = value.split()
    if _ID_PART.split(words[0])[0] in ids:
        return []
    lowered = (w.lower() for w in words)
    return [w for w in lowered if w not in _COMMON and w in lower_words]


class _OrElse:
    """Words in ``first``, or words ``then`` says yes to (``in``, as a set)."""

    def __init__(self, first: Container[str], then: Callable[[str], bool]) -> None:
        self.first, self.then = first, then

    def __contains__(self, word: object) -> bool:
        return word in self.first or (isinstance(word, str) and self.then(word))


def _names(body: str, ids: set[str], lower_words: set[str]) -> Iterator[str]:
    """Capitalised words (and runs of them) in ``body`` that may be names, in order: not a lone
    word at a sentence start, not a transcription convention, not one of the study's own ids,
    not only common words or words the texts also hold in lower case."""
    for _, value in _name_runs([body], ids, lower_words):
        yield value


def _dates_and_numbers(body: str) -> Iterator[tuple[str, str]]:
    """(value, ``date`` or ``number``): every date in ``body``, then every number not inside
    a date."""
    dates = [m.span() for m in _DATE.finditer(body)]
    for match in _DATE.finditer(body):
        yield match.group(0), "date"
    for match in _NUMBER.finditer(body):
        if not any(a <= match.start() < b for a, b in dates):
            yield match.group(0), "number"


def in_context(
    project: Project, word: str, *, limit: int = 6, width: int = 60
) -> list[tuple[str, str]]:
    """(where, the words around it) for the first ``limit`` places ``word`` stands as written
    (a whole word, case as given) in a transcript or an analyst's text: what a reviewer reads to
    tell a name ("Hope said…") from a word. The database narrows down first (``LIKE``)."""
    pattern = whole_word(word)
    found: list[tuple[str, str]] = []
    with project.session(write=False) as s:
        rows = s.execute(
            select(Interview.key, UtteranceRow.position, UtteranceRow.text)
            .join(Interview, UtteranceRow.interview_id == Interview.id)
            .where(UtteranceRow.text.contains(word, autoescape=True))
            .order_by(Interview.key, UtteranceRow.position)
        )
        texts = ((f"interview:{iv} #{pos}", body) for iv, pos, body in rows)
        others = (
            (where, inventory.readable(column, body))
            for item in inventory.walked(PROSE, LABEL)
            for column, _, body, where in inventory.iter_texts(s, (item,), containing=word)
        )
        for where, body in itertools.chain(texts, others):
            for match in pattern.finditer(body):
                start, end = max(match.start() - width, 0), match.end() + width
                if start and (space := body.find(" ", start, match.start())) >= 0:
                    start = space + 1  # whole words at either edge
                if end < len(body) and (space := body.rfind(" ", match.end(), end)) >= 0:
                    end = space
                snippet = " ".join(body[start:end].split())
                found.append(
                    (where, f"{'…' if start else ''}{snippet}{'…' if end < len(body) else ''}")
                )
                if len(found) >= limit:
                    break
            if len(found) >= limit:
                break
        names = inventory.named(s, (where for where, _ in found))
    return [(names.get(where, where), snippet) for where, snippet in found]


def accept_identifier(project: Project, identifier: str, key_path: KeyLocation = None) -> None:
    """Remember an identifier the analyst accepted (in the key: it is itself identifying). A
    word dismissed before is no longer dismissed: the project's list of words that say nothing
    about anyone must not hold it."""
    KeyStore.open(project, key_path, create=True).accept(identifier)
    with project.session() as s:
        row = s.get(Setting, DISMISSED)
        known = dismissed_words(s)
        if row is not None and identifier in known:
            row.value = json.dumps([w for w in known if w != identifier], ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Leak:
    where: str
    """``interview:ID #N``, ``translation``, ``memo``, ``detached coding``"""
    found: str
    """The key's word found."""
    written: str = ""
    """How the text writes it, when that is not ``found`` (``Sa\\u00admer``, ``SAMER``):
    that spelling is what a redaction replaces."""

    def __post_init__(self) -> None:
        if not self.written:
            object.__setattr__(self, "written", self.found)


def check_identifiers(project: Project, key_path: KeyLocation = None) -> list[Leak]:
    """Key originals or accepted identifiers still present anywhere the text inventory lists
    (whatever an export, a shared project file or its history could carry)."""
    key = KeyStore.open(project, key_path)
    needles = [n for n in {*key.originals(), *key.identifiers()} if visible(n).strip()]
    if not needles:
        return []
    with project.session(write=False) as s:
        texts = located_texts(s, (TRANSCRIPT, PROSE, LABEL, JSON, HISTORY))
        return _leaks_named(s, _leaks(texts, needles))


def _leaks(texts: Sequence[tuple[str, str]], needles: Sequence[str]) -> list[Leak]:
    """Each (where, needle) of ``needles`` found as a whole word, in any spelling
    (``loose_word``: any case, Arabic with or without its marks…), in ``texts``."""
    may_hold = first_look(needles)
    if may_hold is None:
        return []
    patterns = [(n, loose_word(n)) for n in needles]
    leaks: list[Leak] = []
    for where, body in texts:
        if not may_hold(body):
            continue
        for needle, pattern in patterns:
            match = pattern.search(body)
            if match:
                leaks.append(Leak(where, needle, match.group(0)))
    return leaks


def located_texts(
    s: Session, kinds: tuple[str, ...], *, words: bool = True
) -> list[tuple[str, str]]:
    """(where, text) for every inventoried text of these kinds: an utterance is
    ``interview:ID #N``, anything else its kind and id (``inventory.where``: ``coding memo
    486a61d6``). ``words``: also the transcription's word rows (copies of the utterances'
    words)."""
    return [(where, body) for _, _, where, _, body in _read_texts(s, kinds, words=words)]


_Text = tuple[inventory.TextColumn, object, str, str, str]
"""(column, row key, where, place, text): ``_read_texts``."""


def _read_texts(
    s: Session,
    kinds: tuple[str, ...],
    *,
    words: bool,
    rows: Mapping[str, Collection[object]] | None = None,
) -> list[_Text]:
    """(column, row key, where, place, text) of ``located_texts``, the place an utterance's
    interview (for suggestions), anything else its where. Read as plain rows on the session's
    connection (after a flush, as the session would), not through the ORM: a third of the
    time. ``rows``: only these rows of these tables (no other table; every row of a table
    whose rows include None, a row the caller cannot name)."""
    s.flush()
    connection = s.connection()
    texts: list[_Text] = []
    for item in inventory.walked(*kinds):
        if rows is not None and item.table not in rows:
            continue
        keys = None if rows is None or None in rows[item.table] else list(rows[item.table])
        if (item.table, item.column) == inventory.UTTERANCES:
            stmt = (
                select(UtteranceRow.id, Interview.key, UtteranceRow.position, UtteranceRow.text)
                .join(Interview, UtteranceRow.interview_id == Interview.id)
                .order_by(Interview.key, UtteranceRow.position)
            )
            if keys is not None:
                stmt = stmt.where(UtteranceRow.id.in_(keys))
            texts += [
                (item, key, f"interview:{iv} #{pos}", iv, body)
                for key, iv, pos, body in connection.execute(stmt).all()
            ]
        elif item.table == "word" and not words:
            continue
        else:
            for column, key, body, where in inventory.iter_texts(connection, (item,), rows=keys):
                texts.append((item, key, where, where, inventory.readable(column, body)))
    return texts


DISMISSED = "pseudonyms.dismissed"
"""The setting holding words reviewed as not identifying (a JSON list)."""


def dismissed_words(s: Session) -> list[str]:
    value = s.get(Setting, DISMISSED)
    return list(json.loads(value.value)) if value is not None else []


def dismiss_identifier(project: Project, word: str) -> None:
    """Mark a suggested word as reviewed and not identifying (kept in the project: it says
    nothing about anyone); the export gate stops asking about it."""
    word = word.strip()
    if not word:
        raise StudyError("give the word to dismiss")
    with project.session() as s:
        known = dismissed_words(s)
        if word not in known:
            known.append(word)
        row = s.get(Setting, DISMISSED)
        if row is None:
            s.add(Setting(key=DISMISSED, value=json.dumps(known, ensure_ascii=False)))
        else:
            row.value = json.dumps(known, ensure_ascii=False)
        project.audit(s, "pseudonyms.dismiss", None)
