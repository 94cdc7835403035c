"""Full-text search over utterances, with one meaning on SQLite and PostgreSQL.

Query syntax: words (all must occur), ``word*`` for a prefix, ``"two words"`` for a phrase,
``"two wor"*`` for a phrase whose last word may end any way.
Matching is case-insensitive with diacritics folded, no stemming, whole tokens. In scripts that
write short words joined to the next one (Arabic: و ف ب ل ك; Tigrinya: ብ ን ናብ ካብ ኣብ ምስ, and
its suffixes ‑ን ‑ውን; Amharic: በ ለ ከ የ, ‑ና ‑ም; ``domain.text.JOINED_BEFORE``), a word is
also found with them: رنا finds ورنا ("and Rana"), "دير النور" finds بدير النور — a joined word
before a phrase's first word, a suffix after its first and last (the joined words of the
whole-word rules in ``coding.words``), and an Arabic word also with ة or ه, ى or ي at its end
and a word with the article after a joined ل written لل (للزعتري for "to al-Zaatari"). Tatweel
and a soft hyphen inside a word are not folded by the index. Both databases index the same
folded token stream (``utterance.search_text``); here a query is turned into the same tokens and
then into FTS5 or tsquery syntax, so neither database's parser interprets it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, TextClause, column, func, select, text
from sqlalchemy.orm import Session

from workbench.domain.study import SearchHit, StudyError
from workbench.domain.text import (
    JOINED_AFTER,
    JOINED_BEFORE,
    SAME_LETTERS,
    TOKEN_CATEGORIES,
    script_of,
    search_tokens,
)
from workbench.storage import inventory
from workbench.storage.models import Interview, Participant, UtteranceRow
from workbench.storage.project import Project

_TERM_RE = re.compile(r'"([^"]*)("\*?)?|(\S+)')
"""A phrase (``"two words"``, ``"two wor"*`` for any ending of its last word), or a word."""
SNIPPET_CHARS = 160


@dataclass(frozen=True, slots=True)
class Term:
    """A phrase of one or more tokens; ``prefix`` applies to its last token."""

    tokens: tuple[str, ...]
    prefix: bool = False
    joined: bool = False
    """Also found with the words its script writes joined to a word (``spellings``)."""

    def spellings(self) -> list[tuple[str, ...]]:
        """The phrases this term finds: its tokens as given, and with ``joined`` each with a
        word joined before its first token and a suffix after its first and last (not after a
        prefix's last: ``word*`` finds any ending)."""
        if not self.joined:
            return [self.tokens]
        last = len(self.tokens) - 1
        choices: list[list[str]] = []
        for i, token in enumerate(self.tokens):
            script = script_of(token)
            open_ended = self.prefix and i == last
            forms = _arabic_forms(token, open_ended) if script == "arabic" else [token]
            before = ("", *JOINED_BEFORE.get(script, ())) if i == 0 else ("",)
            may_end = i in (0, last) and not open_ended
            after = ("", *JOINED_AFTER.get(script, ())) if may_end else ("",)
            found = [b + form + a for form in forms for b in before for a in after]
            if i == 0 and script == "arabic" and token.startswith("ال"):
                # ل ال written لل: ل and the article without its alif (ولل, فلل with و, ف)
                found += [j + form[1:] for form in forms for j in ("ل", "ول", "فل")]
            choices.append(list(dict.fromkeys(found)))
        return [tuple(p) for p in itertools.product(*choices)]


_WRITTEN_FOR = {same[i]: same[1 - i] for same in SAME_LETTERS if len(same) == 2 for i in (0, 1)}
"""Arabic letters written for one another at a word's end: ta marbuta or ha, alif maqsura or ya
(فاطمة, فاطمه; مصطفى, مصطفي), as redaction's spellings take them. (Alif's forms need nothing
here: the index folds hamza and madda away.)"""


def _arabic_forms(token: str, open_ended: bool) -> list[str]:
    """``token`` and, unless its end is open (``word*``), with the other letter written for its
    last one."""
    other = _WRITTEN_FOR.get(token[-1]) if not open_ended else None
    return [token] if other is None else [token, token[:-1] + other]


def parse_query(query: str, *, joined: bool = True) -> list[Term]:
    """The terms of ``query``; ``joined``: each also found with the words its script writes
    joined to it (a search; false: exactly its tokens, as a withdrawal asks)."""
    terms: list[Term] = []
    for match in _TERM_RE.finditer(query):
        phrase, closing, word = match.groups()
        if phrase is not None:
            tokens = tuple(search_tokens(phrase))
            if tokens:
                terms.append(Term(tokens, bool(closing and closing.endswith("*")), joined))
            continue
        prefix = word.endswith("*")
        tokens = tuple(search_tokens(word.rstrip("*")))
        if tokens:
            # A "word" the tokenizer splits (e-mail, ZWNJ in Farsi) is searched as a phrase.
            terms.append(Term(tokens, prefix, joined))
    if not terms:
        raise StudyError("nothing to search for: give at least one word")
    return terms


def _fts5_query(terms: list[Term]) -> str:
    # Tokens hold only letters, digits and marks, so quoting them needs no escaping.
    star = {True: "*", False: ""}
    return " AND ".join(
        "(" + " OR ".join('"' + " ".join(p) + '"' + star[t.prefix] for p in t.spellings()) + ")"
        for t in terms
    )


def _tsquery(terms: list[Term]) -> str:
    parts = []
    for t in terms:
        spellings = t.spellings()
        lexemes = []
        for i in range(len(t.tokens)):
            last = t.prefix and i == len(t.tokens) - 1
            forms = sorted({p[i] for p in spellings})
            lexemes.append("(" + " | ".join(f"'{f}'" + (":*" if last else "") for f in forms) + ")")
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def matching_ids(session: Session, terms: list[Term]) -> list[int]:
    """Ids of the utterances that match every term (the index asked directly: a withdrawal
    asks it about every run of five words, where building a statement each time would cost
    more than the answer)."""
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(
            text("SELECT rowid FROM utterance_fts WHERE utterance_fts MATCH :q"),
            {"q": _fts5_query(terms)},
        )
    else:
        rows = session.execute(
            text("SELECT id FROM utterance WHERE search_vector @@ CAST(:q AS tsquery)"),
            {"q": _tsquery(terms)},
        )
    return [int(r[0]) for r in rows]


def _matching(session: Session, terms: list[Term]) -> ColumnElement[bool] | TextClause:
    """The condition an utterance matching every term meets, for a query's WHERE: the index
    narrows down, and ordering and a limit stay with the database."""
    if session.get_bind().dialect.name == "sqlite":
        found = text("SELECT rowid FROM utterance_fts WHERE utterance_fts MATCH :q").bindparams(
            q=_fts5_query(terms)
        )
        return UtteranceRow.id.in_(found.columns(column("rowid", Integer)))
    return text("utterance.search_vector @@ CAST(:q AS tsquery)").bindparams(q=_tsquery(terms))


def count(project: Project, query: str) -> tuple[int, int]:
    """How many utterances match ``query``, and in how many interviews."""
    terms = parse_query(query)
    with project.session(write=False) as s:
        row = s.execute(
            select(func.count(), func.count(func.distinct(UtteranceRow.interview_id))).where(
                _matching(s, terms)
            )
        ).one()
    return int(row[0]), int(row[1])


_CHUNK = re.compile(r"\S+")


def where_found(text_: str, query: str) -> tuple[int, int] | None:
    """Where ``query``'s first term stands in an utterance's ``text_`` (code points, end
    exclusive): the words holding it, without the punctuation around them; None when it does
    not stand there."""
    return _place(text_, parse_query(query)[0])


def _place(text_: str, term: Term) -> tuple[int, int] | None:
    """The first place ``term`` stands in ``text_`` (read up to there only): from the start of
    its first token to the end of its last, as written."""
    spellings = [(list(p[:-1]), p[-1], len(p)) for p in term.spellings()]
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    for chunk in _CHUNK.finditer(text_):
        got = search_tokens(chunk.group())
        runs = _runs(text_, *chunk.span())
        if len(runs) != len(got) and runs:  # folding made one token of several runs: all of them
            runs = [(runs[0][0], runs[-1][1])] * len(got)
        for token, span in zip(got, runs, strict=True):
            tokens.append(token)
            spans.append(span)
            for before, last, n in spellings:
                if len(tokens) < n or (
                    not token.startswith(last) if term.prefix else token != last
                ):
                    continue
                if n == 1 or tokens[-n:-1] == before:
                    return spans[-n][0], spans[-1][1]
    return None


_WORDISH = TOKEN_CATEGORIES | {"Mn"}
"""What a search token is made of, as written (``domain.text`` drops the marks from it)."""


def _runs(text_: str, a: int, b: int) -> list[tuple[int, int]]:
    """The runs of letters, digits and marks in ``text_[a:b]``: where each of its tokens is."""
    runs: list[tuple[int, int]] = []
    start = -1
    for i in range(a, b):
        if unicodedata.category(text_[i]) in _WORDISH:
            if start < 0:
                start = i
        elif start >= 0:
            runs.append((start, i))
            start = -1
    if start >= 0:
        runs.append((start, b))
    return runs


def _snippet(text_: str, terms: list[Term]) -> str:
    """The utterance, or when it is long a piece of it that starts a few words before the first
    term (so a list that cuts lines at their end still shows it). Found as a plain substring of
    the folded case, which is quick (``where_found`` is exact)."""
    if len(text_) <= SNIPPET_CHARS:
        return text_
    at = text_.casefold().find(terms[0].tokens[0])
    if at < 0 and not text_.isascii():  # café for cafe, مُحَمَّد for محمد: read it properly
        place = _place(text_, terms[0])
        at = place[0] if place is not None else -1
    if at > 0:
        start = max(0, at - SNIPPET_CHARS // 4)
        space = text_.find(" ", start, at)
        at = space + 1 if start and space >= 0 else start  # a whole word first
    at = max(at, 0)
    piece = text_[at : at + SNIPPET_CHARS]
    return ("…" if at else "") + piece + ("…" if at + SNIPPET_CHARS < len(text_) else "")


def search(project: Project, query: str, *, limit: int | None = None) -> list[SearchHit]:
    """Utterances matching ``query``, in interview order then utterance order (the first
    ``limit`` of them: the database orders and stops)."""
    terms = parse_query(query)
    with project.session(write=False) as s:
        stmt = (
            select(
                Interview.key,
                UtteranceRow.position,
                Participant.key,
                UtteranceRow.speaker_label,
                UtteranceRow.start_ms,
                UtteranceRow.end_ms,
                UtteranceRow.text,
            )
            .join(Interview, UtteranceRow.interview_id == Interview.id)
            .outerjoin(Participant, UtteranceRow.speaker_id == Participant.id)
            .where(_matching(s, terms))
            .order_by(Interview.key, UtteranceRow.position)
        )
        if limit:
            stmt = stmt.limit(limit)
        return [
            SearchHit(
                interview=key,
                utterance=position,
                speaker=speaker or label,
                start_ms=start_ms,
                end_ms=end_ms,
                text=body,
                snippet=_snippet(body, terms),
            )
            for key, position, speaker, label, start_ms, end_ms, body in s.execute(stmt)
        ]


NOTES = (
    ("memo", "text"),
    ("coding", "memo"),
    ("detached_coding", "memo"),
    ("journal_entry", "text"),
    ("cell_summary", "text"),
    ("trajectory", "text"),
    ("dyad_stance", "note"),
    ("theme", "concept"),
    ("theme", "definition"),
    ("code", "definition"),
    ("code", "inclusion"),
    ("code", "exclusion"),
)
"""What the analyst writes (``inventory``): memos, coding memos, the journal, cell summaries,
trajectory and stance notes, theme and code definitions — searched with the same words."""


@dataclass(frozen=True, slots=True)
class NoteHit:
    """An analyst's text holding every term of a query."""

    where: str
    """As ``pseudonyms check`` names it: ``memo 486a61d6``, ``journal entry 0c9e51aa``,
    ``cell summary of 'Nights' for participant:P01 at baseline``."""
    text: str
    snippet: str
    at: tuple[int, int]
    """Where the first term stands in ``text``."""


def search_notes(project: Project, query: str, *, limit: int | None = None) -> list[NoteHit]:
    """The analyst's texts (``NOTES``) holding every term of ``query``, in the meaning
    ``search`` gives it (whole tokens, folded case and accents, joined words), read and
    matched here: they have no index (a few thousand short texts are read in a moment)."""
    terms = parse_query(query)
    first = terms[0].tokens[0]
    items = tuple(c for c in inventory.INVENTORY if (c.table, c.column) in NOTES)
    found: list[tuple[str, str, tuple[int, int]]] = []
    with project.session(write=False) as s:
        for item, key, body, where in inventory.iter_texts(s, items):
            if body.isascii() and first.isascii() and first not in body.casefold():
                continue  # cannot hold it: spare the tokenising
            places = [_place(body, t) for t in terms]
            if all(p is not None for p in places):
                at = places[0]
                assert at is not None
                found.append((_by_name(s, item, key) or where, body, at))
                if limit and len(found) >= limit:
                    break
        names = inventory.named(s, (where for where, _, _ in found))
    return [
        NoteHit(names.get(where, where), body, _snippet(body, terms), at)
        for where, body, at in found
    ]


def _by_name(s: Session, item: inventory.TextColumn, key: object) -> str | None:
    """A theme's or a code's text named by the theme or code (``theme concept of 'Nights'``),
    as the analyst knows it, not by the start of its id."""
    if item.table not in ("theme", "code"):
        return None
    table = inventory.tables()[item.table]
    (pk, *_) = list(table.primary_key.columns)
    name = s.scalar(select(table.c.name).where(pk == key))
    return f"{item.label} of '{name}'" if name else None
