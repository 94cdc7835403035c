"""Finding identifiers to review, and checking that none the key knows is left in the project."""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding.keystore import KeyLocation, KeyStore
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


def whole_word(needle: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")


def whole_word_folded(needle: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE)


def any_word(needles: Sequence[str], *, folded: bool) -> re.Pattern[str] | None:
    """One pattern that finds a text holding any of ``needles`` as a whole word: a cheap first
    look, so each needle's own pattern runs only on the few texts that hold one."""
    if not needles:
        return None
    ordered = sorted(set(needles), key=lambda n: (-len(n), n))
    flags = re.IGNORECASE if folded else 0
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(n) for n in ordered)})(?!\w)", flags)


_COMMON = frozenset(
    [
        "i",
        "i'm",
        "i've",
        "i'll",
        "i'd",
        "the",
        "a",
        "an",
        "and",
        "but",
        "or",
        "so",
        "yes",
        "no",
        "okay",
        "ok",
        "um",
        "uh",
        "mm",
        "hm",
        "yeah",
        "well",
        "oh",
        "right",
        "what",
        "when",
        "where",
        "why",
        "how",
        "who",
        "which",
        "this",
        "that",
        "these",
        "those",
        "it",
        "it's",
        "he",
        "she",
        "we",
        "they",
        "you",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "there",
        "here",
        "then",
        "now",
        "today",
        "tomorrow",
        "yesterday",
        "thank",
        "thanks",
        "please",
        "sorry",
        "doctor",
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "god",
        "allah",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "english",
        "arabic",
        "interviewer",
        "patient",
        "clinician",
        "interpreter",
    ]
)
_DATE = re.compile(
    r"\b(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}(st|nd|rd|th)? (of )?(January|February|March|"
    r"April|May|June|July|August|September|October|November|December)|(January|February|March|"
    r"April|May|June|July|August|September|October|November|December) \d{1,2}(st|nd|rd|th)?|"
    r"\b(19|20)\d{2}\b)"
)
_CAPITALISED = re.compile(r"(?<![.!?:\n]\s)(?<!^)\b([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)")


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    kind: str
    """``name`` (capitalised, not at a sentence start), ``date``, ``number``, ``listed`` (the
    analyst's word list), ``participant`` (a name the participant list holds) or ``known``
    (accepted before)."""
    count: int
    interviews: tuple[str, ...]
    """Where it occurs: interview ids, or what holds it (``coding memo #4``)."""
    reviewed: str = ""
    """``dismissed`` (not identifying), ``accepted`` (an identifier: redact it), or empty."""


_NUMBER = re.compile(r"(?<![\w:./-])\d[\d ./-]{2,}\d(?![\w:])")
"""Three or more digits in a run (phone, case, camp-block or file numbers), in any script's
digits; times of day (10:30) are not identifiers."""
_LOWER = re.compile(r"\b[a-z][\w'’-]*")
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
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
    camps, clinics, in any script) and names the participant list holds (attributes such as
    ``first_name``) are looked for as whole words, so an Arabic or Tigrinya name is found too.
    """
    listed = [w.strip() for w in words if w.strip()]
    known: list[str] = []
    with contextlib.suppress(StudyError):  # no key yet: nothing accepted yet
        known = KeyStore.open(project, key_path).identifiers()
    with project.session(write=False) as s:
        rows, dismissed, people, ids = _identifier_sources(s)
    lower_words = {w for _, body in rows for w in _LOWER.findall(body)}
    listed_or_people = any_word([*listed, *people], folded=True)
    any_known = any_word(known, folded=False)
    found: dict[tuple[str, str], set[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()

    def note(value: str, kind: str, interview: str) -> None:
        found.setdefault((value, kind), set()).add(interview)
        counts[(value, kind)] += 1

    for where, body in rows:
        interview = (
            where.removeprefix("interview:").rsplit(" #", 1)[0]
            if where.startswith("interview:")
            else where
        )
        for value in _names(body, ids, lower_words):
            note(value, "name", interview)
        if not names_only:
            for value, kind in _dates_and_numbers(body):
                note(value, kind, interview)
        if listed_or_people is not None and listed_or_people.search(body):
            for kind, needles in (("listed", listed), ("participant", people)):
                for word in needles:
                    if whole_word_folded(word).search(body):
                        note(word, kind, interview)
        if any_known is not None and any_known.search(body):
            for word in known:
                if whole_word(word).search(body):
                    note(word, "known", interview)
    accepted = set(known)
    return sorted(
        (
            Candidate(
                value,
                kind,
                counts[(value, kind)],
                tuple(sorted(found[(value, kind)])),
                "accepted" if value in accepted else "dismissed" if value in dismissed else "",
            )
            for value, kind in found
        ),
        key=lambda c: (-c.count, c.text),
    )


def _identifier_sources(
    s: Session,
) -> tuple[list[tuple[str, str]], set[str], list[str], set[str]]:
    """What ``suggest_identifiers`` looks through and against: the (where, text) of every
    transcript and prose text, the dismissed words, the names the participant list holds, and
    the study's own ids (participants, dyads, interviews)."""
    rows = located_texts(s, (TRANSCRIPT, PROSE), words=False)
    dismissed = set(dismissed_words(s))
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
    return rows, dismissed, people, ids


def _names(body: str, ids: set[str], lower_words: set[str]) -> Iterator[str]:
    """Capitalised words (and runs of them) in ``body`` that may be names, in order: not a lone
    word at a sentence start, not a transcription convention, not one of the study's own ids,
    not only common words or words the texts also hold in lower case."""
    for sentence in _SENTENCES.split(body):
        for match in _CAPITALISED.finditer(sentence):
            value = match.group(1).strip("'’-")
            words = value.split()
            if match.start(1) == 0 and len(words) == 1:
                continue  # a sentence start says nothing
            if sentence[max(match.start(1) - 1, 0) : match.start(1)] in ("<", "/"):
                continue  # a transcription convention: <UNSURE>, <UNIN/>
            if _ID_PART.split(words[0])[0] in ids:
                continue  # the study's own pseudonymous ids (P01, P02's, P02-baseline)
            if all(w.lower() in _COMMON or w.lower() in lower_words for w in words):
                continue
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


def accept_identifier(project: Project, identifier: str, key_path: KeyLocation = None) -> None:
    """Remember an identifier the analyst accepted (in the key: it is itself identifying)."""
    KeyStore.open(project, key_path, create=True).accept(identifier)


@dataclass(frozen=True, slots=True)
class Leak:
    where: str
    """``interview:ID #N``, ``translation``, ``memo``, ``detached coding``"""
    found: str


def check_identifiers(project: Project, key_path: KeyLocation = None) -> list[Leak]:
    """Key originals or accepted identifiers still present anywhere the text inventory lists
    (whatever an export, a shared project file or its history could carry)."""
    key = KeyStore.open(project, key_path)
    needles = [n for n in {*key.originals(), *key.identifiers()} if n.strip()]
    patterns = [(n, whole_word_folded(n)) for n in needles]
    leaks: list[Leak] = []
    if not patterns:
        return leaks
    with project.session(write=False) as s:
        texts = located_texts(s, (TRANSCRIPT, PROSE, LABEL, JSON, HISTORY))
    first_look = any_word(needles, folded=True)
    assert first_look is not None
    for where, body in texts:
        if not first_look.search(body):
            continue
        for needle, pattern in patterns:
            if pattern.search(body):
                leaks.append(Leak(where, needle))
    return leaks


def located_texts(
    s: Session, kinds: tuple[str, ...], *, words: bool = True
) -> list[tuple[str, str]]:
    """(where, text) for every inventoried text of these kinds: an utterance is
    ``interview:ID #N``, anything else ``coding memo #4`` (its kind and row). ``words``: also the
    transcription's word rows (copies of the utterances' words)."""
    texts: list[tuple[str, str]] = []
    for item in inventory.walked(*kinds):
        if (item.table, item.column) == ("utterance", "text"):
            texts += [
                (f"interview:{iv} #{pos}", body)
                for iv, pos, body in s.execute(
                    select(Interview.key, UtteranceRow.position, UtteranceRow.text)
                    .join(Interview, UtteranceRow.interview_id == Interview.id)
                    .order_by(Interview.key, UtteranceRow.position)
                )
            ]
        elif item.table == "word" and not words:
            continue
        else:
            texts += [
                (f"{c.label} #{k}", inventory.readable(c, body))
                for c, k, body in inventory.iter_texts(s, (item,))
            ]
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
