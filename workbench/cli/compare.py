"""Comparing two analysts' readings, agreement figures on request, and consensus decisions."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workbench.cli._common import CommandError, Registry, jsonable, print_json

TEXT_WIDTH = 100


def _two(args: argparse.Namespace) -> tuple[str, str]:
    if len(args.coder) != 2:
        raise CommandError("name two analysts: --coder A --coder B")
    return args.coder[0], args.coder[1]


def _open(args: argparse.Namespace, coder: str | None = None) -> Any:
    from workbench.storage.project import open_project

    project = open_project(args.project, coder=coder)
    for warning in project.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return project


def _quote(text: str) -> str:
    line = " ".join(text.split())
    return f"“{line if len(line) <= TEXT_WIDTH else line[: TEXT_WIDTH - 1] + '…'}”"


def _print_readings(comparison: Any) -> None:
    a, b = comparison.coder_a, comparison.coder_b
    print(f"A = {a}, B = {b}; both coded {len(comparison.interviews)} interview(s)")
    if not comparison.readings:
        print("neither analyst coded anything here")
    for r in comparison.readings:
        print(f"\n{r.interview} · {r.code}")
        for p in r.both:
            print(f"  both    {p.start}–{p.end}  {p.words} words  {_quote(p.text)}")
            print(f"          A {p.a.start}–{p.a.end} ({p.a.words} words) {p.a.coding}")
            print(f"          B {p.b.start}–{p.b.end} ({p.b.words} words) {p.b.coding}")
        for label, side in (("only A", r.only_a), ("only B", r.only_b)):
            for x in side:
                print(f"  {label}  {x.start}–{x.end}  {x.words} words  {_quote(x.text)}")
                print(f"          {x.coding}")


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _print_stats(stats: Any) -> None:
    print(f"\nAgreement over words ({stats.method}).")
    print(f"Caution: {stats.caution}")
    print(
        f"{len(stats.interviews)} interview(s) both coded, {stats.words} words; "
        f"agreement over words × codes {_percent(stats.agreement)}"
    )
    print(f"  {'code':40} {'both':>7} {'only A':>7} {'only B':>7} {'agree':>7} {'kappa':>7} "
          f"{'alpha':>7}")  # fmt: skip
    for c in stats.codes:
        print(
            f"  {c.code[:40]:40} {c.both:>7} {c.only_a:>7} {c.only_b:>7} "
            f"{_percent(c.agreement):>7} {_figure(c.kappa):>7} {_figure(c.alpha):>7}"
        )
    print("(– : undefined, no variation. Figures describe where readings differ: discuss them.)")


def cmd_compare(args: argparse.Namespace) -> None:
    from workbench.analysis.agreement import agreement
    from workbench.analysis.compare import compare

    coder_a, coder_b = _two(args)
    with _open(args) as project:
        scope = (coder_a, coder_b, args.interview, args.code)
        everyone = args.include_unconsented
        comparison = compare(project, *scope, include_unconsented=everyone)
        stats = agreement(project, *scope, include_unconsented=everyone) if args.stats else None
    if everyone:
        print("note: participants without consent are included", file=sys.stderr)
    elif comparison.withheld:
        print(
            f"note: {comparison.withheld} coding(s) left out: participants without consent "
            "(--include-unconsented shows them)",
            file=sys.stderr,
        )
    if args.json:
        record = jsonable(comparison)
        if stats is not None:
            record["stats"] = jsonable(stats)
        print_json(record)
        return
    _print_readings(comparison)
    if stats is not None:
        _print_stats(stats)


def _span(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    start, sep, end = value.partition("-")
    try:
        if not sep:
            raise ValueError
        return int(start), int(end)
    except ValueError:
        raise CommandError(f"--span must look like START-END, got '{value}'") from None


def _chosen_readings(args: argparse.Namespace, project: Any) -> tuple[str | None, str | None]:
    from workbench.analysis.compare import compare, readings_at

    if args.at is None:
        if args.a is None and args.b is None:
            raise CommandError("say which readings: --at POSITION, or --a/--b CODING_ID")
        return args.a, args.b
    if args.a is not None or args.b is not None:
        raise CommandError("give either --at or --a/--b, not both")
    coder_a, coder_b = _two(args)
    found = compare(project, coder_a, coder_b, args.interview, args.code).readings
    if not found:
        raise CommandError(f"neither analyst coded '{args.code}' in {args.interview}")
    return readings_at(found[0], args.at)


def cmd_consensus(args: argparse.Namespace) -> None:
    from workbench.coding.consensus import record_consensus

    _two(args)
    with _open(args, args.by) as project:
        reading_a, reading_b = _chosen_readings(args, project)
        result, change = record_consensus(
            project,
            args.code,
            args.interview,
            reading_a=reading_a,
            reading_b=reading_b,
            decision=args.decision,
            rationale=args.rationale,
            span=_span(args.span),
            coder=args.by,
        )
    if args.json:
        print_json(result)
        return
    print(change.description)
    if result.removed:
        print(f"removed {', '.join(result.removed)}")
    if result.merged:
        print(f"merged coding {result.merged} over {result.start}–{result.end}")
    print(
        "recorded in the audit trail with both readings; "
        f"`workbench undo PROJECT --coder {project.coder_name}` takes it back"
    )


def register(reg: Registry) -> None:
    from workbench.domain.coding import CONSENSUS_DECISIONS

    p = reg.command("compare", cmd_compare, "two analysts' readings side by side", two_coders=True)
    p.add_argument("--interview")
    p.add_argument("--code", help="one code (its path)")
    p.add_argument(
        "--stats",
        action="store_true",
        help="also agreement figures over words (percentage, Cohen's kappa, Krippendorff's alpha)",
    )
    p.add_argument(
        "--include-unconsented",
        action="store_true",
        help="include participants whose consent is pending or declined",
    )
    p = reg.command(
        "consensus",
        cmd_consensus,
        "record a consensus decision between two analysts' codings",
        two_coders=True,
    )
    p.add_argument("--code", required=True)
    p.add_argument("--interview", required=True)
    p.add_argument("--decision", required=True, choices=CONSENSUS_DECISIONS)
    p.add_argument("--rationale", required=True, help="why the team decided so")
    p.add_argument("--at", type=int, metavar="POSITION", help="a position inside the readings")
    p.add_argument("--a", metavar="CODING_ID", help="analyst A's coding (from compare)")
    p.add_argument("--b", metavar="CODING_ID", help="analyst B's coding (from compare)")
    p.add_argument("--span", metavar="START-END", help="the merged coding's span (merged only)")
    p.add_argument("--by", help="who decides (default: $WORKBENCH_CODER or your login)")
