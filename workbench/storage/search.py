"""Full-text search over utterances, with one meaning on SQLite and PostgreSQL.

Query syntax: words (all must occur), ``word*`` for a prefix, ``"two words"`` for a phrase.
Matching is case-insensitive with diacritics folded, no stemming, whole tokens. Both databases
index the same folded token stream (``utterance.search_text``); here a query is turned into the
same tokens and then into FTS5 or tsquery syntax, so neither database's parser interprets it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from workbench.domain.study import SearchHit, StudyError
from workbench.domain.text import search_tokens
from workbench.storage.models import Interview, Participant, UtteranceRow
from workbench.storage.project import Project

_TERM_RE = re.compile(r'"([^"]*)"?|(\S+)')
SNIPPET_CHARS = 160


@dataclass(frozen=True, slots=True)
class Term:
    """A phrase of one or more tokens; ``prefix`` applies to its last token."""

    tokens: tuple[str, ...]
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    terms: list[Term] = []
    for match in _TERM_RE.finditer(query):
        phrase, word = match.groups()
        if phrase is not None:
            tokens = tuple(search_tokens(phrase))
            if tokens:
                terms.append(Term(tokens))
            continue
        prefix = word.endswith("*")
        tokens = tuple(search_tokens(word.rstrip("*")))
        if tokens:
            # A "word" the tokenizer splits (e-mail, ZWNJ in Farsi) is searched as a phrase.
            terms.append(Term(tokens, prefix))
    if not terms:
        raise StudyError("nothing to search for: give at least one word")
    return terms


def _fts5_query(terms: list[Term]) -> str:
    # Tokens hold only letters, digits and marks, so quoting them needs no escaping.
    return " AND ".join('"' + " ".join(t.tokens) + '"' + ("*" if t.prefix else "") for t in terms)


def _tsquery(terms: list[Term]) -> str:
    parts = []
    for t in terms:
        lexemes = [f"'{tok}'" for tok in t.tokens]
        if t.prefix:
            lexemes[-1] += ":*"
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def matching_ids(session: Session, terms: list[Term]) -> list[int]:
    """Ids of the utterances that match every term."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
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


def _snippet(text_: str, terms: list[Term]) -> str:
    if len(text_) <= SNIPPET_CHARS:
        return text_
    first = terms[0].tokens[0]
    lowered = text_.casefold()
    at = lowered.find(first)
    at = max(0, at - SNIPPET_CHARS // 3) if at >= 0 else 0
    piece = text_[at : at + SNIPPET_CHARS]
    return ("…" if at else "") + piece + ("…" if at + SNIPPET_CHARS < len(text_) else "")


def search(project: Project, query: str, *, limit: int | None = None) -> list[SearchHit]:
    """Utterances matching ``query``, in interview order then utterance order."""
    terms = parse_query(query)
    with project.session(write=False) as s:
        ids = matching_ids(s, terms)
        if not ids:
            return []
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
            .where(UtteranceRow.id.in_(bindparam("ids", expanding=True)))
        )
        hits: list[SearchHit] = []
        # Chunk the id list: SQLite caps the number of bound parameters.
        for start in range(0, len(ids), 30_000):
            for key, position, speaker, label, start_ms, end_ms, body in s.execute(
                stmt, {"ids": ids[start : start + 30_000]}
            ):
                hits.append(
                    SearchHit(
                        interview=key,
                        utterance=position,
                        speaker=speaker or label,
                        start_ms=start_ms,
                        end_ms=end_ms,
                        text=body,
                        snippet=_snippet(body, terms),
                    )
                )
        hits.sort(key=lambda h: (h.interview, h.utterance))
        return hits[:limit] if limit else hits
