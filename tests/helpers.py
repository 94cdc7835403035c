"""Small builders for tests: a study with people, an interview and a transcript, via the services;
and a Word document as LibreOffice lays it out (converted headless to PDF, read by pdftotext)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from workbench.coding.study import add_interview, add_participant
from workbench.coding.transcripts import import_utterances
from workbench.domain.transcript import ParsedTranscript, UtteranceDraft
from workbench.storage.project import Project


def transcript(lines: Sequence[tuple[str | None, str]], step_ms: int = 1000) -> ParsedTranscript:
    return ParsedTranscript(
        utterances=tuple(
            UtteranceDraft(speaker, i * step_ms, (i + 1) * step_ms, text)
            for i, (speaker, text) in enumerate(lines)
        ),
        encoding="utf-8",
        format="txt",
    )


def interview_with(
    project: Project,
    key: str,
    lines: Sequence[tuple[str | None, str]],
    *,
    people: Sequence[tuple[str, str]] = (("P01", "patient"), ("R01", "researcher")),
    wave: str = "baseline",
) -> None:
    """Add the people that are missing, an interview with all of them, and its transcript.

    Speaker labels in ``lines`` are participant ids.
    """
    from workbench.coding.study import list_participants

    existing = {p.id for p in list_participants(project)}
    for person, role in people:
        if person not in existing:
            add_participant(project, person, role)
    add_interview(project, key, wave=wave, participants=[(p, None) for p, _ in people])
    labels = {s for s, _ in lines if s}
    import_utterances(project, key, transcript(lines), speakers={s: s for s in labels})


def study_from_the_command_line(
    path: Path,
    people: Sequence[tuple[str, str]],
    interviews: Sequence[str] = ("I1",),
    *extra: str,
) -> None:
    """A new project with ``people`` (id, role) and baseline ``interviews`` with all of them,
    made through ``workbench`` commands as a researcher would (``extra``: more interview add
    options, such as ``--media FILE``)."""
    from workbench.cli import main

    target = str(path)
    commands = [["new", target]]
    commands += [["participant", "add", target, pid, "--role", role] for pid, role in people]
    joined = [arg for pid, _ in people for arg in ("--participant", pid)]
    commands += [
        ["interview", "add", target, key, "--wave", "baseline", *joined, *extra]
        for key in interviews
    ]
    for args in commands:
        assert main(args) == 0, args


LIBREOFFICE_TIMEOUT = 180


def pdf_tools(*tools: str) -> tuple[str, ...]:
    """``soffice`` and the poppler ``tools`` asked for (``pdftotext``, ``pdffonts``). Missing on a
    developer's machine the test skips; under CI (``CI`` set) it fails, so the check cannot go
    quiet."""
    wanted = ("soffice", *tools)
    found = {name: shutil.which(name) for name in wanted}
    found["soffice"] = found["soffice"] or shutil.which("libreoffice")
    missing = ", ".join(name for name, where in found.items() if not where)
    if not missing:
        return tuple(str(found[name]) for name in wanted)
    message = f"{missing} not installed (apt: libreoffice-writer-nogui poppler-utils)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must convert Word documents to PDF: {message}")
    pytest.skip(message)


def to_pdf(docx_file: Path, work: Path) -> Path:
    """The docx converted to PDF by LibreOffice headless (in ``work/pdf``), the one conversion
    every layout and font test reads."""
    (soffice,) = pdf_tools()
    profile = work / "lo-profile"  # a profile of its own: parallel runs do not share a lock
    outdir = work / "pdf"
    outdir.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(docx_file),
        ],
        capture_output=True,
        text=True,
        timeout=LIBREOFFICE_TIMEOUT,
        check=False,
    )
    pdf = outdir / (docx_file.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), f"LibreOffice failed: {done.stdout}{done.stderr}"
    assert "error" not in done.stderr.lower(), done.stderr
    return pdf


def pdf_text(docx_file: Path, work: Path) -> str:
    """The docx converted by LibreOffice headless, as ``pdftotext -layout`` reads it (pages
    separated by form feeds)."""
    _, pdftotext = pdf_tools("pdftotext")
    return subprocess.run(
        [pdftotext, "-layout", str(to_pdf(docx_file, work)), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def pdf_fonts(pdf: Path) -> dict[str, bool]:
    """The fonts a PDF uses, as ``pdffonts`` lists them: base name (subset prefix dropped) and
    whether the PDF embeds it."""
    _, pdffonts = pdf_tools("pdffonts")
    listing = subprocess.run(
        [pdffonts, str(pdf)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    fonts: dict[str, bool] = {}
    for line in listing.splitlines()[2:]:  # a header line and a rule
        name, *_, emb, _sub, _uni, _obj, _gen = line.split()
        fonts[name.split("+", 1)[-1]] = fonts.get(name.split("+", 1)[-1], False) or emb == "yes"
    return fonts
