"""The COREQ checklist (Tong, Sainsbury & Craig 2007), filled where the project knows the answer.

Thirty-two items a reviewer of a qualitative health paper asks for. What the data holds is filled
in — sample size, non-participation with the recorded reasons, who else was present (interpreters),
the sample by role, repeat interviews per wave, durations, the number of coders, the coding tree,
how themes were built, the software, the quotations — always as counts over the study, never a
person's id, so nobody is identifiable from the checklist. The rest is listed for the author with
the question COREQ asks. A Word document, through the export gate like every export.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from workbench import __version__
from workbench.exchange._docx import add_table, landscape_document, save
from workbench.exchange.theme_table import _duration_text, _durations
from workbench.storage.models import (
    AuditEntry,
    Code,
    Coding,
    Dyad,
    Exemplar,
    Interview,
    InterviewParticipantRow,
    Participant,
    Theme,
    UtteranceRow,
    Wave,
)
from workbench.storage.project import Project

ITEMS: tuple[tuple[int, str, str], ...] = (
    (1, "Interviewer/facilitator", "Which author/s conducted the interview or focus group?"),
    (2, "Credentials", "What were the researcher's credentials?"),
    (3, "Occupation", "What was their occupation at the time of the study?"),
    (4, "Gender", "Was the researcher male or female?"),
    (5, "Experience and training", "What experience or training did the researcher have?"),
    (6, "Relationship established", "Was a relationship established prior to study commencement?"),
    (
        7,
        "Participant knowledge of the interviewer",
        "What did the participants know about the researcher?",
    ),
    (8, "Interviewer characteristics", "What characteristics were reported about the interviewer?"),
    (
        9,
        "Methodological orientation and theory",
        "What methodological orientation was stated to underpin the study?",
    ),
    (10, "Sampling", "How were participants selected?"),
    (11, "Method of approach", "How were participants approached?"),
    (12, "Sample size", "How many participants were in the study?"),
    (13, "Non-participation", "How many people refused to participate or dropped out? Reasons?"),
    (14, "Setting of data collection", "Where was the data collected?"),
    (
        15,
        "Presence of non-participants",
        "Was anyone else present besides the participants and researchers?",
    ),
    (16, "Description of sample", "What are the important characteristics of the sample?"),
    (
        17,
        "Interview guide",
        "Were questions, prompts, guides provided by the authors? Was it pilot tested?",
    ),
    (18, "Repeat interviews", "Were repeat interviews carried out? If yes, how many?"),
    (
        19,
        "Audio/visual recording",
        "Did the research use audio or visual recording to collect the data?",
    ),
    (20, "Field notes", "Were field notes made during and/or after the interview?"),
    (21, "Duration", "What was the duration of the interviews?"),
    (22, "Data saturation", "Was data saturation discussed?"),
    (
        23,
        "Transcripts returned",
        "Were transcripts returned to participants for comment and/or correction?",
    ),
    (24, "Number of data coders", "How many data coders coded the data?"),
    (25, "Description of the coding tree", "Did authors provide a description of the coding tree?"),
    (26, "Derivation of themes", "Were themes identified in advance or derived from the data?"),
    (27, "Software", "What software, if applicable, was used to manage the data?"),
    (28, "Participant checking", "Did participants provide feedback on the findings?"),
    (29, "Quotations presented", "Were participant quotations presented? Was each identified?"),
    (
        30,
        "Data and findings consistent",
        "Was there consistency between the data presented and the findings?",
    ),
    (31, "Clarity of major themes", "Were major themes clearly presented in the findings?"),
    (
        32,
        "Clarity of minor themes",
        "Is there a description of diverse cases or discussion of minor themes?",
    ),
)
"""(number, item, COREQ's guide question), as published."""

HEADERS = ["No.", "Item", "Guide question", "What the project records", "Source"]
FOR_THE_AUTHOR = "For the author: not recorded in the project."
ABOUT = (
    "COREQ (Tong, Sainsbury & Craig 2007). Filled where the project records the answer, as counts "
    "over the whole study (no participant is named); every other item is left for the author "
    "with COREQ's question. Check each filled answer against the study protocol."
)


@dataclass(frozen=True, slots=True)
class ChecklistExport:
    path: str
    filled: int
    for_the_author: int


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{n} {what}" for what, n in sorted(counter.items(), key=lambda x: -x[1]))


def _participants(s: Session) -> list[tuple[str, str, str]]:
    """(role, consent, study role) of every person on the participant list."""
    return [
        (r, c, sr)
        for r, c, sr in s.execute(
            select(Participant.role, Participant.consent, Participant.study_role)
        )
    ]


def _sample(s: Session) -> dict[int, str]:
    people = _participants(s)
    studied = [(r, c) for r, c, sr in people if sr == "participant"]
    team = Counter(r for r, _, sr in people if sr == "team")
    dyads = s.scalar(select(func.count()).select_from(Dyad)) or 0
    consent = Counter(c for _, c in studied)
    answers = {
        12: f"{len(studied)} participants ({_counts(Counter(r for r, _ in studied))}) in "
        f"{dyads} dyads; the team: {_counts(team) or 'none listed'}.",
        16: f"By role: {_counts(Counter(r for r, _ in studied))}. Consent: {_counts(consent)}.",
    }
    languages = Counter(
        lang for (lang,) in s.execute(select(Interview.language)) if lang
    )  # interviews per language
    if languages:
        answers[16] += f" Interview languages: {_counts(languages)} interviews."
    return answers


def _attrition(s: Session) -> str:
    stopped = Counter(
        (reason or "no reason recorded")
        for (reason,) in s.execute(
            select(Interview.status_reason).where(Interview.status == "stopped")
        )
    )
    withdrawn = s.scalar(
        select(func.count()).where(Participant.consent != "consented")
    )  # consent withdrawn or not given
    parts = [f"{withdrawn or 0} people with consent not given or withdrawn"]
    if stopped:
        parts.append(
            f"{sum(stopped.values())} interviews stopped ("
            + "; ".join(f"{why}: {n}" for why, n in stopped.most_common())
            + ")"
        )
    else:
        parts.append("no interview stopped")
    return "; ".join(parts) + "."


def _presence(s: Session) -> str:
    held = s.scalar(select(func.count()).where(Interview.status != "stopped")) or 0
    interpreted = s.scalar(
        select(func.count(distinct(InterviewParticipantRow.interview_id)))
        .join(Interview, Interview.id == InterviewParticipantRow.interview_id)
        .where(InterviewParticipantRow.role == "interpreter", Interview.status != "stopped")
    )
    return f"An interpreter was present in {interpreted or 0} of {held} interviews held."


def _repeats(s: Session) -> str:
    per_wave = s.execute(
        select(Wave.name, func.count(Interview.id))
        .outerjoin(Interview, Interview.wave_id == Wave.id)
        .group_by(Wave.name, Wave.position)
        .order_by(Wave.position)
    ).all()
    per_person = [
        n
        for (n,) in s.execute(
            select(func.count(distinct(InterviewParticipantRow.interview_id)))
            .join(Participant, Participant.id == InterviewParticipantRow.participant_id)
            .where(Participant.study_role == "participant")
            .group_by(InterviewParticipantRow.participant_id)
        )
    ]
    waves = "; ".join(f"{name}: {n}" for name, n in per_wave)
    each = (
        f"interviews per participant: median {statistics.median(per_person):g} "
        f"(range {min(per_person)}–{max(per_person)})"
        if per_person
        else "no interviews yet"
    )
    return f"{len(per_wave)} waves (interviews per wave — {waves}); {each}."


def _analysis(s: Session) -> dict[int, str]:
    coders = [
        n
        for (n,) in s.execute(
            select(func.count(Coding.id))
            .where(Coding.coder_id.is_not(None))
            .group_by(Coding.coder_id)
        )
    ]
    codes = list(s.execute(select(Code.id, Code.parent_id)))
    parents = {c: p for c, p in codes}

    def depth(code: int) -> int:
        d = 1
        while parents.get(code) is not None and d < 50:
            code = parents[code]  # type: ignore[assignment]
            d += 1
        return d

    themes = Counter(
        ("subtheme" if parent else "theme", status)
        for parent, status in s.execute(select(Theme.parent_id, Theme.status))
    )
    top = sum(n for (kind, _), n in themes.items() if kind == "theme")
    subs = sum(n for (kind, _), n in themes.items() if kind == "subtheme")
    statuses: Counter[str] = Counter()
    for (_, status), n in themes.items():
        statuses[status] += n
    models = Counter(
        detail.split('"model": "')[1].split('"')[0]
        for (detail,) in s.execute(
            select(AuditEntry.detail).where(AuditEntry.action == "transcript.transcribe")
        )
        if '"model": "' in (detail or "")
    )
    utterances = s.scalar(select(func.count()).select_from(UtteranceRow)) or 0
    checked = s.scalar(select(func.count()).where(UtteranceRow.verified.is_(True))) or 0
    quotes = s.scalar(select(func.count()).select_from(Exemplar)) or 0
    software = f"Dyad Workbench {__version__} (coding, themes, longitudinal tables)"
    if models:
        software += "; transcription offline with Whisper (faster-whisper), models " + ", ".join(
            sorted(models)
        )
    software += f"; {checked} of {utterances} utterances marked checked against the audio."
    return {
        24: f"{len(coders)} analysts recorded codings ({sum(coders)} codings; per analyst "
        f"{', '.join(str(n) for n in sorted(coders, reverse=True))})."
        if coders
        else "No codings yet.",
        25: f"{len(codes)} codes, {sum(1 for p in parents.values() if p is None)} at the top, "
        f"up to {max((depth(c) for c in parents), default=0)} levels deep; the codebook export "
        "(codebook-docx, .qdc) describes each.",
        26: f"{top} themes and {subs} subthemes built from the codes in the workbench "
        f"(status: {_counts(statuses) or 'none'}).",
        27: software,
        29: f"{quotes} quotations pinned to themes, each labelled with a pseudonymous id, role "
        "and wave (see the theme table).",
    }


def checklist_rows(project: Project) -> list[list[str]]:
    """The 32 items with what the project records (or a note for the author)."""
    with project.session(write=False) as s:
        answers = _sample(s)
        answers[13] = _attrition(s)
        answers[15] = _presence(s)
        answers[18] = _repeats(s)
        answers.update(_analysis(s))
        held = list(s.scalars(select(Interview.key).where(Interview.status != "stopped")))
        recorded = s.scalar(select(func.count()).where(Interview.media_path.is_not(None))) or 0
    durations = _durations(project)
    known = [durations[k] for k in held if k in durations]
    answers[21] = (
        f"Median {_duration_text(known)} (min:s) over {len(known)} timed interviews "
        "(first utterance's start to the last one's end)."
        if known
        else "Not known (no timed transcripts)."
    )
    if recorded:
        answers[19] = f"{recorded} interviews have a linked audio recording."
    return [
        [str(n), item, question, answers.get(n, FOR_THE_AUTHOR), "project" if n in answers else ""]
        for n, item, question in ITEMS
    ]


def export_coreq_checklist(project: Project, out: Path) -> ChecklistExport:
    rows = checklist_rows(project)
    document = landscape_document()
    document.add_heading("COREQ checklist", level=1)
    document.add_paragraph(ABOUT)
    add_table(document, HEADERS, rows, widths=[1.2, 4.2, 6.5, 11.0, 1.8])
    save(document, out)
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format="coreq-checklist-docx")
    filled = sum(1 for r in rows if r[4])
    return ChecklistExport(str(out), filled, len(rows) - filled)
