"""Transcripts out: plain text, Word, SRT and WebVTT, with speakers and times.

The text files are written in the forms the workbench reads back (`[hh:mm:ss] Speaker: text`),
so an exported transcript can be corrected elsewhere and re-imported as a corrected version.
Interviews with a participant whose consent is pending or declined are refused unless asked for;
identifying text is the export gate's (``exchange.gate``), as for every format.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import srt
from docx import Document
from docx.shared import Pt

from workbench.coding.study import interview_info, list_participants
from workbench.coding.transcripts import utterances
from workbench.domain.study import StudyError, Utterance
from workbench.exchange._docx import save
from workbench.storage.project import Project

FORMATS = ("txt", "docx", "srt", "vtt")


def _clock(ms: int | None) -> str:
    """hh:mm:ss, with milliseconds only when there are any (so times read back exactly)."""
    ms = ms or 0
    seconds = ms // 1000
    clock = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return clock + (f".{ms % 1000:03d}" if ms % 1000 else "")


def _vtt_time(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _label(u: Utterance) -> str:
    return u.speaker or "Unknown"


def export_transcript(
    project: Project,
    interview: str,
    out: Path,
    *,
    fmt: str | None = None,
    include_unconsented: bool = False,
) -> int:
    """Write the interview's transcript; returns the number of utterances written."""
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise StudyError(f"transcripts export as {', '.join(FORMATS)}, not '{fmt}'")
    info = interview_info(project, interview)
    consent = {p.id: p.consent.value for p in list_participants(project)}
    withheld = [
        p.participant for p in info.participants if consent.get(p.participant) != "consented"
    ]
    if withheld and not include_unconsented:
        raise StudyError(
            f"{', '.join(withheld)} in this interview has not consented; export it only if you "
            "include unconsented participants explicitly"
        )
    rows = utterances(project, interview)
    if fmt == "txt":
        lines = [f"[{_clock(u.start_ms)}] {_label(u)}: {u.text}" for u in rows if u.text]
        out.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    elif fmt == "srt":
        subtitles = [
            srt.Subtitle(
                index=n,
                start=dt.timedelta(milliseconds=u.start_ms or 0),
                end=dt.timedelta(milliseconds=u.end_ms or (u.start_ms or 0) + 1000),
                content=f"{_label(u)}: {u.text}",
            )
            for n, u in enumerate((u for u in rows if u.text), start=1)
        ]
        out.write_text(srt.compose(subtitles), encoding="utf-8")
    elif fmt == "vtt":
        cues = ["WEBVTT", ""]
        for u in rows:
            if not u.text:
                continue
            start = u.start_ms or 0
            end = u.end_ms or start + 1000
            cues += [f"{_vtt_time(start)} --> {_vtt_time(end)}", f"<v {_label(u)}>{u.text}", ""]
        out.write_text("\n".join(cues), encoding="utf-8")
    else:
        document = Document()
        document.styles["Normal"].font.size = Pt(10)
        document.add_heading(f"Interview {interview}", level=1)
        meta = [
            info.wave or "no wave",
            info.language or "",
            info.date.isoformat() if info.date else "",
        ]
        document.add_paragraph(" · ".join(m for m in meta if m))
        for u in rows:
            paragraph = document.add_paragraph()
            head = paragraph.add_run(f"[{_clock(u.start_ms)}] {_label(u)}: ")
            head.bold = True
            body = paragraph.add_run(u.text or "[speech not transcribed]")
            body.italic = not u.text
        if any("verified" not in u.flags for u in rows):
            document.add_paragraph(
                "Text not marked verified was not checked against the audio."
            ).runs[0].italic = True
        save(document, out)
    with project.session() as s:
        project.audit(s, "export", f"interview:{interview}", path=out.name, format=fmt)
    return sum(1 for u in rows if u.text)
