"""Full-text search: one meaning on SQLite and PostgreSQL (DESIGN.md, Search)."""

from __future__ import annotations

import pytest

from workbench.coding.study import new_study
from workbench.domain.study import StudyError
from workbench.storage.project import Project
from workbench.storage.search import search

from ..helpers import interview_with

CORPUS = [
    ("P01", "I could not sleep. The nightmares come every night."),
    ("R01", "Can you tell me more about the nightmares?"),
    ("P01", "Nightmare after nightmare; sleeping is hard. Running helps."),
    ("P01", "Mi café favorito está en la Plaza Mayor. ÉCOLE, Ecole, école."),
    ("P01", "The café closed (cafe\u0301 in NFD)."),
    ("P01", "لا أستطيع النوم منذ أسابيع. كَتَبَ الطبيب رسالة."),
    ("P01", "كتب الطبيب رسالة ثانية."),
    ("P01", "خواب‌هایم بد است و شب‌ها بیدار می‌مانم."),
    ("P01", "ሰላም እየ። ሕሙም ኣለኹ።"),
    ("P01", "I'm fine 👩🏽‍⚕️ thanks; the category is catastrophic, not a cat."),
    ("P01", "Straße STRASSE strasse"),
    ("P01", "<UNSURE>hello</UNSURE> <UNIN/> we were in Homs in 2012."),
    ("P01", "الأولاد بيروحوا عالمدرسة، ورنا بتروح عالكورس."),  # "and Rana"
    ("P01", "صرنا أصحاب مع جارنا."),  # "we became", "our neighbour": no Rana
    ("P01", "كنا بدير النور سنتين، ثم رنا جاءت."),  # "in Deir al-Nour"
    ("P01", "ንሂወትን ሳባን ሓገዝኩወን።"),  # "to Hiwet and Saba"
    ("P01", "ለሰላም ደወልኩ። ሰላምታ ላኩ።"),  # Amharic: "I called for Selam. I sent greetings."
    ("P01", "وصلنا للزعتري مع فاطمه ومصطفي."),  # "we reached (the) Zaatari with Fatima and Mustafa"
]

QUERIES = {
    "nightmares": {0, 1},
    "NIGHTMARES": {0, 1},
    "nightmare": {2},  # no stemming
    "nightmare*": {0, 1, 2},
    "sleep": {0},
    "sleep*": {0, 2},
    "sleep nightmares": {0},
    '"the nightmares"': {0, 1},
    '"about the nightmares"': {1},
    '"nightmares come"': {0},
    '"come nightmares"': set(),
    '"the nightm"*': {0, 1},  # a phrase whose last word may end any way
    '"about the nightm"*': {1},
    "cafe": {3, 4},
    "CAFÉ": {3, 4},
    "ecole": {3},
    "cat": {9},
    "cat*": {9},
    "النوم": {5},
    "كتب": {5, 6},  # harakat folded
    "كَتَبَ": {5, 6},
    "خواب": {7},
    "ሕሙም": {8},
    "strasse": {10},
    "unsure": {11},
    "2012": {11},
    "homs": {11},
    "zebra": set(),
    # Words written joined before (and in Tigrinya after) a word are looked through.
    "رنا": {12, 14},
    "ورنا": {12},
    "رن*": {12, 14},
    '"دير النور"': {14},
    "النور": {14},
    "ሂወት": {15},
    "ሳባ": {15},
    '"ሂወት ሳባ"': {15},
    "ሰላም": {8, 16},  # and not ሰላምታ ("greeting") alone
    "ሰላምታ": {16},
    # Letters written for one another at a word's end, and ل ال written لل.
    "فاطمة": {17},
    "مصطفى": {17},
    "الزعتري": {17},
    '"مع فاطمة"': {17},
}


def _hits(project: Project, query: str) -> set[int]:
    return {h.utterance for h in search(project, query)}


@pytest.fixture
def corpus(project: Project) -> Project:
    interview_with(project, "I1", CORPUS)
    return project


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_search_meaning(corpus: Project, query: str) -> None:
    assert _hits(corpus, query) == QUERIES[query]


def test_hits_carry_interview_speaker_time_and_snippet(corpus: Project) -> None:
    first, second = search(corpus, "nightmares")
    assert (first.interview, first.utterance, first.speaker) == ("I1", 0, "P01")
    assert (second.interview, second.utterance, second.speaker) == ("I1", 1, "R01")
    assert (second.start_ms, second.end_ms) == (1000, 2000)
    assert "nightmares" in second.snippet and second.text == CORPUS[1][1]


def test_a_limit_gives_the_first_hits_in_order_and_the_count_all_of_them(corpus: Project) -> None:
    from workbench.storage.search import count

    assert [h.utterance for h in search(corpus, "nightmare*", limit=2)] == [0, 1]
    assert count(corpus, "nightmare*") == (3, 1)
    assert count(corpus, "zebra") == (0, 0)


def test_a_long_utterance_s_snippet_shows_the_hit_in_any_spelling(project: Project) -> None:
    words = " ".join(["we talked about the weather and the children"] * 6)
    interview_with(project, "I9", [("P01", f"{words} and then the café closed early.")])
    (hit,) = search(project, "cafe")
    assert "café" in hit.snippet and hit.snippet.startswith("…")


def test_the_analyst_s_own_texts_are_searched_with_the_same_words(corpus: Project) -> None:
    from workbench.coding.memos import add_journal_entry, add_memo
    from workbench.storage.search import search_notes

    add_memo(corpus, "The NIGHTMARES again; she could not say where.", about="interview:I1")
    add_memo(corpus, "Nothing about sleep here.", about="interview:I1")
    add_journal_entry(corpus, "قالت ورنا إنها لا تنام. My own tiredness shows.")
    found = search_notes(corpus, "nightmare*")
    assert [h.where.split()[0] for h in found] == ["memo"]
    assert found[0].text[found[0].at[0] : found[0].at[1]] == "NIGHTMARES"
    assert [h.where.split()[0] for h in search_notes(corpus, "رنا")] == ["journal"]
    assert search_notes(corpus, "sleep nightmares") == []  # every term, in one text
    assert search_notes(corpus, '"own tiredness"')[0].where.startswith("journal entry")
    from workbench.coding.codebook import add_code

    add_code(corpus, "Nights", definition="What the nightmares do to the day after.")
    (code,) = search_notes(corpus, "nightmares day")
    assert code.where == "code definition of 'Nights'"


def test_a_withdrawal_asks_for_the_words_exactly(corpus: Project) -> None:
    from workbench.storage.search import matching_ids, parse_query

    with corpus.session(write=False) as s:
        joined = matching_ids(s, parse_query("رنا"))
        exact = matching_ids(s, parse_query("رنا", joined=False))
    assert len(joined) == 2 and len(exact) == 1 and set(exact) < set(joined)


def test_empty_query_is_refused(corpus: Project) -> None:
    with pytest.raises(StudyError, match="nothing to search"):
        search(corpus, '  " " ** ')


def test_sqlite_and_postgresql_give_identical_hits(tmp_path, pg_url: str) -> None:
    queries = [*QUERIES, "the", "a*", '"not a cat"', "é*", "ሰ*", "خو*", "👩🏽‍⚕️ fine"]
    results = []
    for target in (str(tmp_path / "s.dyad"), pg_url):
        with new_study(target) as p:
            interview_with(p, "I1", CORPUS)
            interview_with(p, "I2", [(s, t.upper()) for s, t in CORPUS], wave="mid-treatment")
            results.append(
                {q: sorted((h.interview, h.utterance) for h in search(p, q)) for q in queries}
            )
    assert results[0] == results[1]
    assert results[0]["the"]  # the comparison is not vacuous
