"""Two analysts' readings side by side, on a hand-built interview with hand-computed overlaps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.analysis.agreement import (
    _common,
    _size,
    _word_runs,
    agreement,
    cohen_kappa,
    nominal_alpha,
)
from workbench.analysis.compare import compare
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.domain.study import StudyError
from workbench.storage.project import Project

from ..helpers import interview_with

LINES = [
    ("R01", "How have you been sleeping?"),
    ("P01", "Badly. The nightmares come every night and I wake up shaking."),
    ("R01", "And during the day?"),
    ("P01", "I worry about my brother. He is still in detention."),
]
# The interview text (utterances joined by LF), positions in code points:
#   0–27 "How have you been sleeping?"      28–33 "Badly"   39–49 "nightmares"
#   55–66 "every night"   71–88 "I wake up shaking"   110–117 "I worry"   127–134 "brother"
#   136–147 "He is still"   151–160 "detention"           30 words in all.


def two_readings(project: Project) -> None:
    """Ana and Ben code the same interview with the same two codes; Cleo's coding is noise."""
    interview_with(project, "I1", LINES)
    add_code(project, "Sleep")
    add_code(project, "Worry")
    # Sleep. Ana: "How have you been sleeping?" (5 words) and "Badly. The nightmares come every
    # night" (6); Ben: "nightmares come every night and I wake up shaking" (9). Shared: the
    # 4 words "nightmares come every night" (39–66).
    apply_code(project, "I1", 0, 27, "Sleep", coder="ana")
    apply_code(project, "I1", 28, 66, "Sleep", coder="ana")
    apply_code(project, "I1", 39, 88, "Sleep", coder="ben")
    # Worry. Ben: "I worry about my brother" (110–134, 5 words); Ana from inside "brother":
    # "her. He is still in detention." (131–161, 5 whole words: the cut "her" is no word).
    # They touch on "her" only: no whole word, so nothing shared.
    apply_code(project, "I1", 110, 134, "Worry", coder="ben")
    apply_code(project, "I1", 131, 161, "Worry", coder="ana")
    apply_code(project, "I1", 0, 161, "Sleep", coder="cleo")


def test_compare_lists_shared_spans_and_each_analysts_own(project: Project) -> None:
    two_readings(project)
    result = compare(project, "ana", "ben")
    assert result.interviews == ("I1",)
    assert [(r.interview, r.code) for r in result.readings] == [("I1", "Sleep"), ("I1", "Worry")]
    sleep, worry = result.readings

    (shared,) = sleep.both
    assert (shared.start, shared.end, shared.words) == (39, 66, 4)
    assert shared.text == "nightmares come every night"
    assert (shared.a.start, shared.a.end, shared.a.words, shared.a.coder) == (28, 66, 6, "ana")
    assert shared.a.text == "Badly. The nightmares come every night"
    assert (shared.b.start, shared.b.end, shared.b.words, shared.b.coder) == (39, 88, 9, "ben")
    assert [(r.start, r.end, r.words, r.text) for r in sleep.only_a] == [
        (0, 27, 5, "How have you been sleeping?")
    ]
    assert sleep.only_b == ()

    assert worry.both == ()
    assert [(r.start, r.end, r.words, r.text) for r in worry.only_a] == [
        (131, 161, 5, "her. He is still in detention.")
    ]
    assert [(r.start, r.end, r.words, r.text) for r in worry.only_b] == [
        (110, 134, 5, "I worry about my brother")
    ]


def test_compare_narrows_to_one_code_and_one_interview(project: Project) -> None:
    two_readings(project)
    result = compare(project, "ana", "ben", interview="I1", code="Worry")
    assert [r.code for r in result.readings] == ["Worry"]
    # The other way round, the sides swap.
    swapped = compare(project, "ben", "ana", code="Sleep")
    (shared,) = swapped.readings[0].both
    assert (shared.a.coder, shared.a.start, shared.b.coder, shared.b.start) == (
        "ben",
        39,
        "ana",
        28,
    )
    assert swapped.readings[0].only_b[0].start == 0


def test_one_long_coding_over_two_short_ones_gives_two_pairs(project: Project) -> None:
    interview_with(project, "I1", LINES)
    add_code(project, "Sleep")
    apply_code(project, "I1", 28, 88, "Sleep", coder="ana")
    apply_code(project, "I1", 28, 33, "Sleep", coder="ben")
    apply_code(project, "I1", 71, 88, "Sleep", coder="ben")
    (sleep,) = compare(project, "ana", "ben").readings
    assert [(s.start, s.end, s.words, s.text) for s in sleep.both] == [
        (28, 33, 1, "Badly"),
        (71, 88, 4, "I wake up shaking"),
    ]
    assert sleep.only_a == sleep.only_b == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ana", "zoe"), "no analyst named 'zoe'"),
        (("ana", "ana"), "two different analysts"),
    ],
)
def test_compare_refuses_unknown_or_same_analyst(
    project: Project, args: tuple[str, str], message: str
) -> None:
    two_readings(project)
    with pytest.raises(StudyError, match=message):
        compare(project, *args)


def test_compare_refuses_unknown_code_and_interview(project: Project) -> None:
    two_readings(project)
    with pytest.raises(StudyError):
        compare(project, "ana", "ben", code="Nope")
    with pytest.raises(StudyError, match="no interview 'I9'"):
        compare(project, "ana", "ben", interview="I9")


def test_agreement_figures_match_the_hand_computed_ones(project: Project) -> None:
    two_readings(project)
    result = agreement(project, "ana", "ben")
    assert (result.interviews, result.words) == (("I1",), 30)
    sleep, worry = result.codes
    # Sleep over the 30 words: both 4 (nightmares come every night), only Ana 7 (How have you
    # been sleeping, Badly The), only Ben 5 (and I wake up shaking), neither 14.
    # p_o = (4 + 14) / 30 = 0.6; Ana says yes to 11/30, Ben to 9/30;
    # p_e = (11·9 + 19·21) / 900 = 498/900; kappa = (540 − 498) / (900 − 498) = 42/402 = 7/67.
    # Alpha (nominal, 60 values): 12 disagreeing words give o(yes,no) + o(no,yes) = 24;
    # n(yes) = 20, n(no) = 40: alpha = 1 − 59·24 / (2·20·40) = 1 − 1416/1600 = 0.115.
    assert (sleep.code, sleep.both, sleep.only_a, sleep.only_b, sleep.neither) == (
        "Sleep",
        4,
        7,
        5,
        14,
    )
    assert sleep.agreement == pytest.approx(0.6)
    assert sleep.kappa == pytest.approx(7 / 67)
    assert sleep.alpha == pytest.approx(0.115)
    # Worry: only Ana 5, only Ben 5, neither 20. p_o = 2/3; p_e = (5·5 + 25·25)/900 = 650/900;
    # kappa = (600 − 650) / (900 − 650) = −0.2. Alpha: 1 − 59·20 / (2·10·50) = −0.18.
    assert (worry.both, worry.only_a, worry.only_b, worry.neither) == (0, 5, 5, 20)
    assert worry.kappa == pytest.approx(-0.2)
    assert worry.alpha == pytest.approx(-0.18)
    # Pooled over words × codes: (18 + 20) / 60.
    assert result.agreement == pytest.approx(38 / 60)
    assert "not validity" in result.caution and "Braun & Clarke" in result.caution


def test_pooled_alpha_equals_the_packages_alpha_over_every_word() -> None:
    import krippendorff
    import numpy as np

    words = [[2, 0]] * 14 + [[0, 2]] * 4 + [[1, 1]] * 12
    direct = krippendorff.alpha(value_counts=np.array(words), level_of_measurement="nominal")
    assert nominal_alpha(4, 7, 5, 14) == pytest.approx(direct)
    assert nominal_alpha(3, 0, 0, 5) == 1.0
    assert nominal_alpha(0, 0, 0, 5) is None
    assert cohen_kappa(0, 0, 0, 5) is None


def test_agreement_counts_interviews_both_coded_even_without_the_code(project: Project) -> None:
    two_readings(project)
    interview_with(project, "I2", LINES)
    apply_code(project, "I2", 0, 27, "Worry", coder="ana")
    apply_code(project, "I2", 28, 66, "Worry", coder="ben")
    apply_code(project, "I1", 0, 27, "Worry", coder="zoe")
    only_one = agreement(project, "ana", "zoe")
    assert only_one.interviews == ("I1",)  # Zoe coded nothing in I2
    sleep = agreement(project, "ana", "ben", code="Sleep")
    assert sleep.interviews == ("I1", "I2")
    assert sleep.words == 60
    (figures,) = sleep.codes
    assert (figures.both, figures.only_a, figures.only_b, figures.neither) == (4, 7, 5, 44)


@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=8),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=8),
)
def test_word_runs_count_what_sets_of_words_count(
    a: list[tuple[int, int]], b: list[tuple[int, int]]
) -> None:
    def words(ranges: list[tuple[int, int]]) -> set[int]:
        return {w for first, last in ranges for w in range(first, last)}

    runs_a, runs_b = _word_runs(a), _word_runs(b)
    assert _size(runs_a) == len(words(a))
    assert _common(runs_a, runs_b) == len(words(a) & words(b))


def test_codings_of_participants_without_consent_are_left_out_unless_asked(
    project: Project,
) -> None:
    from workbench.coding.study import set_consent

    two_readings(project)
    set_consent(project, "P01", "pending")
    # Everything but "How have you been sleeping?" (R01, the interviewer's words) is P01's.
    result = compare(project, "ana", "ben")
    assert result.withheld == 4
    assert [(r.code, len(r.both), len(r.only_a), len(r.only_b)) for r in result.readings] == [
        ("Sleep", 0, 1, 0)
    ]
    assert agreement(project, "ana", "ben").interviews == ()  # I1 cannot be counted fairly
    everyone = compare(project, "ana", "ben", include_unconsented=True)
    assert everyone.withheld == 0 and len(everyone.readings) == 2
    assert agreement(project, "ana", "ben", include_unconsented=True).words == 30
