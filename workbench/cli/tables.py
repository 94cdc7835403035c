"""The longitudinal tables: theme × wave matrices and coding patterns."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workbench.cli._common import (
    Registry,
    opened,
    print_json,
    table_output,
)


def cmd_matrix(args: argparse.Namespace) -> None:
    from workbench.analysis.longitudinal import matrix, matrix_frame

    with opened(args) as project:
        cells = matrix(
            project,
            args.by,
            args.measure,
            include_unconsented=args.include_unconsented,
            snapshot=args.snapshot,
        )
    if args.include_unconsented:
        print("note: participants without consent are included", file=sys.stderr)
    if args.json or args.format == "json":
        records = []
        for c in cells:
            record: dict[str, Any] = {
                "theme": c.theme,
                "unit": c.unit,
                "wave": c.wave,
                "value": c.value(args.measure),
            }
            if c.missing is not None:
                record["missing"] = c.missing
            if args.by == "dyad":
                record["cooccurrence"] = c.cooccurrence
                record["members"] = members_record(c, args.measure)
            record["drift"] = c.drift
            if c.attributes:
                record["attributes"] = c.attributes
            records.append(record)
        print_json(records)
        return
    table_output(matrix_frame(cells, args.measure), args.format)
    print(
        "Counts describe where the analyst coded; they are not findings. "
        "– marks a missing wave (see --json for the reason).",
        file=sys.stderr,
    )


def members_record(c: Any, measure: str) -> dict[str, Any]:
    """A dyad cell's members side by side: each one's own value (null when missing), and
    ``"missing"`` with the reason per missing member."""
    record: dict[str, Any] = {}
    reasons: dict[str, Any] = {}
    for key, m in (c.members or {}).items():
        if m.missing is not None:
            record[key] = None
            reasons[key] = m.missing
        else:
            record[key] = {
                "value": m.value(measure),
                "segments": m.segments,
                "words": m.words,
                "presence": m.presence,
            }
    record["missing"] = reasons
    return record


def cmd_trajectories(args: argparse.Namespace) -> None:
    from workbench.analysis.longitudinal import trajectories

    with opened(args) as project:
        rows = trajectories(
            project, args.by, include_unconsented=args.include_unconsented, snapshot=args.snapshot
        )
    if args.json or args.format == "json":
        print_json(rows)
        return
    import pandas as pd

    frame = pd.DataFrame(
        [
            (
                r.theme,
                r.unit,
                r.trajectory or "",
                r.pattern,
                " ".join("–" if x is None else str(x) for x in r.sequence),
                "gap" if r.gap else "",
            )
            for r in rows
        ],
        columns=["theme", "unit", "analyst's trajectory", "coding pattern", "segments", "gap"],
    ).set_index(["theme", "unit"])
    table_output(frame, args.format)


def register(reg: Registry) -> None:
    for name, func, help_ in (
        ("matrix", cmd_matrix, "theme × wave matrix"),
        ("trajectories", cmd_trajectories, "coding patterns beside the analyst's trajectories"),
    ):
        p = reg.command(name, func, help_)
        p.add_argument("--by", required=True, choices=["study", "role", "participant", "dyad"])
        if name == "matrix":
            p.add_argument(
                "--measure",
                default="segments",
                choices=["segments", "words", "presence", "participants"],
            )
        p.add_argument("--format", default="text", choices=["text", "csv", "json"])
        p.add_argument("--include-unconsented", action="store_true")
        p.add_argument("--snapshot", help="rebuild the tables as they were at this snapshot")
