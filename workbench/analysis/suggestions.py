"""Suggested groupings of codes into candidate themes — suggestions, never decisions.

Two kinds of evidence, each reported with the suggestion so the analyst can judge it:
co-occurrence (codings that overlap or share an utterance) and textual similarity of the codes'
names, definitions and coded text (TF-IDF, cosine). Codes are clustered by agglomerative
clustering on the combined distance. The result is deterministic for the same project.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from workbench.coding.codebook import Codebook
from workbench.coding.queries import cooccurrence
from workbench.domain.positions import utterance_starts
from workbench.storage.models import CODING_ANCHORS, Coding, UtteranceRow
from workbench.storage.project import Project
from workbench.storage.rows import chunks

TEXT_WEIGHT = 0.5
DISTANCE_THRESHOLD = 0.92
MAX_GROUP = 8
TEMPLATE_SHARE = 0.4
"""A word in at least this share of the codes' definitions (three at least) is the codebook's
own template ("Apply this code when the talk fits…"), not evidence that codes belong together."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    codes: tuple[str, ...]
    shared_terms: tuple[str, ...]
    """Words that weigh most in the members' names, definitions and coded text together."""
    cooccurrences: int
    """Times codings of two members share an utterance."""
    similarity: float
    """Mean combined similarity between members (0–1)."""
    reasons: tuple[str, ...]


def suggest_themes(project: Project) -> list[Suggestion]:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    with project.session(write=False) as s:
        book = Codebook(s)
        codes = list(book.codes)
        paths = [book.path(c) for c in codes]
        notes = {
            book.path(c): " ".join(filter(None, [c.name, c.definition, c.inclusion])) for c in codes
        }
        definitions = [" ".join(filter(None, [c.definition, c.inclusion])) for c in codes]
    if len(codes) < 2:
        return []
    coded = coded_texts(project)
    documents = [
        f"{notes[p]} {' '.join(coded.get(c.id, []))}" for p, c in zip(paths, codes, strict=True)
    ]
    stop_words = sorted(ENGLISH_STOP_WORDS | template_words(definitions))
    vectorizer = TfidfVectorizer(stop_words=stop_words, min_df=1, sublinear_tf=True)
    try:
        tfidf = vectorizer.fit_transform(documents)
    except ValueError:  # nothing but stop words
        return []
    text_similarity = cosine_similarity(tfidf)
    # Co-occurrence in the same utterance (which includes overlapping codings).
    counts = (
        cooccurrence(project, within="utterance")
        .reindex(index=paths, columns=paths, fill_value=0)
        .to_numpy()
    )
    own = np.diag(counts).astype(float)
    smaller = np.minimum.outer(own, own)
    with np.errstate(divide="ignore", invalid="ignore"):
        together = np.where(smaller > 0, counts / smaller, 0.0)
    np.fill_diagonal(together, 1.0)
    similarity = TEXT_WEIGHT * text_similarity + (1 - TEXT_WEIGHT) * np.clip(together, 0, 1)
    distance = np.clip(1.0 - similarity, 0.0, 1.0)
    np.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=DISTANCE_THRESHOLD,
    ).fit_predict(distance)

    terms = np.array(vectorizer.get_feature_names_out())
    suggestions = []
    for label in sorted(set(labels)):
        members = [i for i in range(len(paths)) if labels[i] == label]
        if not 2 <= len(members) <= MAX_GROUP:
            continue
        weights = np.asarray(tfidf[members].sum(axis=0)).ravel()
        top = tuple(terms[np.argsort(-weights, kind="stable")[:5]])
        pairs = [(a, b) for a in members for b in members if a < b]
        shared = int(sum(counts[a, b] for a, b in pairs))
        mean = float(np.mean([similarity[a, b] for a, b in pairs]))
        reasons = [f"shared words: {', '.join(top)}"]
        if shared:
            reasons.append(f"{shared} times coded in the same utterance")
        suggestions.append(
            Suggestion(
                codes=tuple(paths[i] for i in members),
                shared_terms=top,
                cooccurrences=shared,
                similarity=round(mean, 3),
                reasons=tuple(reasons),
            )
        )
    suggestions.sort(key=lambda g: (-g.similarity, g.codes))
    return suggestions


def template_words(definitions: list[str]) -> set[str]:
    """The words the codebook's definitions share as a template (see ``TEMPLATE_SHARE``)."""
    from sklearn.feature_extraction.text import CountVectorizer

    written = [d for d in definitions if d.strip()]
    if len(written) < 3:
        return set()
    counter = CountVectorizer(binary=True, stop_words="english")
    try:
        present = counter.fit_transform(written)
    except ValueError:  # nothing but stop words
        return set()
    share = np.asarray(present.sum(axis=0)).ravel() / len(written)
    terms = counter.get_feature_names_out()
    return {str(t) for t, x in zip(terms, share, strict=True) if x >= TEMPLATE_SHARE}


def coded_texts(project: Project) -> dict[int, list[str]]:
    """Every coding's text, by code id: the interview's text (utterances joined by LF) between
    the coding's anchors — what ``query_segments`` reports as a segment's text, read as bare
    rows for the whole study at once (every participant: these are the codes' words, and they
    never leave the project)."""
    with project.session(write=False) as s:
        connection = s.connection()
        by_interview: dict[int, list[tuple[int, int, int, int, int]]] = {}
        for iid, code_id, su, so, eu, eo in connection.execute(
            select(
                Coding.interview_id,
                Coding.code_id,
                *CODING_ANCHORS,
            )
        ).all():
            by_interview.setdefault(iid, []).append((code_id, su, so, eu, eo))
        found: dict[int, list[str]] = {}
        wanted = sorted(by_interview)
        for chunk in chunks(wanted):
            rows = connection.execute(
                select(UtteranceRow.interview_id, UtteranceRow.id, UtteranceRow.text)
                .where(UtteranceRow.interview_id.in_(chunk))
                .order_by(UtteranceRow.interview_id, UtteranceRow.position)
            ).all()
            for iid, group in itertools.groupby(rows, key=lambda r: r[0]):
                utterances = [(r[1], r[2]) for r in group]
                starts = utterance_starts([len(text) for _, text in utterances])
                at = {uid: start for (uid, _), start in zip(utterances, starts, strict=True)}
                text = "\n".join(t for _, t in utterances)
                for code_id, su, so, eu, eo in by_interview[iid]:
                    found.setdefault(code_id, []).append(text[at[su] + so : at[eu] + eo])
    return found
