"""A small coded study for the code tree and retrieval tests, built through the services.

Two dyads, three interviews at two waves, a patient whose consent was declined, and codes
``Sleep`` (with ``Sleep / Nightmares``) and ``Trust`` applied to known spans.
"""

from __future__ import annotations

from pathlib import Path

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.study import add_dyad, add_interview, add_participant, new_study
from workbench.coding.transcripts import import_utterances

from ..helpers import transcript

INTERVIEWS = {
    # key: (wave, dyad, interviewee, lines)
    "P01-b": (
        "baseline",
        "D01",
        "P01",
        [
            ("R01", "How have you been sleeping?"),
            ("P01", "I wake at three and the dreams come back."),
            ("R01", "And your therapist?"),
            ("P01", "I trust her now, slowly."),
        ],
    ),
    "C01-b": (
        "baseline",
        "D01",
        "C01",
        [
            ("R01", "How is the work with him going?"),
            ("C01", "He sleeps badly but he keeps coming."),
        ],
    ),
    "P01-m": (
        "mid-treatment",
        "D01",
        "P01",
        [
            ("R01", "And the nights?"),
            ("P01", "Fewer nightmares since the spring."),
        ],
    ),
    "P02-b": (
        "baseline",
        "D02",
        "P02",
        [
            ("R01", "How do you sleep?"),
            ("P02", "Not at all, the nightmares are every night."),
        ],
    ),
}


def span(lines: list[tuple[str, str]], row: int, words: str) -> tuple[int, int]:
    """Where ``words`` sit in utterance ``row`` of the interview text (LF between utterances)."""
    start = sum(len(text) + 1 for _, text in lines[:row]) + lines[row][1].index(words)
    return start, start + len(words)


# code path, interview, utterance row, words
CODINGS = [
    ("Sleep", "P01-b", 1, "I wake at three"),
    ("Sleep / Nightmares", "P01-b", 1, "the dreams come back"),
    ("Trust", "P01-b", 3, "I trust her now"),
    ("Sleep", "C01-b", 1, "He sleeps badly"),
    ("Sleep / Nightmares", "P01-m", 1, "Fewer nightmares"),
    ("Sleep / Nightmares", "P02-b", 1, "the nightmares are every night"),
]


def build(path: Path) -> Path:
    with new_study(path, title="Coded study") as p:
        for key, role, consent in [
            ("R01", "researcher", "consented"),
            ("P01", "patient", "consented"),
            ("C01", "clinician", "consented"),
            ("P02", "patient", "declined"),
            ("C02", "clinician", "consented"),
        ]:
            add_participant(p, key, role, consent=consent)
        add_dyad(p, "D01", ["C01", "P01"])
        add_dyad(p, "D02", ["C02", "P02"])
        for key, (wave, dyad, person, lines) in INTERVIEWS.items():
            add_interview(
                p, key, wave=wave, dyad=dyad, participants=[(person, None), ("R01", None)]
            )
            import_utterances(p, key, transcript(lines), speakers={"R01": "R01", person: person})
        add_code(p, "Sleep", color="#5b8e3e")
        add_code(p, "Nightmares", parent="Sleep", color="#7b5ea7")
        add_code(p, "Trust", color="#2a6f97")
        for code, interview, row, words in CODINGS:
            start, end = span(INTERVIEWS[interview][3], row, words)
            apply_code(p, interview, start, end, code)
    return path
