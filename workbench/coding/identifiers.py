"""Finding identifiers to review, and checking that none the key knows is left in the project."""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from workbench.coding.keystore import KeyLocation, KeyStore
from workbench.domain.study import StudyError
from workbench.storage.models import (
    Coding,
    DetachedCoding,
    Interview,
    Memo,
    ParticipantAttribute,
    Translation,
    UtteranceRow,
)
from workbench.storage.project import Project


def whole_word(needle: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")


def whole_word_folded(needle: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE)


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


_NUMBER = re.compile(r"(?<![\w:./-])\d[\d ./-]{2,}\d(?![\w:])")
"""Three or more digits in a run (phone, case, camp-block or file numbers), in any script's
digits; times of day (10:30) are not identifiers."""
_NAME_ATTRIBUTES = re.compile(r"name|pseudonym|alias|nickname", re.IGNORECASE)


def suggest_identifiers(
    project: Project, key_path: KeyLocation = None, *, words: Sequence[str] = ()
) -> list[Candidate]:
    """Candidate identifiers for review; nothing is redacted until the analyst accepts.

    Besides capitalised words, dates and numbers, ``words`` (the analyst's own list: towns,
    camps, clinics, in any script) and names the participant list holds (attributes such as
    ``first_name``) are looked for as whole words, so an Arabic or Tigrinya name is found too.
    """
    listed = [w.strip() for w in words if w.strip()]
    known: list[str] = []
    with contextlib.suppress(StudyError):  # no key yet: nothing accepted yet
        known = KeyStore.open(project, key_path).identifiers()
    with project.session(write=False) as s:
        rows = s.execute(
            select(Interview.key, UtteranceRow.text)
            .join(Interview, UtteranceRow.interview_id == Interview.id)
            .order_by(Interview.key, UtteranceRow.position)
        ).all()
        people = [
            value.strip()
            for name, value in s.execute(
                select(ParticipantAttribute.name, ParticipantAttribute.value)
            )
            if value and _NAME_ATTRIBUTES.search(name)
        ]
    lower_words = Counter(w for _, body in rows for w in re.findall(r"\b[a-z][\w'’-]*", body))
    found: dict[tuple[str, str], set[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()

    def note(value: str, kind: str, interview: str) -> None:
        found.setdefault((value, kind), set()).add(interview)
        counts[(value, kind)] += 1

    for interview, body in rows:
        for sentence in re.split(r"(?<=[.!?])\s+", body):
            for match in _CAPITALISED.finditer(sentence):
                value = match.group(1).strip("'’-")
                words = value.split()
                if match.start(1) == 0 and len(words) == 1:
                    continue  # a sentence start says nothing
                if all(w.lower() in _COMMON or lower_words[w.lower()] > 0 for w in words):
                    continue
                note(value, "name", interview)
        dates = [m.span() for m in _DATE.finditer(body)]
        for match in _DATE.finditer(body):
            note(match.group(0), "date", interview)
        for match in _NUMBER.finditer(body):
            if not any(a <= match.start() < b for a, b in dates):
                note(match.group(0), "number", interview)
        for kind, needles in (("listed", listed), ("participant", people)):
            for word in needles:
                if whole_word_folded(word).search(body):
                    note(word, kind, interview)
        for word in known:
            if whole_word(word).search(body):
                note(word, "known", interview)
    return sorted(
        (
            Candidate(value, kind, counts[(value, kind)], tuple(sorted(found[(value, kind)])))
            for value, kind in found
        ),
        key=lambda c: (-c.count, c.text),
    )


def accept_identifier(project: Project, identifier: str, key_path: KeyLocation = None) -> None:
    """Remember an identifier the analyst accepted (in the key: it is itself identifying)."""
    KeyStore.open(project, key_path, create=True).accept(identifier)


@dataclass(frozen=True, slots=True)
class Leak:
    where: str
    """``interview:ID #N``, ``translation``, ``memo``, ``detached coding``"""
    found: str


def check_identifiers(project: Project, key_path: KeyLocation = None) -> list[Leak]:
    """Key originals or accepted identifiers still present in text an export would write."""
    key = KeyStore.open(project, key_path)
    needles = [n for n in {*key.originals(), *key.identifiers()} if n.strip()]
    patterns = [(n, re.compile(rf"(?<!\w){re.escape(n)}(?!\w)", re.IGNORECASE)) for n in needles]
    leaks: list[Leak] = []
    with project.session(write=False) as s:
        texts: list[tuple[str, str]] = [
            (f"interview:{key_} #{pos}", body)
            for key_, pos, body in s.execute(
                select(Interview.key, UtteranceRow.position, UtteranceRow.text).join(
                    Interview, UtteranceRow.interview_id == Interview.id
                )
            )
        ]
        texts += [("translation", t) for t in s.scalars(select(Translation.text))]
        texts += [("memo", t) for t in s.scalars(select(Memo.text))]
        texts += [("detached coding", t) for t in s.scalars(select(DetachedCoding.text))]
        texts += [("coding memo", t) for t in s.scalars(select(Coding.memo)) if t]
    for where, body in texts:
        for needle, pattern in patterns:
            if pattern.search(body):
                leaks.append(Leak(where, needle))
    return leaks
