"""Suggested groupings of codes into candidate themes — suggestions, never decisions.

Two kinds of evidence, each reported with the suggestion so the analyst can judge it:
co-occurrence (codings that overlap or share an utterance) and textual similarity of the codes'
names, definitions and coded text (TF-IDF, cosine). Codes are clustered by agglomerative
clustering on the combined distance. The result is deterministic for the same project.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.coding.codebook import Codebook
from workbench.coding.queries import cooccurrence, query_segments
from workbench.storage.project import Project

TEXT_WEIGHT = 0.5
DISTANCE_THRESHOLD = 0.92
MAX_GROUP = 8


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
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    with project.session(write=False) as s:
        book = Codebook(s)
        codes = list(book.codes)
        paths = [book.path(c) for c in codes]
        notes = {
            book.path(c): " ".join(filter(None, [c.name, c.definition, c.inclusion])) for c in codes
        }
    if len(codes) < 2:
        return []
    coded: dict[str, list[str]] = {p: [] for p in paths}
    for segment in query_segments(project, include_unconsented=True):
        coded.setdefault(segment.code, []).append(segment.text)
    documents = [f"{notes[p]} {' '.join(coded[p])}" for p in paths]
    vectorizer = TfidfVectorizer(stop_words="english", min_df=1, sublinear_tf=True)
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
