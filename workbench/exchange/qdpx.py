"""REFI-QDA projects (.qdpx) out: a zip of ``project.qde`` (valid against Project-mrt2019.xsd) and
one UTF-8, LF, BOM-less text file per interview under ``sources/``.

What maps to what (docs/refi-qda.md has the whole table):
- an interview is a TextSource whose text is the interview text (utterances joined by one LF),
  so a coding's positions are the same numbers ``workbench text`` and ``coding add`` use;
- a coding is a PlainTextSelection (its ``name`` holds the coded text, which lets an importer
  check the positions) with one Coding of its code, coder and date;
- codes keep hierarchy, colour and description; themes are Sets of codes;
- participants are Cases with variables (role, dyad, fixed and per-wave attributes) and refer to
  the interviews they take part in; an interview's wave, dyad, date, language, session and
  status are variables of its source;
- memos and the journal are Notes, referred to from what they are about.
What the standard has no place for (utterance speakers and times, interpreter renderings,
their spans and original/rendering links, interview roles, study roles, consent, wave order,
theme hierarchy and status, memo targets without a REFI element) travels in
``dyad-workbench.json`` beside ``project.qde``; other tools ignore it, this one reads it back.

Every GUID is the one stored with the object (or derived from stored GUIDs with UUID-5), so two
exports of the same project carry the same GUIDs; the archive's timestamps are fixed, so two
exports of an unchanged project are the same bytes.

``qdpx_sections`` writes the sections of ``project.qde`` (one function per XML section);
``qdpx_xml`` holds the constants and small writers they share with this module and the import.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from workbench.exchange.qdpx_sections import _build
from workbench.exchange.qdpx_xml import (
    NS,
    SIDECAR,
    SOURCE_VARIABLES,
    ZIP_TIME,
    _when,
    _write,
    derived_guid,
)
from workbench.storage.models import Interview, InterviewParticipantRow, Participant, ProjectRow
from workbench.storage.project import Project

# Defined in qdpx_xml, shared with the sections (qdpx_sections) and the import; named here too.
__all__ = [
    "NS",
    "SIDECAR",
    "SOURCE_VARIABLES",
    "ZIP_TIME",
    "QdpxExport",
    "derived_guid",
    "export_qdpx",
]


@dataclass(frozen=True, slots=True)
class QdpxExport:
    path: str
    sources: int
    codes: int
    codings: int
    cases: int
    notes: int
    sets: int
    notes_on_content: tuple[str, ...]
    """What was left out and why (consent), stated so the reader of the export knows."""


def export_qdpx(
    project: Project,
    out: Path,
    *,
    include_unconsented: bool = False,
) -> QdpxExport:
    """Write the project as a .qdpx archive. Participants without consent (and the interviews
    they take part in) are left out unless ``include_unconsented``; the export says so."""
    from workbench import __version__

    notes: list[str] = []
    with project.session(write=False) as s:
        people = list(s.scalars(select(Participant).order_by(Participant.key)))
        withheld = {p.id for p in people if p.consent != "consented"}
        if include_unconsented:
            if withheld:
                notes.append(
                    f"includes {len(withheld)} participant(s) without consent, as asked "
                    "(--include-unconsented)"
                )
            withheld = set()
        interviews = list(s.scalars(select(Interview).order_by(Interview.key)))
        members = defaultdict(list)
        for row in s.scalars(select(InterviewParticipantRow)):
            members[row.interview_id].append(row)
        kept = [
            iv for iv in interviews if not {m.participant_id for m in members[iv.id]} & withheld
        ]
        if withheld:
            notes.append(
                f"left out {len(withheld)} participant(s) without consent and "
                f"{len(interviews) - len(kept)} interview(s) they take part in"
            )
        info = s.scalar(select(ProjectRow))
        attributes = {"name": info.title if info else "project"}
        attributes["origin"] = f"Dyad Workbench {__version__}"
        if info is not None:
            attributes["creationDateTime"] = _when(info.created_at) or ""
        # project.qde is written as it is built (lxml xmlfile) into a file beside the output,
        # the source texts straight into the archive; then project.qde joins them.
        tmp = out.with_name(f".{out.name}.part")
        qde = out.with_name(f".{out.name}.qde.part")
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
                with qde.open("wb") as fh, etree.xmlfile(fh, encoding="utf-8") as xf:
                    xf.write_declaration()
                    with xf.element(f"{{{NS}}}Project", attributes, nsmap={None: NS}):
                        sidecar, counts = _build(s, people, withheld, kept, members, xf, z)
                info_ = zipfile.ZipInfo("project.qde", date_time=ZIP_TIME)
                info_.compress_type = zipfile.ZIP_DEFLATED
                info_.external_attr = 0o644 << 16
                with qde.open("rb") as src, z.open(info_, "w", force_zip64=True) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                if notes:
                    sidecar["notes"] = notes
                _write(
                    z,
                    SIDECAR,
                    json.dumps(sidecar, ensure_ascii=False, indent=1, sort_keys=True).encode(),
                )
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
            qde.unlink(missing_ok=True)
    counts["notes_on_content"] = tuple(notes)
    with project.session() as s:
        project.audit(
            s,
            "export",
            None,
            path=out.name,
            format="qdpx",
            interviews=counts["sources"],
            include_unconsented=include_unconsented,
        )
    return QdpxExport(path=str(out), **counts)
