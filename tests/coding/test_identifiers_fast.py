"""The identifier pass made fast for the export gate (issue 13) finds exactly what the
straightforward one found: the earlier code is kept here, verbatim, as the reference, and both
run on a corpus of tricky text — sentence starts after ``!``, ``?``, ``:`` and newlines,
transcription conventions, the study's own ids, runs of capitals, apostrophes, hyphens, Arabic
and Ethiopic script, numbers and dates, the very characters the fast pass joins texts with."""

from __future__ import annotations

import contextlib
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.identifiers import (
    _COMMON,
    _ID_PART,
    _LOWER,
    _NAME_ATTRIBUTES,
    _TITLES,
    FIRST_WORD,
    Candidate,
    Leak,
    _dates_and_numbers,
    _lower_words,
    _name_runs,
    _names,
    accept_identifier,
    any_word,
    check_identifiers,
    dismiss_identifier,
    dismissed_words,
    located_texts,
    suggest_identifiers,
)
from workbench.coding.keystore import KeyLocation, KeyStore
from workbench.coding.memos import add_journal_entry, add_memo
from workbench.coding.redaction import redact
from workbench.coding.study import new_study, set_attribute
from workbench.coding.transcripts import interview_text
from workbench.coding.words import loose_word, script_of
from workbench.domain.study import StudyError
from workbench.exchange import gate
from workbench.storage import inventory
from workbench.storage.inventory import HISTORY, JSON, LABEL, PROSE, TRANSCRIPT
from workbench.storage.models import (
    Dyad,
    Interview,
    Participant,
    ParticipantAttribute,
    UtteranceRow,
)
from workbench.storage.project import Project

from ..helpers import interview_with

# --- the reference: the code as it was before the fast pass ----------------------------------

_NOT_AFTER_TITLE = "".join(rf"(?<!\b{re.escape(t)}\.\s)" for t in _TITLES)
_AFTER_TITLE = "|".join(rf"(?<=\b{re.escape(t)}\.\s)" for t in _TITLES)
_CAPITALISED = re.compile(
    rf"(?:(?<![.!?:\n]\s)|{_AFTER_TITLE})(?<!^)\b([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)
_SENTENCES = re.compile("".join(rf"(?<!\b{re.escape(t)}\.)" for t in _TITLES) + r"(?<=[.!?])\s+")
_STARTING = re.compile(rf"(?:^|(?<=[.!?:\n]\s){_NOT_AFTER_TITLE})([A-Z][\w'’-]+)")
"""A capitalised word at a sentence's start, or one space after ``:`` or a newline in it (a
full stop after "Dr" ends no sentence)."""


def reference_runs(body: str, ids: set[str], lower_words: set[str]) -> Iterator[tuple[str, bool]]:
    """(value, whether it is a sentence's first word): the code as it was, and since the
    export gate's rules 2 a sentence's first word when it looks like a name on its own (the
    capitals after it are judged as before)."""

    def ordinary(words: list[str]) -> bool:
        return _ID_PART.split(words[0])[0] in ids or all(
            w.lower() in _COMMON or w.lower() in lower_words for w in words
        )

    for sentence in _SENTENCES.split(body):
        runs = [(m.start(1), m.end(1), m.group(1), False) for m in _CAPITALISED.finditer(sentence)]
        for m in _STARTING.finditer(sentence):
            if not ordinary([m.group(1).strip("'’-")]):
                runs.append((m.start(1), m.end(1), m.group(1), True))
        for start, _, run, first in sorted(runs):
            value = run.strip("'’-")
            if not first and sentence[max(start - 1, 0) : start] in ("<", "/"):
                continue
            if ordinary(value.split()):
                continue
            yield value, first


def reference_names(body: str, ids: set[str], lower_words: set[str]) -> Iterator[str]:
    for value, _ in reference_runs(body, ids, lower_words):
        yield value


def reference_lower_words(bodies: Sequence[str]) -> set[str]:
    return {w for body in bodies for w in _LOWER.findall(body)}


def reference_any_word(needles: Sequence[str], *, folded: bool) -> re.Pattern[str] | None:
    if not needles:
        return None
    ordered = sorted(set(needles), key=lambda n: (-len(n), n))
    flags = re.IGNORECASE if folded else 0
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(n) for n in ordered)})(?!\w)", flags)


def reference_texts(
    s: Session, kinds: tuple[str, ...], *, words: bool = True
) -> list[tuple[str, str]]:
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
                (where, inventory.readable(c, body))
                for c, _, body, where in inventory.iter_texts(s, (item,))
            ]
    return texts


def reference_suggest(
    project: Project,
    key_path: KeyLocation = None,
    *,
    words: Sequence[str] = (),
    names_only: bool = False,
    first_words: bool = True,
) -> list[Candidate]:
    """``first_words``: false leaves sentences' first words out (the gate does not ask)."""
    listed = [w.strip() for w in words if w.strip()]
    known: list[str] = []
    with contextlib.suppress(StudyError):
        known = KeyStore.open(project, key_path).identifiers()
    with project.session(write=False) as s:
        rows = reference_texts(s, (TRANSCRIPT, PROSE), words=False)
        dismissed = set(dismissed_words(s))
        people = [
            value.strip()
            for name, value in s.execute(
                select(ParticipantAttribute.name, ParticipantAttribute.value)
            )
            if value and _NAME_ATTRIBUTES.search(name)
        ]
        ids = {
            *s.scalars(select(Participant.key)),
            *s.scalars(select(Dyad.key)),
            *s.scalars(select(Interview.key)),
        }
    lower_words = {w for _, body in rows for w in _LOWER.findall(body)}
    spelled_from: dict[str, str] = {}
    any_known = reference_any_word(known, folded=False)
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
        for value, first in reference_runs(body, ids, lower_words):
            if first_words or not first:
                note(value, FIRST_WORD if first else "name", interview)
        if not names_only:
            for value, kind in _dates_and_numbers(body):
                note(value, kind, interview)
        for kind, needles in (("listed", listed), ("participant", people)):
            for word in needles:  # every spelling, as written (``loose_word``, test_words.py)
                for match in loose_word(word).finditer(body):
                    spelled_from.setdefault(match.group(0), word)
                    note(match.group(0), kind, interview)
        if any_known is not None and any_known.search(body):
            for word in known:
                if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", body):
                    note(word, "known", interview)
    for value, kind in list(found):
        if kind == FIRST_WORD and (value, "name") in found:
            found[(value, "name")] |= found.pop((value, kind))
            counts[(value, "name")] += counts.pop((value, kind))
    accepted = set(known)
    with project.session(write=False) as s:  # places named as a person finds them
        names = inventory.named(s, (w for places in found.values() for w in places))
    return sorted(
        (
            Candidate(
                value,
                kind,
                counts[(value, kind)],
                tuple(sorted(names.get(w, w) for w in found[(value, kind)])),
                "accepted"
                if {value, spelled_from.get(value)} & accepted
                else "dismissed"
                if {value, spelled_from.get(value)} & dismissed
                else "",
            )
            for value, kind in found
        ),
        key=lambda c: (-c.count, c.text),
    )


def reference_check(project: Project, key_path: KeyLocation = None) -> list[Leak]:
    key = KeyStore.open(project, key_path)
    needles = [n for n in {*key.originals(), *key.identifiers()} if n.strip()]
    patterns = [(n, loose_word(n)) for n in needles]
    leaks: list[Leak] = []
    if not patterns:
        return leaks
    with project.session(write=False) as s:
        texts = reference_texts(s, (TRANSCRIPT, PROSE, LABEL, JSON, HISTORY))
    for where, body in texts:
        for needle, pattern in patterns:
            if pattern.search(body):
                leaks.append(Leak(where, needle))
    with project.session(write=False) as s:  # rows named as a person finds them
        return [Leak(w, leak.found) for w, leak in zip(_named(s, leaks), leaks, strict=True)]


def _named(s: Session, leaks: list[Leak]) -> list[str]:
    return inventory.named_all(s, [leak.where for leak in leaks])


def reference_look_through(project: Project, store: KeyStore | None) -> gate.Precheck:
    """The gate's whole pass as it was: the check, then the names-only suggestions."""
    watched = gate._key_words(store)
    standing: list[gate.Watched] = []
    if store is not None:
        first: dict[str, str] = {}
        for leak in reference_check(project, None):
            first.setdefault(leak.found, leak.where)
        standing += [
            gate.Watched(w.word, w.why, True, first[w.word]) for w in watched if w.word in first
        ]
    seen = {w.word.casefold() for w in watched}
    for candidate in reference_suggest(project, None, names_only=True, first_words=False):
        if candidate.kind not in ("name", "listed", "participant") or candidate.reviewed:
            continue
        if candidate.text.casefold() in seen:
            continue
        seen.add(candidate.text.casefold())
        unreviewed = gate.Watched(
            candidate.text,
            {
                "listed": "a watched word nobody reviewed",
                "participant": "a name from the participant list nobody reviewed",
            }.get(candidate.kind, "a suggested identifier nobody reviewed"),
            False,
            ", ".join(candidate.interviews[:3]),
        )
        watched.append(unreviewed)
        standing.append(unreviewed)
    return gate.Precheck(tuple(watched), tuple(standing), ())


# --- the corpus ---------------------------------------------------------------------------

TRICKY = [
    "Hiba went to Kakuma. She met Amal there! Then Tesfaye? Yes: Mr Haile Selassie came.",
    "At the clinic: Dr. Yonas Berhe said <UNSURE>Kakuma</UNSURE> and <UNIN/> again.",
    "P01 said P01's brother and P01-baseline were fine; D01 too. P02's wife Selam.",
    "Ahmed Hassan arrived.  Then Fatima Al-Sayed left.\n\nMariam Tekle wrote\nAbeba Girma.",
    "O'Brien and Jean-Paul met Sara’s family; ’Tis fine. Al-Hassan's house-Boat near Mogadishu.",
    "We spoke Arabic and English on Monday, 3 March 2021; also 12/05/2020 and March 3rd.",
    "Numbers: 0912 345 678, block 12-34-56, room 10:30 and camp ٣٤٥٦ near Adi Harush.",
    "ሰላም ተስፋዬ Tesfaye ካኩማ Kakuma and عمل مخيم كاكوما with Amal.",
    "the kakuma camp, the amal word in lower case; well-known Well-Known O'neil Neil.",
    "UNHCR and IOM staff; NGO workers? The UN.\tTab\tSeparated Names Here.",
    "!Start Bang? Question: Colon\nNewline Word\n Indented Word\r\nCarriage Return",
    "...Ellipsis Names... And More!!! Exclaimed Someone?? Really Yes.",
    "I'm Jamal, I'd say I've met Khalid; I'll see Yusuf. It's Omar's.",
    "Trailing apostrophe Names' and hyphen Names- and quote 'Quoted Name' here.",
    '(Bracketed Name) [Square Name] {Brace Name} "Double Quoted" — Dash Name – En Name.',
    "A B C. Ab Cd. AB CD EF. X-Ray Y'all Z’s.",
    "Interviewer: Patient Clinician Interpreter said God Allah Thank Please Sorry.",
    "P01 P02 D01 I01 P01-mid P02's and Pxx01 Hiba-P01.",
    "Mr Smith; Mrs Jones: Ms Brown! Miss Green? Dr Black.",
    "Dr. Brandt gave. Mrs.  Selam and Prof.\nAmal; DDr. Hiba, xMr. Tesfaye. St. Mary's, Rev.",
    "Some (e.g. Hiba) and i.e. Amal; cf. Selam, vs. Tesfaye, ie. Asmara, eg. Kakuma. E.g. Yonas",
    "\u00a0Non-breaking Space\u00a0Name and Zero\u200bWidth Name; Über Ökonom Élise.",
    "",
    " ",
    "Leading space. \nTrailing Newline.\n",
    "Hiba",
    " Hiba",
    "hiba Hiba HIBA hIBA",
    "Line one ends here.\nLine Two Starts\nline three Mentions Asmara.",
    "Dates 1999 and 2024-01-05; 5th of June; June 5th; 31.12.1999 Kassala 2010s.",
    "\u2019Apostrophe Start and ’Selam’ with curly quotes “Curly Name” ‘Single Curly’.",
    "Name:Colon Name!Bang Name?Query Name.Dot Name,Comma Name;Semi",
    "a.B c!D e?F g:H i\nJ k",
    "Nul\x00Inside Text\x00 Nul and Soh\x01Inside Too.\x00Start After",
    "End with a stop. ",
    ".\u2003Em Space Start!\u2028Line Separator Start?\u0085Next Line Start",
    "Kelvin \u212a and long \u017f and dotted \u0130stanbul Istanbul.",
]

_TOKENS = [
    "Hiba", "Amal", "Selam", "Kakuma", "kakuma", "the", "The", "I'm", "P01", "P01's", "D01-x",
    "Ahmed Hassan", "O'Brien", "Al-Sayed", "Sara’s", "UN", "A", "Ab", "x", "Über", "élise",
    "ሰላም", "ተስፋዬ", "عمل", "مخيم", "٣٤٥٦", "0912 345", "2021", "3 March", "10:30",
    "Dr.", "Mrs.", "Prof.", "e.g.", "<UNSURE>", "</UNSURE>", "<UNIN/>", "/Slash", "Names'", "Names-", "'Quoted", "’Tis",
    ".", "!", "?", ":", ";", ",", "...", "—", "-", "'", "’", "(", ")", '"', "<", "/",
    "\x00", "\x01", "\u00a0", "\u2028", "\u3000", "\t",
]  # fmt: skip
_GAPS = ["", " ", " ", " ", "  ", "\n", "\n\n", " \t ", "\r\n", "\u2003"]


def fuzz(seed: int, count: int) -> list[str]:
    """Texts made of the corpus' hard parts, shuffled."""
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_TOKENS) + rng.choice(_GAPS) for _ in range(rng.randint(0, 14))).rstrip(
            rng.choice(["", " ", "\n"])
        )
        for _ in range(count)
    ]


CORPUS = TRICKY + fuzz(13, 3000)
IDS = {"P01", "P02", "D01", "I01"}


# --- the fast pass against the reference ------------------------------------------------------


def test_the_regex_engine_and_python_agree_on_spaces_and_word_characters() -> None:
    """The fast pass finds sentence starts with ``str.isspace`` and lower-case words per
    space-separated chunk: both rely on ``\\s`` being exactly ``isspace`` and no space being a
    word character, for every character."""
    space, word = re.compile(r"\s"), re.compile(r"\w")
    for code in range(0x110000):
        ch = chr(code)
        if unicodedata.category(ch) == "Cs":
            continue
        assert bool(space.match(ch)) == ch.isspace(), hex(code)
        assert not (ch.isspace() and word.match(ch)), hex(code)


def test_lower_words_are_the_same() -> None:
    assert _lower_words(CORPUS) == reference_lower_words(CORPUS)
    for body in CORPUS[:300]:
        assert _lower_words([body]) == reference_lower_words([body]), repr(body)


@pytest.mark.parametrize("lower", ["the corpus'", "none"])
def test_names_of_each_text_are_the_same(lower: str) -> None:
    lower_words = reference_lower_words(CORPUS) if lower != "none" else set()
    for body in CORPUS:
        assert list(_names(body, IDS, lower_words)) == list(
            reference_names(body, IDS, lower_words)
        ), repr(body)


def test_names_of_all_texts_at_once_are_the_same() -> None:
    lower_words = reference_lower_words(CORPUS)
    expected = [
        (i, value)
        for i, body in enumerate(CORPUS)
        for value in reference_names(body, IDS, lower_words)
    ]
    assert list(_name_runs(CORPUS, IDS, lower_words)) == expected
    assert len(expected) > 1000  # the corpus finds names, so the comparison says something
    skip = {"Hiba", "Ahmed Hassan", "Selam"}
    assert list(_name_runs(CORPUS, IDS, lower_words, skip=skip)) == [
        (i, value) for i, value in expected if value not in skip
    ]


@pytest.mark.parametrize(
    "needles",
    [
        ["Hiba"],
        ["Hiba", "Amal", "hiba amal", "ab", "Ahmed Hassan", "ተስፋዬ", "مخيم", "P01's", "k"],
        ["Kakuma", "Kakum", "Kak", "a", "I'm", "’Tis", "s", "i", "x y", "Names-"],
    ],
)
@pytest.mark.parametrize("folded", [True, False])
def test_any_word_matches_where_it_did(needles: list[str], folded: bool) -> None:
    """Single words in scripts without joined words: exactly where the plain pattern matches;
    others (Arabic, Ge'ez, several words): a first look that never misses a text."""
    fast, slow = any_word(needles, folded=folded), reference_any_word(needles, folded=folded)
    assert fast is not None and slow is not None
    plain = all(script_of(n) == "other" and " " not in n for n in needles)
    for body in CORPUS:
        if plain:
            assert [m.span() for m in fast.finditer(body)] == [
                m.span() for m in slow.finditer(body)
            ], repr(body)
        elif slow.search(body):
            assert fast.search(body), repr(body)


# --- on a project: the public API and the gate ------------------------------------------------


def _tricky_study(path: Path) -> Project:
    """A study whose transcript, coding memos, memos and journal hold the tricky corpus; a
    key with a redaction and accepted words; dismissed words; names in the participant list."""
    p = new_study(path, title="Tricky study")
    lines = [("P01" if i % 2 else "R01", text) for i, text in enumerate(TRICKY) if text.strip()]
    lines += [("P01", text) for text in fuzz(5, 120) if text.strip()]
    interview_with(p, "I01", lines, people=(("P01", "patient"), ("R01", "researcher")))
    interview_with(
        p, "I02", [("P02", t) for t in TRICKY[::-1] if t.strip()], people=(("P02", "patient"),)
    )
    add_code(p, "talk")
    full = interview_text(p, "I01")
    for i, text in enumerate(t for t in TRICKY if t.strip()):
        if i < 12:
            at = full.index(text[:5])
            apply_code(p, "I01", at, at + 5, "talk", memo=text)
        add_memo(p, text)
        add_journal_entry(p, f"{text} entry {i}")
    set_attribute(p, "P01", "first_name", "Amal")
    set_attribute(p, "P02", "nickname", "ተስፋዬ")
    set_attribute(p, "R01", "alias", "Selam")
    redact(p, "[place]", everywhere="Kassala")
    accept_identifier(p, "Tesfaye")
    accept_identifier(p, "Asmara")
    dismiss_identifier(p, "Ahmed Hassan")
    dismiss_identifier(p, "Yonas Berhe")
    return p


WORDS = ["Kakuma", "ካኩማ", "مخيم", "camp", "Adi Harush", " "]


def test_suggestions_check_and_gate_are_the_same_on_a_project(tmp_path: Path) -> None:
    with _tricky_study(tmp_path / "study.dyad") as p:
        for names_only in (False, True):
            for words in ((), WORDS):
                assert suggest_identifiers(p, words=words, names_only=names_only) == (
                    reference_suggest(p, words=words, names_only=names_only)
                )
        leaks = check_identifiers(p)
        assert leaks == reference_check(p) and leaks
        found, _ = gate._look_through(p, KeyStore.open(p, None))
        assert found == reference_look_through(p, KeyStore.open(p, None))
        assert len(found.standing) > 20
        with p.session(write=False) as s:
            for kinds, words_too in (((TRANSCRIPT,), False), ((PROSE, LABEL, JSON), True)):
                assert located_texts(s, kinds, words=words_too) == reference_texts(
                    s, kinds, words=words_too
                )


def test_the_gate_without_a_key_is_the_same(tmp_path: Path) -> None:
    with _tricky_study(tmp_path / "study.dyad") as p:
        assert p.path is not None
        p.path.with_suffix(".dyadkey").unlink()
        found, _ = gate._look_through(p, None)
        assert found == reference_look_through(p, None)
        assert found.standing


def test_a_name_that_starts_a_sentence_counts_an_ordinary_word_does_not() -> None:
    """Since the gate's rules 2: a sentence's first word counts when it looks like a name on its
    own; an ordinary first word (a function word, or one written in lower case elsewhere) is
    passed over; the capitals after it are judged as before."""
    lower = {"red", "clinic", "cross"}

    def names(body: str) -> list[str]:
        return list(_names(body, IDS, lower))

    assert names("Zubaida said the nights are long.") == ["Zubaida"]
    assert names("It rained. Zubaida Hassan came: Amal too.") == ["Zubaida", "Hassan", "Amal"]
    assert names("O'Brien came.") == ["O'Brien", "Brien"]  # Brien was found before
    assert names("The Red Cross came. At the clinic nobody.") == []
    assert names("The Red Crescent came.") == ["Red Crescent"]
    assert names("P01 said so. Hmm. Yep, Dr. Yonas Berhe.") == ["Yonas Berhe"]  # no sentence end
    assert names("Clinic\n Zubaida said") == ["Zubaida"]  # a new line: a start of its own
    runs = list(_name_runs(["Zubaida said.", "x Zubaida", "Amal."], IDS, lower, skip={"Amal"}))
    assert runs == [(0, "Zubaida"), (1, "Zubaida")]
