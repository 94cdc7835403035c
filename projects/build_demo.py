"""Build the demo project, ``projects/demo.dyad``, from the fictional transcripts beside it.

A fictional study mirroring the seed study's design: two clinician–patient dyads in trauma-
focused therapy for refugees, one with an interpreter in the research interviews, each member
interviewed separately at baseline, mid-treatment and post-treatment — 10 interviews, two
missing (attrition). Every person, place and event in it is invented.

    python projects/build_demo.py [--out projects/demo.dyad] [--force]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
from pathlib import Path

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.identifiers import FIRST_WORD
from workbench.coding.readings import pin_exemplar, propose_exemplars, set_stance
from workbench.coding.redaction import dismiss_identifier, redact, suggest_identifiers
from workbench.coding.study import (
    add_dyad,
    add_interview,
    add_participant,
    new_study,
    set_attribute,
    set_interview_status,
)
from workbench.coding.themes import add_theme, set_trajectory, update_theme
from workbench.coding.transcripts import interview_text, utterances
from workbench.coding.utterances import edit_utterance
from workbench.coding.watchlist import watch_words
from workbench.exchange.transcript_import import import_transcript_files
from workbench.storage.project import Project

HERE = Path(__file__).resolve().parent
TRANSCRIPTS = HERE / "demo" / "transcripts"
TITLE = "DEMO (fictional): Trauma-focused therapy with refugees — dyads over treatment"

PARTICIPANTS = [
    ("R01", "researcher", {"note": "research interviewer (fictional)"}),
    ("I01", "interpreter", {"languages": "Arabic-English"}),
    ("P01", "patient", {"age_band": "40-49", "country_of_origin": "Syria", "language": "Arabic"}),
    ("C01", "clinician", {"profession": "clinical psychologist", "experience_years": "6"}),
    (
        "P02",
        "patient",
        {"age_band": "25-29", "country_of_origin": "Eritrea", "language": "Tigrinya"},
    ),
    ("C02", "clinician", {"profession": "psychiatrist", "experience_years": "24"}),
]
DYADS = [("D01", ["C01", "P01"]), ("D02", ["C02", "P02"])]

# PCL-5 (PTSD checklist, 0-80) per wave: fictional questionnaire scores beside the interviews.
PCL5 = {
    "P01": {"baseline": "58", "mid-treatment": "41", "post-treatment": "22"},
    "P02": {"baseline": "52", "mid-treatment": "55"},
}

# (interview id, wave, dyad, interviewee, extra participants, language, date, session, weeks)
INTERVIEWS = [
    ("P01-baseline", "baseline", "D01", "P01", ["I01"], "ar", "2025-03-14", 1, 0.0),
    ("P01-mid-treatment", "mid-treatment", "D01", "P01", ["I01"], "ar", "2025-05-09", 8, 8.0),
    ("P01-post-treatment", "post-treatment", "D01", "P01", ["I01"], "ar", "2025-09-04", 16, 25.0),
    ("C01-baseline", "baseline", "D01", "C01", [], "en", "2025-03-20", 2, 1.0),
    # C01 mid-treatment: no interview (the clinician was on leave).
    ("C01-post-treatment", "post-treatment", "D01", "C01", [], "en", "2025-09-09", 16, 26.0),
    ("P02-baseline", "baseline", "D02", "P02", [], "en", "2025-03-14", 2, 1.0),
    ("P02-mid-treatment", "mid-treatment", "D02", "P02", [], "en", "2025-05-16", 7, 9.0),
    # P02 post-treatment: no interview (lost to follow-up after moving city).
    ("C02-baseline", "baseline", "D02", "C02", [], "en", "2025-03-16", 2, 1.0),
    ("C02-mid-treatment", "mid-treatment", "D02", "C02", [], "en", "2025-05-18", 8, 9.0),
    ("C02-post-treatment", "post-treatment", "D02", "C02", [], "en", "2025-08-19", 10, 22.0),
]


def mark_interpreter_renderings(project: Project, interview: str) -> None:
    """An interpreter line in English right after the patient's turn renders the patient."""
    rows = utterances(project, interview)
    for previous, row in itertools.pairwise(rows):
        arabic = any("\u0600" <= ch <= "\u06ff" for ch in row.text)
        if row.speaker == "I01" and previous.speaker == "P01" and not arabic:
            edit_utterance(project, interview, row.index, renders="P01", coder="demo-builder")


def add_codebook_and_codings(project: Project) -> None:
    """The analyst's fictional codebook and codings (written for the demo, see README)."""
    for code in json.loads((HERE / "demo" / "codebook.json").read_text(encoding="utf-8")):
        add_code(
            project,
            code["name"],
            parent=code["parent"],
            color=code.get("color"),
            definition=code.get("definition"),
            inclusion=code.get("inclusion"),
            exclusion=code.get("exclusion"),
            coder="demo-builder",
        )
    texts: dict[str, str] = {}
    for coding in json.loads((HERE / "demo" / "codings.json").read_text(encoding="utf-8")):
        key = coding["interview"]
        text = texts.setdefault(key, interview_text(project, key))
        start = text.index(coding["quote"])
        apply_code(
            project,
            key,
            start,
            start + len(coding["quote"]),
            coding["code"],
            memo=coding.get("memo"),
            coder="demo-builder",
        )


def add_themes(project: Project) -> None:
    """The fictional analyst's themes and trajectories (demo/themes.json)."""
    spec = json.loads((HERE / "demo" / "themes.json").read_text(encoding="utf-8"))
    for theme in spec["themes"]:
        add_theme(
            project,
            theme["name"],
            codes=theme["codes"],
            parent=theme.get("parent"),
            concept=theme.get("concept"),
            rationale="grouped after the second reading of all ten interviews",
            coder="demo-builder",
        )
        if theme["status"] != "candidate":
            update_theme(project, theme["name"], status=theme["status"], coder="demo-builder")
    for theme, unit, label, text in spec["trajectories"]:
        set_trajectory(project, theme, unit, label=label, text=text, coder="demo-builder")
    for dyad, wave, theme, stance, note in spec["stances"]:
        set_stance(project, dyad, wave, theme, stance, note=note, coder="demo-builder")
    # Two illustrative quotes per theme, from the length-blind shortlist, as the analyst pins.
    for theme in spec["themes"]:
        for quote in propose_exemplars(project, theme["name"], limit=2):
            pin_exemplar(
                project,
                theme["name"],
                f"participant:{quote.participants[0]}",
                quote.wave or "baseline",
                quote.coding,
                coder="demo-builder",
            )


REDACT = {
    # The demo's review of `workbench pseudonyms suggest`: people, small places, camps, clinics
    # and a church are redacted (longest first, so "Abu Yusuf" goes before "Yusuf") ...
    "Abu Yusuf": "[P01, as his son's father]",
    "Abu Fadi": "[a neighbour]",
    "Deir al-Nour": "[P01's home town]",
    "Nabaa al-Ward": "[camp in Turkey]",
    "Medhanie Alem": "[a church]",
    "Hiba": "[interpreter I01]",
    "Clare": "[clinician C01]",
    "Brandt": "[clinician C02]",
    "Adnan": "[patient P01]",
    "Samer": "[P01's brother]",
    "Yusuf": "[P01's son]",
    "Lina": "[P01's daughter]",
    "Rana": "[P01's wife]",
    "Hiwet": "[P02's sister]",
    "Abrehet": "[a woman at the centre]",
    "Meridian": "[the clinic]",
    "Eastgate": "[a reception centre]",
    "Riverside": "[a hostel]",
    "Shagarab": "[a camp in Sudan]",
    "Keren": "[a town in Eritrea]",
    "Mendefera": "[P02's home town]",
    "Homs": "[a city in Syria]",
    # The same people and places in P01's own words, in Arabic script: no capital gives them
    # away, so the demo's author put them on the key's watch list (`workbench pseudonyms watch`,
    # ARABIC below) and redacts them with the same placeholders. Only the name goes: و "and" or
    # ب "in" written joined to it stays (ورنا → و[P01's wife]).
    "أبو يوسف": "[P01, as his son's father]",
    "أبو فادي": "[a neighbour]",
    "دير النور": "[P01's home town]",
    "نبع الورد": "[camp in Turkey]",
    "هبة": "[interpreter I01]",
    "كلير": "[clinician C01]",
    "سامر": "[P01's brother]",
    "يوسف": "[P01's son]",
    "لينا": "[P01's daughter]",
    "رنا": "[P01's wife]",
    "ميريديان": "[the clinic]",
    "حمص": "[a city in Syria]",
}
ARABIC = [original for original in REDACT if original[0] >= "\u0600"]
"""The watch list: the names the consent forms and case notes give, as P01 says them."""
DISMISS = (
    # ... and countries, capitals, languages, faiths, holidays, treatments and apps are not.
    *("Libya", "Eritrea", "Syria", "Sudan", "Africa", "Ethiopia", "Germany", "Turkey"),
    *("Asmara", "Addis Ababa", "Tigrinya", "Eritrean", "Eritreans", "Syrian", "Turkish"),
    *("I'm Lebanese", "Christian", "Orthodox", "Eritrean Orthodox", "God's", "Eid", "Sundays"),
    *("PTSD", "NET", "CBT", "GP", "PCL", "PCL-5", "B1", "WhatsApp"),
    *("Judging", "Triadic", "Vicarious"),
    # Sentences' first words used in lower case nowhere else (`first word`): ordinary words.
    *("In-vivo", "Mm-hm", "Intrusions", "Lots", "Ordinary", "Anticipates", "Apparently"),
    *("Brief", "CAPS", "Calm", "Cardiac", "Clinician-focused", "Clinician-led", "Crowded"),
    *("Culturally", "Dear", "Difficulty", "Disagreement", "Efforts", "Explicit", "Exposure's"),
    *("Exposure-related", "Formulaic", "Hopes", "Interpreter-related", "Left", "Literally"),
    *("Offer", "Pack", "Parallel", "Physical", "Plain", "Pleasure", "Reflexive", "Respectful"),
    *("Seating's", "Serious", "Sleeplessness", "Strains", "Trauma-related", "Welcome"),
)


def review_identifiers(project: Project) -> None:
    """Redact and dismiss as the demo's author reviewed; refuse to ship a demo with a suggested
    name nobody reviewed (a changed transcript must be reviewed again)."""
    watch_words(project, ARABIC)
    for original, placeholder in REDACT.items():
        redact(project, placeholder, everywhere=original, coder="demo-builder")
    for word in DISMISS:
        dismiss_identifier(project, word)
    left = [
        c.text
        for c in suggest_identifiers(project)
        if c.kind in ("name", FIRST_WORD, "listed", "participant") and not c.reviewed
    ]
    if left:
        raise SystemExit(f"review these suggested identifiers in build_demo.py: {left}")


def build(out: Path) -> None:
    with new_study(out, title=TITLE, coder="demo-builder") as project:
        for key, role, attributes in PARTICIPANTS:
            add_participant(project, key, role, attributes=attributes)
        for key, members in DYADS:
            add_dyad(project, key, members)
        for participant, scores in PCL5.items():
            for wave, score in scores.items():
                set_attribute(project, participant, "PCL-5", score, wave=wave)
        for key, wave, dyad, interviewee, others, language, date, session, weeks in INTERVIEWS:
            add_interview(
                project,
                key,
                wave=wave,
                dyad=dyad,
                participants=[(interviewee, None), ("R01", None)] + [(o, None) for o in others],
                language=language,
                date=dt.date.fromisoformat(date),
                session_number=session,
                weeks_since_start=weeks,
            )
            import_transcript_files(project, key, [TRANSCRIPTS / f"{key}.txt"])
            if "I01" in others:
                mark_interpreter_renderings(project, key)
        add_codebook_and_codings(project)
        for key, *_ in INTERVIEWS:
            set_interview_status(project, key, "coded")
        add_themes(project)
        review_identifiers(project)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "demo.dyad")
    parser.add_argument("--force", action="store_true", help="rebuild even if it exists")
    args = parser.parse_args(argv)
    if args.out.exists() and not args.force:
        print(f"{args.out} exists (use --force to rebuild it)")
        return 0
    if args.force:
        key = args.out.with_suffix(".dyadkey")
        for leftover in (args.out, Path(f"{args.out}-wal"), Path(f"{args.out}-shm"), key):
            leftover.unlink(missing_ok=True)
    build(args.out)
    print(f"built {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
