"""Files in and out: exports through the format registry, and imports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli._common import CommandError, Registry, jsonable, opened, print_json


def cmd_export(args: argparse.Namespace) -> None:
    from workbench.exchange.registry import ExportOptions, export, exporter

    fmt = exporter(args.format)
    options = ExportOptions(
        interview=args.interview,
        with_counts=args.with_counts,
        include_unconsented=args.include_unconsented,
        override_check=args.override_pseudonym_check,
        key=args.key,
        snapshot=args.snapshot,
    )
    if fmt.kind == "transcript" and not args.interview:
        raise CommandError(f"--format {args.format} exports one transcript: give --interview")
    with opened(args) as project:
        outcome = export(project, fmt.name, Path(args.out), options)
    for line in outcome.lines:
        print(line)
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> None:
    from workbench.exchange.registry import importer_for

    path = Path(args.file)
    fmt = importer_for(path)
    assert fmt.import_ is not None
    outcome = fmt.import_(args.project, path, args.coder)
    for line in outcome.lines:
        print(line)
    for note in outcome.details if args.verbose and outcome.details else outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.verbose and outcome.details:
        for note in outcome.notes:
            if not note.startswith("not carried: "):
                print(f"note: {note}", file=sys.stderr)


def cmd_merge(args: argparse.Namespace) -> None:
    from workbench.exchange.merge import merge_copy

    with opened(args) as project:
        report, _ = merge_copy(project, Path(args.source), coder=args.coder)
    if args.json:
        print_json({**jsonable(report), "added": report.added})
        return
    by = ", ".join(f"{n} by {who}" for who, n in sorted(report.codings_added.items()))
    print(
        f"merged {report.source}: added {report.added} codings{f' ({by})' if by else ''}, "
        f"{report.codings_already_present} already present, {len(report.codes_added)} new codes, "
        f"{report.codes_matched} codes matched; one step: `workbench undo` takes it back"
    )
    if report.codings_moved:
        print(f"  {report.codings_moved} codings placed by their words (the text differs here)")
    for conflict in report.conflicts:
        print(f"  conflict ({conflict.kind}): {conflict.what} — {conflict.resolution}")


def register(reg: Registry) -> None:
    from workbench.exchange.registry import FORMATS

    p = reg.command("export", cmd_export, "write a document or exchange file", json_=False)
    p.add_argument(
        "--format",
        required=True,
        choices=[f.name for f in FORMATS if f.export is not None],  # one list: the registry's
    )
    p.add_argument("-o", "--out", required=True)
    p.add_argument("--interview")
    p.add_argument("--with-counts", action="store_true", help="member codes and codings")
    p.add_argument("--include-unconsented", action="store_true")
    p.add_argument("--override-pseudonym-check", action="store_true")
    p.add_argument("--key")
    p.add_argument("--snapshot", help="cite this analysis snapshot (theme-table-docx, matrix-docx)")

    p = reg.command(
        "import",
        cmd_import,
        "bring in a .qdpx project (into a new or empty project) or a .qdc codebook",
        json_=False,
    )
    p.add_argument("file")
    p.add_argument(
        "--verbose", action="store_true", help="list each element not carried, not their counts"
    )

    p = reg.command(
        "merge",
        cmd_merge,
        "bring a colleague's separately coded copy (.dyad, or .qdpx from our export) into the "
        "project: codings kept with their analyst, conflicts listed",
    )
    p.add_argument("source", metavar="SOURCE")
