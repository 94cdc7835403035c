"""The one list of file formats the workbench writes and reads; the command line (and later the
window) dispatch through it, so a format is added in one place.

Each format has a name (``--format NAME``), a file extension, a kind, and an export and/or an
import function with one signature per direction. Modules load only when a format is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.domain.study import StudyError

if TYPE_CHECKING:  # the project layer loads when a format is used, not to list the formats
    from workbench.storage.project import Project


@dataclass(frozen=True, slots=True)
class ExportOptions:
    interview: str | None = None
    with_counts: bool = False
    include_unconsented: bool = False
    override_check: bool = False
    key: str | Path | None = None
    """A key file, or a key holder's database URL for a team project."""
    snapshot: str | None = None
    """Cite (and, where the format can, build from) this analysis snapshot."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened, for people: lines to show, and notes (what was left out, warnings)."""

    lines: tuple[str, ...]
    notes: tuple[str, ...] = ()
    result: object = field(default=None, compare=False)
    details: tuple[str, ...] = ()
    """Each left-out element on its own line (shown with ``--verbose``)."""


Exporter = Callable[["Project", Path, ExportOptions], Outcome]
Importer = Callable[[str, Path, "str | None"], Outcome]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    extension: str
    kind: str
    """``project``, ``codebook``, ``document``, ``table`` or ``transcript``."""
    label: str
    export: Exporter | None = None
    import_: Importer | None = None
    """Imports take the project as a path or URL: a project format may create it."""


# --- exports -------------------------------------------------------------------------------


def _qdpx_out(project: Project, out: Path, o: ExportOptions) -> Outcome:
    from workbench.exchange.qdpx import export_qdpx

    r = export_qdpx(
        project,
        out,
        include_unconsented=o.include_unconsented,
    )
    line = (
        f"wrote {out}: {r.sources} interviews, {r.codes} codes, {r.codings} codings, "
        f"{r.cases} participants, {r.notes} notes, {r.sets} themes"
    )
    return Outcome((line,), r.notes_on_content, r)


def _qdc_out(project: Project, out: Path, o: ExportOptions) -> Outcome:
    from workbench.exchange.qdc import export_qdc

    return Outcome((f"wrote {out}: {export_qdc(project, out)} codes",))


def _theme_table_out(project: Project, out: Path, o: ExportOptions) -> Outcome:
    from workbench.exchange.theme_table import export_theme_table

    r = export_theme_table(
        project,
        out,
        with_counts=o.with_counts,
        include_unconsented=o.include_unconsented,
        snapshot=o.snapshot,
    )
    return Outcome((f"wrote {r.path}: {r.themes} themes, {r.quotes} quotes",), tuple(r.notes), r)


def _matrix_docx_out(project: Project, out: Path, o: ExportOptions) -> Outcome:
    from workbench.exchange.matrix_doc import export_matrix_docx

    r = export_matrix_docx(
        project, out, include_unconsented=o.include_unconsented, snapshot=o.snapshot
    )
    return Outcome((f"wrote {r.path}: {', '.join(r.tables) or 'no matrix'}",), r.notes, r)


def _audit_out(kind: str) -> Callable[[Project, Path, ExportOptions], Outcome]:
    def export(project: Project, out: Path, o: ExportOptions) -> Outcome:
        from workbench.exchange.audit_doc import export_audit_docx, export_audit_xlsx

        write = export_audit_docx if kind == "docx" else export_audit_xlsx
        r = write(project, out, include_unconsented=o.include_unconsented, snapshot=o.snapshot)
        line = f"wrote {r.path}: {r.patterns} coding patterns, quote balance"
        return Outcome((line,), tuple(f"quote balance: {w}" for w in r.warnings), r)

    return export


def _case_matrix_out(kind: str) -> Callable[[Project, Path, ExportOptions], Outcome]:
    def export(project: Project, out: Path, o: ExportOptions) -> Outcome:
        from workbench.exchange.case_matrix import (
            export_case_matrix_docx,
            export_case_matrix_xlsx,
        )

        write = export_case_matrix_docx if kind == "docx" else export_case_matrix_xlsx
        r = write(project, out, include_unconsented=o.include_unconsented)
        return Outcome((f"wrote {r.path}: {r.themes} case-ordered matrices",), (), r)

    return export


def _dyadic_out(kind: str) -> Callable[[Project, Path, ExportOptions], Outcome]:
    def export(project: Project, out: Path, o: ExportOptions) -> Outcome:
        from workbench.exchange.case_matrix import export_dyadic_docx, export_dyadic_xlsx

        write = export_dyadic_docx if kind == "docx" else export_dyadic_xlsx
        r = write(project, out, include_unconsented=o.include_unconsented)
        return Outcome((f"wrote {r.path}: dyadic comparisons for {r.themes} themes",), (), r)

    return export


def _coreq_out(project: Project, out: Path, o: ExportOptions) -> Outcome:
    from workbench.exchange.coreq import export_coreq_checklist

    r = export_coreq_checklist(project, out)
    line = f"wrote {r.path}: {r.filled} COREQ items filled, {r.for_the_author} for the author"
    return Outcome((line,), (), r)


def _codebook_out(project: Project, out: Path, o: ExportOptions) -> Outcome:
    from workbench.exchange.codebook_doc import export_codebook_docx

    r = export_codebook_docx(
        project, out, with_counts=o.with_counts, include_unconsented=o.include_unconsented
    )
    return Outcome((f"wrote {r.path}: {r.codes} codes",), r.notes, r)


def _csv_out(project: Project, out: Path, o: ExportOptions) -> Outcome:
    from workbench.exchange.tables import export_segments_csv

    r = export_segments_csv(
        project,
        out,
        include_unconsented=o.include_unconsented,
    )
    return Outcome((f"wrote {out}: {r.segments} coded segments",), tuple(r.notes), r)


def _xlsx_out(project: Project, out: Path, o: ExportOptions) -> Outcome:
    from workbench.exchange.tables import export_workbook

    r = export_workbook(
        project,
        out,
        include_unconsented=o.include_unconsented,
    )
    return Outcome((f"wrote {out}: {', '.join(r.sheets)}",), tuple(r.notes), r)


def _transcript_out(fmt: str) -> Exporter:
    def export(project: Project, out: Path, o: ExportOptions) -> Outcome:
        from workbench.exchange.transcript_export import export_transcript

        if not o.interview:
            raise StudyError(f"--format {fmt} exports one transcript: give --interview")
        n = export_transcript(
            project,
            o.interview,
            out,
            fmt=fmt,
            include_unconsented=o.include_unconsented,
        )
        return Outcome((f"wrote {out}: {n} utterances",))

    return export


# --- imports -------------------------------------------------------------------------------


POSITION_READINGS = {
    "codepoints-crlf2": "characters with CRLF as 2 (the standard)",
    "codepoints-crlf1": "characters with CRLF as 1 (ATLAS.ti)",
    "utf16-crlf2": "UTF-16 units with CRLF as 2 (NVivo)",
    "utf16-crlf1": "UTF-16 units with CRLF as 1",
}


def _qdpx_in(target: str, path: Path, coder: str | None) -> Outcome:
    from workbench.exchange.qdpx_import import import_qdpx_as_new

    r = import_qdpx_as_new(target, path, coder=coder)
    line = (
        f"imported {path.name} into {r.project}: {r.sources} interviews, {r.participants} "
        f"participants, {r.codes} codes, {r.codings} codings, {r.memos} memos "
        f"(and {r.coding_memos} on codings), "
        f"{r.journal} journal entries, {r.themes} themes"
    )
    if r.codings:
        readings = ", ".join(POSITION_READINGS.get(m, m) for m in r.positions.split(", "))
        line += f"; positions counted in {readings}"
    notes = (
        tuple(f"not carried: {n}" for n in by_kind(r.not_carried))
        + r.warnings
        + tuple(f"inferred: {n}" for n in r.inferred)
    )
    return Outcome((line,), notes, r, tuple(f"not carried: {n}" for n in r.not_carried))


def by_kind(items: tuple[str, ...]) -> list[str]:
    """``where: what`` lines as one line per kind of ``what`` with a count, in first-seen order;
    a kind seen once keeps its whole line."""
    groups: dict[str, list[str]] = {}
    for item in items:
        what = item.partition(": ")[2] or item
        groups.setdefault(re.sub(r"\d+", "N", what), []).append(item)
    lines = []
    for kind, members in groups.items():
        if len(members) == 1:
            lines.append(members[0])
        else:
            lines.append(f"{len(members)} × {kind} (each with --verbose)")
    return lines


def _qdc_in(target: str, path: Path, coder: str | None) -> Outcome:
    from workbench.exchange.qdc import import_qdc
    from workbench.storage.project import open_project

    with open_project(target, coder=coder) as project:
        r = import_qdc(project, path, coder=coder)
    return Outcome(
        (f"imported {r.codes} codes and {r.themes} themes from {path.name}",),
        tuple(f"not carried: {n}" for n in r.skipped),
        r,
    )


FORMATS: tuple[Format, ...] = (
    Format("qdpx", ".qdpx", "project", "REFI-QDA project", _qdpx_out, _qdpx_in),
    Format("qdc", ".qdc", "codebook", "REFI-QDA codebook", _qdc_out, _qdc_in),
    Format("theme-table-docx", ".docx", "document", "Theme table (Word)", _theme_table_out),
    Format("codebook-docx", ".docx", "document", "Codebook (Word)", _codebook_out),
    Format("analysis-audit-docx", ".docx", "document", "Analysis audit (Word)", _audit_out("docx")),
    Format("analysis-audit-xlsx", ".xlsx", "table", "Analysis audit (Excel)", _audit_out("xlsx")),
    Format("coreq-checklist-docx", ".docx", "document", "COREQ checklist (Word)", _coreq_out),
    Format(
        "case-matrix-docx",
        ".docx",
        "document",
        "Case-ordered matrices (Word)",
        _case_matrix_out("docx"),
    ),
    Format(
        "case-matrix-xlsx",
        ".xlsx",
        "table",
        "Case-ordered matrices (Excel)",
        _case_matrix_out("xlsx"),
    ),
    Format(
        "dyadic-comparison-docx",
        ".docx",
        "document",
        "Dyadic comparisons (Word)",
        _dyadic_out("docx"),
    ),
    Format(
        "dyadic-comparison-xlsx",
        ".xlsx",
        "table",
        "Dyadic comparisons (Excel)",
        _dyadic_out("xlsx"),
    ),
    Format("matrix-docx", ".docx", "document", "Theme × wave matrices (Word)", _matrix_docx_out),
    Format("xlsx", ".xlsx", "table", "Coded segments and matrices (Excel)", _xlsx_out),
    Format("csv", ".csv", "table", "Coded segments (CSV)", _csv_out),
    Format("txt", ".txt", "transcript", "Transcript (text)", _transcript_out("txt")),
    Format("docx", ".docx", "transcript", "Transcript (Word)", _transcript_out("docx")),
    Format("srt", ".srt", "transcript", "Transcript (SubRip)", _transcript_out("srt")),
    Format("vtt", ".vtt", "transcript", "Transcript (WebVTT)", _transcript_out("vtt")),
)


def exporter(name: str) -> Format:
    for f in FORMATS:
        if f.name == name and f.export is not None:
            return f
    built = ", ".join(f.name for f in FORMATS if f.export is not None)
    raise StudyError(f"export as {name} is not built yet ({built} are)")


def export(project: Project, name: str, out: Path, options: ExportOptions) -> Outcome:
    """Write ``out`` in format ``name`` through the one export gate (``exchange.gate``): the file
    reaches ``out`` only when it carries no identifier, or the analyst overrode the check (the
    file then says so itself)."""
    from workbench.exchange.gate import (
        ExportRefused,
        Staging,
        precheck,
        refusal,
        scan,
        standing_refusal,
    )
    from workbench.storage import text_changes

    fmt = exporter(name)
    assert fmt.export is not None
    checked = precheck(project, options.key)
    if checked.standing and not options.override_check:
        raise ExportRefused(standing_refusal(checked.standing), in_project=True)
    # The file's name first: the export's audit row keeps it, and that row sets no verdict
    # aside (migration 0016), so a watched word in the name is refused before anything is
    # written — or, overridden, the verdict goes, and the next export reads everything.
    named = scan([], checked.watched, names=[out.name], in_names=checked.in_names)
    if named and not options.override_check:
        raise ExportRefused(refusal(project, named), in_project=False)
    with Staging(out) as staging:
        outcome = fmt.export(project, staging.path, options)
        gated = staging.let_through(
            project, checked.watched, override=options.override_check, in_names=checked.in_names
        )
    if named:
        text_changes.forget(project)
    lines = tuple(line.replace(str(staging.path), str(out)) for line in outcome.lines)
    return Outcome(lines, (*outcome.notes, *checked.notes, *gated.notes), outcome.result)


def importer_for(path: Path) -> Format:
    suffix = path.suffix.lower()
    for f in FORMATS:
        if f.extension == suffix and f.import_ is not None:
            return f
    built = ", ".join(f.extension for f in FORMATS if f.import_ is not None)
    raise StudyError(
        f"importing {suffix or 'this file'} is not built yet ({built} are; transcripts go "
        "through import-transcript)"
    )
