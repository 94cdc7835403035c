"""Generate a reference study of any size from the demo's own sentences (deterministic).

Default: 30 dyads × 3 waves × 2 interviews (patient and clinician) × 60 minutes at ~150 words
a minute ≈ 1.6 million words.

    python benchmarks/generate_study.py OUT.dyad|URL [--dyads 30] [--minutes 60]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

from workbench.coding.study import add_dyad, add_interview, add_participant, new_study
from workbench.coding.transcripts import import_utterances
from workbench.domain.transcript import ParsedTranscript, UtteranceDraft
from workbench.storage.project import Project

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "projects" / "demo" / "transcripts"
LINE = re.compile(r"^\[[\d:]+\] (\w+): (.*)$")
WORDS_PER_MINUTE = 150


def sentences() -> list[str]:
    found = []
    for path in sorted(SOURCES.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = LINE.match(line)
            if match:
                found.append(match.group(2))
    return found


def synthetic_transcript(rng: random.Random, pool: list[str], minutes: int) -> ParsedTranscript:
    target_words = minutes * WORDS_PER_MINUTE
    utterances: list[UtteranceDraft] = []
    words = 0
    at = 3000
    while words < target_words:
        speaker = "Interviewer" if len(utterances) % 2 == 0 else "Participant"
        text = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
        n = len(text.split())
        duration = int(n / WORDS_PER_MINUTE * 60_000)
        utterances.append(UtteranceDraft(speaker, at, at + duration, text))
        at += duration + 400
        words += n
    return ParsedTranscript(tuple(utterances), "utf-8", "txt")


def generate(target: str, dyads: int = 30, minutes: int = 60, seed: int = 7) -> Project:
    rng = random.Random(seed)
    pool = sentences()
    project = new_study(target, title=f"Reference study ({dyads} dyads)", coder="benchmark")
    add_participant(project, "R01", "researcher")
    waves = ["baseline", "mid-treatment", "post-treatment"]
    for d in range(1, dyads + 1):
        patient, clinician = f"P{d:03d}", f"C{d:03d}"
        add_participant(project, patient, "patient")
        add_participant(project, clinician, "clinician")
        add_dyad(project, f"D{d:03d}", [clinician, patient])
        for wave in waves:
            for person in (patient, clinician):
                key = f"{person}-{wave}"
                add_interview(
                    project,
                    key,
                    wave=wave,
                    dyad=f"D{d:03d}",
                    participants=[(person, None), ("R01", None)],
                )
                import_utterances(
                    project,
                    key,
                    synthetic_transcript(rng, pool, minutes),
                    speakers={"Interviewer": "R01", "Participant": person},
                )
    return project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target")
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    started = time.perf_counter()
    with generate(args.target, args.dyads, args.minutes) as project:
        from workbench.coding.study import summary

        info = summary(project)
    print(
        f"{info.interviews} interviews, {info.utterances} utterances in "
        f"{time.perf_counter() - started:.0f} s -> {args.target}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
