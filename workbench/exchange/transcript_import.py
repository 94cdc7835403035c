"""Bring transcript files into an interview: read them (``transcripts``), store them (coding)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from workbench.coding.transcripts import import_utterances
from workbench.domain.study import ImportReport
from workbench.exchange.transcripts import read_transcripts
from workbench.storage.project import Project


def import_transcript_files(
    project: Project,
    interview: str,
    files: Sequence[Path],
    *,
    speakers: Mapping[str, str] | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Read one or more files (several merge by time) and store them as the interview's transcript.

    Reading happens before the project is touched, so a file that cannot be read changes nothing.
    """
    parsed = read_transcripts(list(files), frozenset(speakers or {}), encoding)
    return import_utterances(project, interview, parsed, speakers=speakers)
