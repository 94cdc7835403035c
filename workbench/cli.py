"""The ``workbench`` command line: the contract of DESIGN.md, "Command line".

Every command takes the project as a ``.dyad`` path or a database URL, prints JSON with
``--json`` where it lists or reports, and on error exits non-zero with one line on stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

os.environ.setdefault("HF_HUB_OFFLINE", "1")

COMMANDS = (
    "new",
    "info",
    "migrate",
    "wave",
    "participant",
    "dyad",
    "interview",
    "import-transcript",
    "text",
    "search",
    "withdraw",
    "check",
    "code",
    "coding",
    "utterance",
    "undo",
    "redo",
    "history",
    "query",
    "memo",
    "journal",
    "theme",
    "themes",
    "matrix",
    "trajectories",
    "trajectory",
    "snapshot",
    "transcribe",
    "models",
    "summary",
    "exemplar",
    "stance",
    "redact",
    "pseudonyms",
    "labels",
    "export",
    "import",
)


class CommandError(Exception):
    """A one-line reason to stop, already phrased for the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{self.prog}: {message}")


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _print_json(value: Any) -> None:
    json.dump(_jsonable(value), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _key_values(items: Sequence[str] | None, what: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"{what} must look like KEY=VALUE, got '{item}'")
        result[key.strip()] = value
    return result


def _ms(value: int | None) -> str:
    if value is None:
        return "--:--:--"
    seconds = value / 1000
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:{seconds % 60:05.2f}"


# --- commands ------------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> None:
    from workbench.coding.study import new_study

    waves = [w.strip() for w in args.waves.split(",")] if args.waves else None
    kwargs: dict[str, Any] = {"title": args.title}
    if waves is not None:
        kwargs["waves"] = waves
    with new_study(args.project, **kwargs) as project:
        for warning in project.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"created {project.location}")


def _open(args: argparse.Namespace) -> Any:
    from workbench.storage.project import open_project

    project = open_project(args.project, coder=getattr(args, "coder", None))
    for warning in project.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return project


def cmd_info(args: argparse.Namespace) -> None:
    from workbench.coding.study import list_interviews, summary

    with _open(args) as project:
        info = summary(project)
        if args.json:
            _print_json(info)
            return
        print(f"{info.title}  ({info.location}, schema {info.schema_revision})")
        print(f"waves: {', '.join(info.wave_names)}")
        print(
            f"{info.participants} participants, {info.dyads} dyads, {info.interviews} interviews, "
            f"{info.utterances} utterances, {info.codes} codes, {info.codings} codings, "
            f"{info.themes} themes"
        )
        for iv in list_interviews(project):
            people = ", ".join(f"{p.participant}:{p.role.value}" for p in iv.participants)
            print(
                f"  {iv.id:<24} {iv.wave or '(no wave)':<16} {iv.status.value:<12} "
                f"{iv.utterance_count:>5} utt  {people}"
            )


def cmd_migrate(args: argparse.Namespace) -> None:
    from workbench.storage.project import migrate_project

    before, after = migrate_project(args.project)
    if before == after:
        print(f"already at schema {after}")
    else:
        print(f"migrated from schema {before or 'none'} to {after}")


def cmd_wave(args: argparse.Namespace) -> None:
    from workbench.coding.study import add_wave, list_waves, rename_wave, reorder_waves

    with _open(args) as project:
        if args.action == "add":
            add_wave(project, args.name, after=args.after)
        elif args.action == "rename":
            rename_wave(project, args.old, args.new)
        elif args.action == "reorder":
            reorder_waves(project, [w.strip() for w in args.order.split(",")])
        waves = list_waves(project)
        if getattr(args, "json", False):
            _print_json(waves)
        else:
            print(", ".join(w.name for w in waves))


def cmd_participant_consent(args: argparse.Namespace) -> None:
    from workbench.coding.study import set_consent

    with _open(args) as project:
        info = set_consent(project, args.id, args.status)
        print(f"{info.id}: {info.consent.value}")


def cmd_participant_list(args: argparse.Namespace) -> None:
    from workbench.coding.study import list_participants

    with _open(args) as project:
        people = list_participants(project)
        if args.json:
            _print_json(people)
            return
        for p in people:
            dyads = f"  dyads: {', '.join(p.dyads)}" if p.dyads else ""
            print(f"{p.id:<10} {p.role.value:<12} {p.consent.value:<10}{dyads}")


def cmd_participant_add(args: argparse.Namespace) -> None:
    from workbench.coding.study import add_participant

    with _open(args) as project:
        info = add_participant(
            project,
            args.id,
            args.role,
            consent=args.consent,
            attributes=_key_values(args.attr, "--attr"),
        )
        if args.json:
            _print_json(info)
        else:
            print(f"added participant {info.id} ({info.role.value}, {info.consent.value})")


def cmd_participant_attr(args: argparse.Namespace) -> None:
    from workbench.coding.study import set_attribute

    ((name, value),) = _key_values([args.assignment], "the attribute").items()
    with _open(args) as project:
        info = set_attribute(project, args.id, name, value, wave=args.wave)
        if args.json:
            _print_json(info)
        else:
            where = f" at {args.wave}" if args.wave else ""
            print(f"{info.id}: {name} = {value}{where}")


def cmd_dyad_add(args: argparse.Namespace) -> None:
    from workbench.coding.study import add_dyad

    with _open(args) as project:
        info = add_dyad(project, args.id, args.member or [])
        print(f"added dyad {info.id}: {', '.join(info.members)}")


def _participant_roles(values: Sequence[str]) -> list[tuple[str, str | None]]:
    result: list[tuple[str, str | None]] = []
    for value in values:
        person, sep, role = value.partition(":")
        result.append((person, role if sep else None))
    return result


def cmd_interview_add(args: argparse.Namespace) -> None:
    from workbench.coding.study import add_interview

    try:
        date = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, got '{args.date}'") from None
    with _open(args) as project:
        info = add_interview(
            project,
            args.id,
            wave=args.wave,
            participants=_participant_roles(args.participant or []),
            dyad=args.dyad,
            language=args.language,
            date=date,
            session_number=args.session,
            weeks_since_start=args.weeks,
            media=Path(args.media) if args.media else None,
        )
        if args.json:
            _print_json(info)
        else:
            print(f"added interview {info.id} at {info.wave or '(no wave)'}")


def cmd_interview_status(args: argparse.Namespace) -> None:
    from workbench.coding.study import set_interview_status

    with _open(args) as project:
        info = set_interview_status(project, args.id, args.status, reason=args.reason)
        print(f"{info.id}: {info.status.value}")


def cmd_import_transcript(args: argparse.Namespace) -> None:
    from workbench.exchange.transcript_import import import_transcript_files

    with _open(args) as project:
        report = import_transcript_files(
            project,
            args.interview,
            [Path(f) for f in args.files],
            speakers=_key_values(args.speaker, "--speaker"),
        )
        if args.json:
            _print_json(report)
            return
        print(
            f"imported {report.utterances} utterances into {report.interview} "
            f"({report.format}, {report.encoding})"
        )
        for label, participant in report.speakers.items():
            print(f"  {label} -> {participant or '(unmapped: use --speaker LABEL=ID)'}")
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if report.encoding not in ("utf-8", "utf-8-sig", "ascii"):
            print(f"note: the file was read as {report.encoding}", file=sys.stderr)


def cmd_text(args: argparse.Namespace) -> None:
    from workbench.coding.transcripts import utterances

    with _open(args) as project:
        rows = utterances(project, args.interview)
        if args.originals:
            from workbench.coding.redaction import with_originals

            texts = with_originals(project, args.interview, args.key)
            rows = [dataclasses.replace(u, text=t) for u, t in zip(rows, texts, strict=True)]
        elif args.key:
            raise CommandError("--key shows nothing by itself: add --originals")
        if args.json:
            _print_json(
                [
                    {
                        "index": u.index,
                        "speaker": u.speaker,
                        "start_ms": u.start_ms,
                        "end_ms": u.end_ms,
                        "text": u.text,
                        "language": u.language,
                        "flags": list(u.flags),
                        "renders": u.renders,
                        "translations": [
                            {"language": lang, "method": method, "text": text}
                            for lang, method, text in u.translations
                        ],
                    }
                    for u in rows
                ]
            )
            return
        # Exactly the interview text: no trailing newline, so positions match byte for byte.
        sys.stdout.write("\n".join(u.text for u in rows))
        sys.stdout.flush()


def cmd_search(args: argparse.Namespace) -> None:
    from workbench.storage.search import search

    with _open(args) as project:
        hits = search(project, args.query, limit=args.limit)
        if args.json:
            _print_json(hits)
            return
        for h in hits:
            print(
                f"{h.interview} #{h.utterance} [{_ms(h.start_ms)}] {h.speaker or '?'}: {h.snippet}"
            )
        print(f"{len(hits)} hits", file=sys.stderr)


def cmd_withdraw(args: argparse.Namespace) -> None:
    from workbench.coding.withdraw import withdraw_participant

    with _open(args) as project:
        receipt = withdraw_participant(project, args.participant)
    if args.json:
        _print_json(receipt)
        return
    print(f"Withdrawal receipt for participant {receipt.participant}")
    print(f"  interviews deleted: {', '.join(receipt.interviews_deleted) or 'none'}")
    print(f"  utterances replaced by [withdrawn]: {receipt.utterances_replaced}")
    print(f"  interpreter renderings replaced: {receipt.interpreter_utterances_replaced}")
    print(f"  codings removed: {receipt.codings_removed}")
    print(f"  memos deleted: {receipt.memos_deleted}")
    print(f"  per-wave attributes deleted: {receipt.wave_attributes_deleted}")
    print(f"  undo entries deleted: {receipt.undo_entries_deleted}")
    print(f"  detached codings deleted: {receipt.detached_codings_deleted}")
    print(f"  full-text index rebuilt; storage compacted ({receipt.storage_compacted})")
    print("  copies this command cannot reach (remove them by hand):")
    for copy in receipt.unreachable_copies or ("none known",):
        print(f"    - {copy}")


def cmd_check(args: argparse.Namespace) -> None:
    from workbench.storage.check import check_project

    with _open(args) as project:
        report = check_project(project)
    if args.json:
        _print_json(report)
    else:
        print("sound" if report.sound else "PROBLEMS FOUND")
        for problem in report.problems:
            print(f"  problem: {problem}")
        for note in report.notes:
            print(f"  {note}")
    if not report.sound:
        raise SystemExit(1)


# --- coding (issue: coding core) ----------------------------------------------------------------


def cmd_code(args: argparse.Namespace) -> None:
    from workbench.coding import codebook

    with _open(args) as project:
        action = args.action
        if action == "add":
            info, _ = codebook.add_code(
                project,
                args.name,
                parent=args.parent,
                color=args.color,
                definition=args.definition,
                inclusion=args.inclusion,
                exclusion=args.exclusion,
                coder=args.coder,
            )
            print(f"added code {info.path}")
        elif action == "rename":
            info, _ = codebook.rename_code(project, args.name, args.new_name, coder=args.coder)
            print(f"renamed to {info.path}")
        elif action == "move":
            info, _ = codebook.move_code(project, args.name, args.to or None, coder=args.coder)
            print(f"moved to {info.path}")
        elif action == "merge":
            info, _ = codebook.merge_codes(project, args.name, args.into, coder=args.coder)
            print(f"merged into {info.path} ({info.codings} codings)")
        elif action == "delete":
            change = codebook.delete_code(project, args.name, confirm=args.yes, coder=args.coder)
            print(change.description)
        elif action == "list":
            codes = codebook.list_codes(project)
            if args.json:
                _print_json(codes)
                return
            for c in codes:
                depth = c.path.count(codebook.PATH_SEPARATOR)
                print(f"{'  ' * depth}{c.name}  ({c.codings})")


def cmd_coding(args: argparse.Namespace) -> None:
    from workbench.coding import codings

    with _open(args) as project:
        if args.action == "add":
            info, _ = codings.apply_code(
                project,
                args.interview,
                args.start,
                args.end,
                args.code,
                memo=args.memo,
                important=args.important,
                coder=args.coder,
            )
            if args.json:
                _print_json(info)
            else:
                print(f"{info.id}  {info.code}  {info.start}-{info.end}: {info.text!r}")
        elif args.action == "remove":
            print(codings.remove_coding(project, args.id, coder=args.coder).description)
        elif args.action == "list":
            rows = codings.list_codings(project, interview=args.interview, code=args.code)
            if args.json:
                _print_json(rows)
                return
            for c in rows:
                print(f"{c.id}  {c.interview} {c.start}-{c.end}  {c.code}: {c.text!r}")
        elif args.action == "detached":
            detached = codings.list_detached(project)
            if args.json:
                _print_json(detached)
                return
            for d in detached:
                print(f"{d.id}  {d.interview}  {d.code}: {d.text!r}")


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("yes", "true", "1", "on"):
        return True
    if value.lower() in ("no", "false", "0", "off"):
        return False
    raise CommandError(f"expected yes or no, got '{value}'")


def cmd_utterance(args: argparse.Namespace) -> None:
    from workbench.coding import utterances

    with _open(args) as project:
        if args.action == "set":
            verified = True if args.verified else _flag(args.verified_flag)
            change = utterances.edit_utterance(
                project,
                args.interview,
                args.n,
                text=args.text,
                speaker=args.speaker,
                renders=args.renders,
                verified=verified,
                needs_review=_flag(args.needs_review),
                coder=args.coder,
            )
        elif args.action == "split":
            change = utterances.split_utterance(
                project, args.interview, args.n, args.at, coder=args.coder
            )
        else:
            change = utterances.merge_utterances(project, args.interview, args.n, coder=args.coder)
        print(change.description)


def cmd_undo(args: argparse.Namespace) -> None:
    from workbench.coding.undo import redo, undo

    with _open(args) as project:
        if args.command == "undo":
            change = undo(project, args.coder, key=args.key)
        else:
            change = redo(project, args.coder)
        print(change.description)


def cmd_history(args: argparse.Namespace) -> None:
    from workbench.coding.undo import history

    with _open(args) as project:
        items = history(project, args.coder)
        if args.json:
            _print_json(items)
            return
        for h in items:
            print(f"{h.seq:>4} {'(undone) ' if h.undone else ''}{h.description}")


def cmd_query(args: argparse.Namespace) -> None:
    from workbench.coding.queries import query_segments

    with _open(args) as project:
        segments = query_segments(
            project,
            code=args.code,
            include_subcodes=not args.no_subcodes,
            theme=args.theme,
            wave=args.wave,
            role=args.role,
            dyad=args.dyad,
            participant=args.participant,
            coder=args.by_coder,
            attributes=_key_values(args.attr, "--attr"),
            text=args.text,
            interview=args.interview,
            include_unconsented=args.include_unconsented,
        )
        if args.include_unconsented:
            print("note: participants without consent are included", file=sys.stderr)
        if args.json:
            _print_json(segments)
            return
        for g in segments:
            who = ", ".join(g.participants) or "-"
            print(f"{g.interview} [{_ms(g.start_ms)}] {who} · {g.code}\n    {g.text}")
        print(f"{len(segments)} segments", file=sys.stderr)


def cmd_memo(args: argparse.Namespace) -> None:
    from workbench.coding import memos

    with _open(args) as project:
        if args.action == "add":
            info, _ = memos.add_memo(
                project, args.text, about=args.about, title=args.title, coder=args.coder
            )
            print(f"{info.id}  memo on {info.about}")
        else:
            items = memos.list_memos(project, about=args.about)
            if args.json:
                _print_json(items)
                return
            for m in items:
                print(f"{m.id}  {m.about}  {m.coder or ''}: {m.text}")


def cmd_journal(args: argparse.Namespace) -> None:
    from workbench.coding import memos

    with _open(args) as project:
        if args.action == "add":
            date = dt.date.fromisoformat(args.date) if args.date else None
            info, _ = memos.add_journal_entry(project, args.text, date=date, coder=args.coder)
            print(f"{info.date.isoformat()}  journal entry by {info.coder}")
        else:
            entries = memos.list_journal(project, coder=args.by_coder)
            if args.json:
                _print_json(entries)
                return
            for e in entries:
                print(f"{e.date.isoformat()}  {e.coder or ''}: {e.text}")


# --- themes and the longitudinal tables ---------------------------------------------------------


def cmd_theme(args: argparse.Namespace) -> None:
    from workbench.coding import themes

    with _open(args) as project:
        action = args.action
        if action == "add":
            info, _ = themes.add_theme(
                project,
                args.name,
                codes=args.code or [],
                parent=args.parent,
                concept=args.concept,
                definition=args.definition,
                rationale=args.why,
                coder=args.coder,
            )
            print(f"added theme {info.name} with {len(info.codes)} codes")
        elif action == "edit":
            info, _ = themes.update_theme(
                project,
                args.name,
                new_name=args.rename,
                status=args.status,
                concept=args.concept,
                definition=args.definition,
                rationale=args.why,
                coder=args.coder,
            )
            print(f"{info.name}: {info.status}")
        elif action == "codes":
            change = themes.move_codes(
                project,
                args.code,
                into=args.into,
                out_of=args.out_of,
                rationale=args.why,
                coder=args.coder,
            )
            print(change.description)
        elif action == "merge":
            info, _ = themes.merge_themes(
                project, args.name, args.into, rationale=args.why, coder=args.coder
            )
            print(f"merged into {info.name}")
        elif action == "split":
            info, _ = themes.split_theme(
                project, args.name, args.new_name, args.code, rationale=args.why, coder=args.coder
            )
            print(f"split off {info.name} with {len(info.codes)} codes")
        elif action == "move":
            info, _ = themes.move_theme(
                project,
                args.name,
                args.under,
                before=args.before,
                rationale=args.why,
                coder=args.coder,
            )
            where = f"a subtheme of {info.parent}" if info.parent else "a theme of its own"
            print(f"{info.name}: {where}")
        elif action == "order":
            steps = (args.down or 0) - (args.up or 0)
            if args.before is not None and steps:
                raise CommandError("give --before or --up/--down, not both")
            change = themes.reorder_theme(
                project, args.name, before=args.before, steps=steps, coder=args.coder
            )
            print(change.description)
        elif action == "history":
            events = themes.theme_history(project, args.name)
            if args.json:
                _print_json(events)
                return
            for e in events:
                why = f" — {e.rationale}" if e.rationale else ""
                print(f"{e.at[:16]} {e.coder or ''} {e.theme or '(gone)'}: {e.kind}{why}")


def cmd_themes_suggest(args: argparse.Namespace) -> None:
    from workbench.analysis.suggestions import suggest_themes

    with _open(args) as project:
        suggestions = suggest_themes(project)
    if args.json:
        _print_json(suggestions)
        return
    print("Suggestions, not decisions: accept, edit or ignore each (workbench theme add ...).")
    for n, g in enumerate(suggestions, 1):
        print(f"\n{n}. {', '.join(g.codes)}  (similarity {g.similarity:.2f})")
        for reason in g.reasons:
            print(f"   - {reason}")


def cmd_themes_list(args: argparse.Namespace) -> None:
    from workbench.coding.themes import list_themes

    with _open(args) as project:
        items = list_themes(project)
        if args.json:
            _print_json(items)
            return
        for t in items:
            parent = f" (in {t.parent})" if t.parent else ""
            print(f"{t.name}{parent} [{t.status}]: {', '.join(t.codes) or 'no codes'}")


def _table_output(frame: Any, fmt: str) -> None:
    import pandas as pd

    if fmt == "csv":
        frame.to_csv(sys.stdout)
    else:
        with pd.option_context("display.max_rows", None, "display.width", 200):
            print(frame.to_string(na_rep="–"))


def cmd_matrix(args: argparse.Namespace) -> None:
    from workbench.analysis.longitudinal import matrix, matrix_frame

    with _open(args) as project:
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
            record["drift"] = c.drift
            if c.attributes:
                record["attributes"] = c.attributes
            records.append(record)
        _print_json(records)
        return
    _table_output(matrix_frame(cells, args.measure), args.format)
    print(
        "Counts describe where the analyst coded; they are not findings. "
        "– marks a missing wave (see --json for the reason).",
        file=sys.stderr,
    )


def cmd_trajectories(args: argparse.Namespace) -> None:
    from workbench.analysis.longitudinal import trajectories

    with _open(args) as project:
        rows = trajectories(
            project, args.by, include_unconsented=args.include_unconsented, snapshot=args.snapshot
        )
    if args.json or args.format == "json":
        _print_json(rows)
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
    _table_output(frame, args.format)


def cmd_transcribe(args: argparse.Namespace) -> None:
    from workbench.transcribe.job import transcribe_interview

    last = [-1]
    interrupted = [False]

    def on_interrupt(_signum: int, _frame: object) -> None:
        # Ctrl-C cancels the job cleanly: what was transcribed so far is kept.
        interrupted[0] = True

    previous = signal.signal(signal.SIGINT, on_interrupt)

    def progress(done: float, total: float) -> None:
        percent = int(100 * done / total) if total else 100
        if percent >= last[0] + 5 or percent == 100:
            last[0] = percent
            print(f"transcribing: {percent:3d}% ({done:.0f} of {total:.0f} s)", file=sys.stderr)

    with _open(args) as project:
        try:
            outcome = transcribe_interview(
                project,
                args.interview,
                Path(args.audio) if args.audio else None,
                model=args.model,
                language=args.language,
                channels_as_speakers=args.channels_as_speakers,
                fast=args.fast,
                translate=args.translate,
                device=args.device,
                speaker_languages=_key_values(args.speaker_language, "--speaker-language"),
                expected_speakers=args.speakers,
                language_check=not args.no_language_check,
                speakers=_key_values(args.speaker, "--speaker"),
                progress=progress,
                should_cancel=lambda: interrupted[0],
                resume=args.resume,
            )
        finally:
            signal.signal(signal.SIGINT, previous)
    if args.json:
        _print_json(outcome)
        return
    if outcome.cancelled:
        print(
            f"cancelled: {outcome.stored} utterances kept in {outcome.interview}; "
            "run again with --resume to finish"
        )
        return
    print(
        f"transcribed {outcome.stored} utterances into {outcome.interview} with {args.model} "
        f"(language {outcome.language}); {outcome.flagged} flagged for review"
    )
    for warning in outcome.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def cmd_models(args: argparse.Namespace) -> None:
    """Whisper models: list them, fetch one by name (the only network use), add a folder."""
    from workbench.transcribe import models

    if args.action == "list":
        found = models.list_models()
        if args.json:
            _print_json(found)
            return
        for m in found:
            languages = {True: "99 languages", False: "English only", None: "?"}[m.multilingual]
            where = m.path or "joined from its package at first use"
            state = f"  UNUSABLE: {m.problem}" if m.problem else ""
            print(f"{m.name:<20} {languages:<13} {m.source:<12} {where}{state}")
        return
    if args.action == "fetch":
        print(f"fetching {args.name} (only now, because you asked) ...", file=sys.stderr)
        info = models.fetch_model(
            args.name, to=Path(args.to) if args.to else None, local_name=args.as_name
        )
    elif args.action == "add":
        info = models.add_model(Path(args.folder), args.as_name)
    else:
        info = models.remove_model(args.name)
    if args.json:
        _print_json(info)
        return
    if args.action == "remove":
        print(f"removed the model '{info.name}'")
        return
    languages = "99 languages" if info.multilingual else "English only"
    print(f"model '{info.name}' ({languages}) at {info.path}: use --model {info.name}")


def cmd_reading(args: argparse.Namespace) -> None:
    from workbench.coding import readings

    with _open(args) as project:
        if args.command == "summary":
            change = readings.set_cell_summary(
                project, args.theme, args.unit, args.wave, args.text, coder=args.coder
            )
        elif args.command == "stance":
            change = readings.set_stance(
                project,
                args.dyad,
                args.wave,
                args.theme,
                args.stance,
                note=args.note,
                coder=args.coder,
            )
        elif args.action == "propose":
            shortlist = readings.propose_exemplars(project, args.theme, limit=args.limit)
            if args.json:
                _print_json(shortlist)
                return
            for g in shortlist:
                who = ", ".join(g.participants)
                print(f"{g.coding}  {who} · {g.wave} · {g.interview}\n    {g.text}")
            return
        else:
            change = readings.pin_exemplar(
                project,
                args.theme,
                args.unit,
                args.wave,
                args.coding,
                unpin=args.unpin,
                excerpt=args.excerpt,
                coder=args.coder,
            )
        print(change.description)


def cmd_redact(args: argparse.Namespace) -> None:
    from workbench.coding.redaction import redact

    if args.all is None and args.interview is None:
        raise CommandError("give --interview ID --start N --end N, or --all TEXT")
    with _open(args) as project:
        report = redact(
            project,
            args.placeholder,
            interview=args.interview,
            start=args.start,
            end=args.end,
            everywhere=args.all,
            key_path=args.key,
            coder=args.coder,
            new_key=args.new_key,
        )
    print(
        f"redacted {report.occurrences} occurrence(s) as {report.placeholder} in "
        f"{', '.join(report.interviews)}; {report.codings_kept} codings kept on their words"
    )
    if report.snapped:
        print(f"note: {report.snapped} coding edges inside the original now sit at the placeholder")
    for copy in report.unreachable:
        print(f"note: still holds the original: {copy}", file=sys.stderr)


def cmd_pseudonyms(args: argparse.Namespace) -> None:
    from workbench.coding import redaction

    key = args.key
    with _open(args) as project:
        if args.action == "suggest":
            words: list[str] = []
            if args.words:
                try:
                    words = Path(args.words).read_text(encoding="utf-8").splitlines()
                except (OSError, UnicodeDecodeError) as exc:
                    raise CommandError(f"cannot read the word list {args.words}: {exc}") from None
            candidates = redaction.suggest_identifiers(project, key, words=words)
            if args.json:
                _print_json(candidates)
                return
            print("Candidates to review (nothing is redacted until you decide):")
            for c in candidates:
                print(f"  {c.text:<30} {c.kind:<11} ×{c.count}  in {', '.join(c.interviews)}")
            return
        if args.action == "accept":
            redaction.accept_identifier(project, args.identifier, key)
            print("accepted (kept in the key file, not in the project)")
            return
        leaks = redaction.check_identifiers(project, key)
    if args.json:
        _print_json(leaks)
    elif leaks:
        for leak in leaks:
            print(f"  {leak.where}: {leak.found}")
    if leaks:
        raise CommandError(f"{len(leaks)} identifying text(s) would be exported")
    if not args.json:
        print("no key original or accepted identifier in text an export would write")


def cmd_labels(args: argparse.Namespace) -> None:
    from workbench.coding.labels import label_report, set_quote_label

    with _open(args) as project:
        if args.set is not None or args.min_group is not None:
            set_quote_label(project, args.set, min_group=args.min_group, coder=args.coder)
        report = label_report(project)
    if args.json:
        _print_json(report)
        return
    print(f"quote label: {report.template}")
    if report.examples:
        print("as exports write it, e.g.:")
        for example in report.examples:
            print(f"  {example}")
    if not report.risks:
        print(f"every label fits at least {report.min_group} participants")
    else:
        print(
            f"{len(report.risks)} label value(s) fit fewer than {report.min_group} participants "
            "and may identify someone (warnings below; exports state them)"
        )
    for risk in report.risks:
        print(f"warning: {risk.describe()}", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> None:
    from workbench.exchange.registry import ExportOptions, exporter

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
    assert fmt.export is not None
    with _open(args) as project:
        outcome = fmt.export(project, Path(args.out), options)
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
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)


def cmd_snapshot(args: argparse.Namespace) -> None:
    from workbench.coding.snapshots import list_snapshots, take_snapshot

    with _open(args) as project:
        if args.action == "take":
            info, _ = take_snapshot(project, args.name, coder=args.coder)
            print(f"snapshot '{info.name}': {info.themes} themes, {info.codings} codings")
            return
        items = list_snapshots(project)
        if args.json:
            _print_json(items)
            return
        for i in items:
            print(
                f"{i.created_at:%Y-%m-%d %H:%M}  {i.name}  ({i.themes} themes, {i.codings} codings)"
            )


def cmd_trajectory_set(args: argparse.Namespace) -> None:
    from workbench.coding.themes import set_trajectory

    with _open(args) as project:
        change = set_trajectory(
            project, args.theme, args.unit, label=args.label, text=args.text, coder=args.coder
        )
        print(change.description)


# --- parser --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workbench", description="Dyad Workbench")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(
        name: str,
        func: Callable[[argparse.Namespace], None],
        help_: str,
        *,
        json_: bool = True,
        parent: Any = sub,
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help_)
        p.set_defaults(func=func)
        p.add_argument("project", help="a .dyad file or a database URL")
        p.add_argument("--coder", help="who does this (default: $WORKBENCH_CODER or your login)")
        if json_:
            p.add_argument("--json", action="store_true", help="print JSON")
        return p

    p = command("new", cmd_new, "create a project", json_=False)
    p.add_argument("--title")
    p.add_argument("--waves", help="comma-separated wave names, in order")

    command("info", cmd_info, "what the project holds")
    command("migrate", cmd_migrate, "upgrade the project's schema", json_=False)

    wave = sub.add_parser("wave", help="waves").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    command("list", cmd_wave, "list the waves in order", parent=wave)
    p = command("add", cmd_wave, "add a wave", json_=False, parent=wave)
    p.add_argument("name")
    p.add_argument("--after", help="put it right after this wave (default: last)")
    p = command("rename", cmd_wave, "rename a wave", json_=False, parent=wave)
    p.add_argument("old")
    p.add_argument("new")
    p = command("reorder", cmd_wave, "put the waves in a new order", json_=False, parent=wave)
    p.add_argument("order", metavar="W1,W2,...")

    participant = sub.add_parser("participant", help="participants").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = command("add", cmd_participant_add, "add a participant", parent=participant)
    p.add_argument("id")
    p.add_argument("--role", required=True)
    p.add_argument("--consent", default="consented")
    p.add_argument("--attr", action="append", metavar="KEY=VALUE")
    command("list", cmd_participant_list, "list the participants", parent=participant)
    p = command("consent", cmd_participant_consent, "set consent", json_=False, parent=participant)
    p.add_argument("id")
    p.add_argument("status", metavar="consented|pending|declined")
    p = command("attr", cmd_participant_attr, "set an attribute", parent=participant)
    p.add_argument("id")
    p.add_argument("assignment", metavar="KEY=VALUE")
    p.add_argument("--wave", help="the wave it was measured at")

    dyad = sub.add_parser("dyad", help="dyads").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = command("add", cmd_dyad_add, "add a dyad", json_=False, parent=dyad)
    p.add_argument("id")
    p.add_argument("--member", action="append", required=True)

    interview = sub.add_parser("interview", help="interviews").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = command("add", cmd_interview_add, "add an interview", parent=interview)
    p.add_argument("id")
    p.add_argument("--wave")
    p.add_argument("--participant", action="append", required=True, metavar="ID[:ROLE]")
    p.add_argument("--dyad")
    p.add_argument("--language")
    p.add_argument("--date")
    p.add_argument("--session", type=int)
    p.add_argument("--weeks", type=float, help="weeks since treatment start")
    p.add_argument("--media")
    p = command(
        "status", cmd_interview_status, "set an interview's status", json_=False, parent=interview
    )
    p.add_argument("id")
    p.add_argument("status")
    p.add_argument("--reason")

    p = command("import-transcript", cmd_import_transcript, "import a transcript")
    p.add_argument("interview")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--speaker", action="append", metavar="LABEL=PARTICIPANT_ID")

    p = command("text", cmd_text, "print the interview text")
    p.add_argument("interview")
    p.add_argument(
        "--originals",
        action="store_true",
        help="with the key: the originals in place of placeholders (positions then differ)",
    )
    p.add_argument("--key", help="the key file, or a key holder's postgresql:// URL")

    p = command("search", cmd_search, "full-text search")
    p.add_argument("query")
    p.add_argument("--limit", type=int)

    p = command("withdraw", cmd_withdraw, "remove a participant whose consent is withdrawn")
    p.add_argument("participant")

    command("check", cmd_check, "integrity and consistency report")
    _add_coding_commands(sub, command)
    _add_theme_commands(sub, command)
    return parser


def _add_coding_commands(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    def group(name: str, help_: str) -> Any:
        return sub.add_parser(name, help=help_).add_subparsers(
            dest="action", required=True, parser_class=_Parser
        )

    code = group("code", "the codebook")
    p = command("add", cmd_code, "add a code", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("--parent")
    p.add_argument("--color", metavar="#RRGGBB")
    p.add_argument("--definition")
    p.add_argument("--inclusion")
    p.add_argument("--exclusion")
    command("list", cmd_code, "the code tree with counts", parent=code)
    p = command("rename", cmd_code, "rename a code", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("new_name")
    p = command("move", cmd_code, "put a code under another", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("--to", help="the new parent (omit: to the top)")
    p = command("merge", cmd_code, "merge a code into another", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("--into", required=True)
    p = command("delete", cmd_code, "delete a code", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("--yes", action="store_true", help="also delete its sub-codes and codings")

    coding = group("coding", "codings")
    p = command("add", cmd_coding, "code a span of an interview's text", parent=coding)
    p.add_argument("--interview", required=True)
    p.add_argument("--start", type=int, required=True)
    p.add_argument("--end", type=int, required=True)
    p.add_argument("--code", required=True)
    p.add_argument("--memo")
    p.add_argument("--important", action="store_true")
    p = command("remove", cmd_coding, "remove a coding", json_=False, parent=coding)
    p.add_argument("id")
    p = command("list", cmd_coding, "list codings", parent=coding)
    p.add_argument("--interview")
    p.add_argument("--code")
    command("detached", cmd_coding, "codings whose words were deleted", parent=coding)

    utterance = group("utterance", "correct a transcript")
    p = command("set", cmd_utterance, "edit utterance N", json_=False, parent=utterance)
    p.add_argument("interview")
    p.add_argument("n", type=int)
    p.add_argument("--text")
    p.add_argument("--speaker", help="a participant id ('' unmaps it)")
    p.add_argument("--renders", help="whom an interpreter renders ('' clears it)")
    p.add_argument("--verified", action="store_true", help="checked against the audio")
    p.add_argument("--verified-flag", metavar="yes|no", help="set or clear the verified flag")
    p.add_argument("--needs-review", metavar="yes|no")
    p = command("split", cmd_utterance, "split utterance N", json_=False, parent=utterance)
    p.add_argument("interview")
    p.add_argument("n", type=int)
    p.add_argument("--at", type=int, required=True, help="code points into the utterance")
    p = command("merge", cmd_utterance, "merge N with N+1", json_=False, parent=utterance)
    p.add_argument("interview")
    p.add_argument("n", type=int)

    p = command("undo", cmd_undo, "undo the coder's last step", json_=False)
    p.add_argument("--key", help="the key file, to undo a redaction")
    command("redo", cmd_undo, "redo the coder's last undone step", json_=False)
    command("history", cmd_history, "the coder's steps, newest first")

    p = command("query", cmd_query, "coded segments")
    for name in ("code", "theme", "wave", "role", "dyad", "participant", "text", "interview"):
        p.add_argument(f"--{name}")
    p.add_argument("--by-coder", help="only codings by this coder")
    p.add_argument("--attr", action="append", metavar="KEY=VALUE")
    p.add_argument("--no-subcodes", action="store_true")
    p.add_argument("--include-unconsented", action="store_true")

    memo = group("memo", "memos")
    p = command("add", cmd_memo, "add a memo", json_=False, parent=memo)
    p.add_argument("text")
    p.add_argument("--about", default="project", help="project, or KIND:ID (interview:I1, code:X)")
    p.add_argument("--title")
    p = command("list", cmd_memo, "list memos", parent=memo)
    p.add_argument("--about")

    journal = group("journal", "the reflexive journal")
    p = command("add", cmd_journal, "add a dated entry", json_=False, parent=journal)
    p.add_argument("text")
    p.add_argument("--date", help="YYYY-MM-DD (default: today)")
    p = command("list", cmd_journal, "list entries", parent=journal)
    p.add_argument("--by-coder")


def _add_theme_commands(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    theme = sub.add_parser("theme", help="themes").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = command("add", cmd_theme, "add a (sub)theme", json_=False, parent=theme)
    p.add_argument("name")
    p.add_argument("--code", action="append", help="a member code (repeat)")
    p.add_argument("--parent", help="make it a subtheme of this theme")
    p.add_argument("--concept", help="the central organising concept")
    p.add_argument("--definition")
    p.add_argument("--why", help="your rationale, kept in the theme's history")
    p = command("edit", cmd_theme, "rename, set status, reword", json_=False, parent=theme)
    p.add_argument("name")
    p.add_argument("--rename")
    p.add_argument("--status", help="candidate, reviewed, defined or named")
    p.add_argument("--concept")
    p.add_argument("--definition")
    p.add_argument("--why")
    p = command("codes", cmd_theme, "move codes into/out of themes", json_=False, parent=theme)
    p.add_argument("code", nargs="+")
    p.add_argument("--into")
    p.add_argument("--out-of")
    p.add_argument("--why")
    p = command("merge", cmd_theme, "merge a theme into another", json_=False, parent=theme)
    p.add_argument("name")
    p.add_argument("--into", required=True)
    p.add_argument("--why")
    p = command("split", cmd_theme, "split codes off into a new theme", json_=False, parent=theme)
    p.add_argument("name")
    p.add_argument("new_name")
    p.add_argument("--code", action="append", required=True)
    p.add_argument("--why")
    p = command(
        "move", cmd_theme, "make a theme a subtheme, or a theme again", json_=False, parent=theme
    )
    p.add_argument("name")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--under", help="the theme it becomes a subtheme of")
    where.add_argument("--top", action="store_true", help="a theme of its own again")
    p.add_argument("--before", help="placed just before this sibling (default: last)")
    p.add_argument("--why")
    p = command("order", cmd_theme, "move a theme among its siblings", json_=False, parent=theme)
    p.add_argument("name")
    p.add_argument("--before", help="just before this sibling")
    p.add_argument("--up", type=int, help="this many places up")
    p.add_argument("--down", type=int, help="this many places down")
    p = command("history", cmd_theme, "merges, splits, renames, code moves", parent=theme)
    p.add_argument("name", nargs="?")

    themes = sub.add_parser("themes", help="all themes").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    command("list", cmd_themes_list, "themes with their codes", parent=themes)
    command(
        "suggest", cmd_themes_suggest, "candidate groupings of codes, with reasons", parent=themes
    )

    for name, func, help_ in (
        ("matrix", cmd_matrix, "theme × wave matrix"),
        ("trajectories", cmd_trajectories, "coding patterns beside the analyst's trajectories"),
    ):
        p = command(name, func, help_)
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

    p = command("transcribe", cmd_transcribe, "transcribe an interview's audio, offline")
    p.add_argument("interview")
    p.add_argument("audio", nargs="?", help="default: the interview's media file")
    p.add_argument(
        "--model",
        default="tiny.en",
        help="tiny.en, base, a model from `workbench models list`, or a model folder",
    )
    p.add_argument(
        "--language",
        help="xx, or auto: detected per speech turn (multilingual models; interpreted interviews)",
    )
    p.add_argument(
        "--speaker-language",
        action="append",
        metavar="LABEL=xx",
        help="a speaker's own language (channel N with --channels-as-speakers, "
        "speaker N with --speakers)",
    )
    p.add_argument(
        "--no-language-check",
        action="store_true",
        help="English recordings only: skip checking that tiny.en hears English (faster)",
    )
    p.add_argument(
        "--translate",
        action="store_true",
        help="also store Whisper's English translation as a machine translation layer",
    )
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--fast", action="store_true", help="a fast draft (batched, coarser)")
    p.add_argument(
        "--speakers",
        type=int,
        metavar="N",
        help="cluster the voices into N speakers (speaker 1, ...; needs the diarize extra)",
    )
    p.add_argument("--channels-as-speakers", action="store_true")
    p.add_argument("--speaker", action="append", metavar="LABEL=PARTICIPANT_ID")
    p.add_argument("--resume", action="store_true", help="continue a job that was stopped")

    models = sub.add_parser("models", help="Whisper models").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )

    def model_command(name: str, help_: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = models.add_parser(name, help=help_)
        p.set_defaults(func=cmd_models)
        p.add_argument("--json", action="store_true", help="print JSON")
        return p

    model_command("list", "the models on this computer")
    p = model_command("fetch", "download a faster-whisper model by name (needs the internet)")
    p.add_argument("name", help="tiny, small, medium, large-v3, ... or a hub id owner/repo")
    p.add_argument("--to", metavar="DIR", help="where to put it (default: the user data folder)")
    p.add_argument("--as", dest="as_name", metavar="NAME", help="the name to use it by")
    p = model_command("add", "register a CTranslate2 Whisper model folder under a name")
    p.add_argument("folder")
    p.add_argument("--name", dest="as_name", help="default: the folder's name")
    p = model_command("remove", "forget a model (one fetched into the user data folder is deleted)")
    p.add_argument("name")

    p = command("export", cmd_export, "write a document or exchange file", json_=False)
    p.add_argument(
        "--format",
        required=True,
        choices=[
            "qdpx",
            "qdc",
            "theme-table-docx",
            "codebook-docx",
            "matrix-docx",
            "xlsx",
            "csv",
            "txt",
            "docx",
            "srt",
            "vtt",
        ],
    )
    p.add_argument("-o", "--out", required=True)
    p.add_argument("--interview")
    p.add_argument("--with-counts", action="store_true", help="member codes and codings")
    p.add_argument("--include-unconsented", action="store_true")
    p.add_argument("--override-pseudonym-check", action="store_true")
    p.add_argument("--key")
    p.add_argument("--snapshot", help="cite this analysis snapshot (theme-table-docx, matrix-docx)")

    p = command(
        "import",
        cmd_import,
        "bring in a .qdpx project (into a new or empty project) or a .qdc codebook",
        json_=False,
    )
    p.add_argument("file")

    summary = sub.add_parser("summary", help="cell summaries").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = command(
        "set",
        cmd_reading,
        "your summary of a theme × unit × wave cell",
        json_=False,
        parent=summary,
    )
    for name in ("theme", "unit", "wave", "text"):
        p.add_argument(name)
    exemplar = sub.add_parser("exemplar", help="exemplar quotes").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = command("pin", cmd_reading, "pin a coded quote to a cell", json_=False, parent=exemplar)
    for name in ("theme", "unit", "wave", "coding"):
        p.add_argument(name)
    p.add_argument("--unpin", action="store_true")
    p.add_argument(
        "--excerpt",
        help='the quote shortened: its own words in order, "[…]" where words are left out',
    )
    p = command(
        "propose", cmd_reading, "a shortlist across participants and waves", parent=exemplar
    )
    p.add_argument("theme")
    p.add_argument("--limit", type=int, default=6)
    stance = sub.add_parser("stance", help="dyad stances").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = command("set", cmd_reading, "convergent, divergent or mixed", json_=False, parent=stance)
    for name in ("dyad", "wave", "theme", "stance"):
        p.add_argument(name)
    p.add_argument("--note")

    p = command("redact", cmd_redact, "replace identifying text by a placeholder", json_=False)
    p.add_argument("--interview")
    p.add_argument("--start", type=int)
    p.add_argument("--end", type=int)
    p.add_argument("--all", metavar="TEXT", help="every whole-word, case-sensitive occurrence")
    p.add_argument("--as", dest="placeholder", required=True, metavar="PLACEHOLDER")
    p.add_argument(
        "--key",
        help="the key file (default: PROJECT.dyadkey beside a .dyad file), or a key holder's "
        "postgresql:// URL for a team project",
    )
    p.add_argument(
        "--new-key",
        action="store_true",
        help="start a new key although earlier redactions have theirs elsewhere",
    )
    p = command("labels", cmd_labels, "how quotes are labelled in exports, and which give away")
    p.add_argument("--set", metavar="TEMPLATE", help="e.g. '{Role}, {wave}' or '{pseudonym}'")
    p.add_argument(
        "--min-group",
        type=int,
        metavar="K",
        help="warn when fewer than K participants share a label (default 2)",
    )
    pseudonyms = sub.add_parser("pseudonyms", help="identifiers").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    for name, help_ in (
        ("suggest", "candidate identifiers to review"),
        ("check", "fail if identifying text would be exported"),
        ("accept", "accept a candidate as an identifier"),
    ):
        p = command(name, cmd_pseudonyms, help_, parent=pseudonyms)
        p.add_argument("--key")
        if name == "accept":
            p.add_argument("identifier")
        if name == "suggest":
            p.add_argument(
                "--words",
                metavar="FILE",
                help="your own list of identifying words, one a line, in any script",
            )

    snapshot = sub.add_parser("snapshot", help="frozen analysis states").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = command("take", cmd_snapshot, "freeze the analysis as it is", json_=False, parent=snapshot)
    p.add_argument("name")
    command("list", cmd_snapshot, "list snapshots", parent=snapshot)

    trajectory = sub.add_parser("trajectory", help="the analyst's reading").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = command("set", cmd_trajectory_set, "your trajectory label", json_=False, parent=trajectory)
    p.add_argument("theme")
    p.add_argument("unit", help="study, role:ROLE, participant:ID or dyad:ID")
    p.add_argument("--label")
    p.add_argument("--text")


def _open_gui(project: str | None) -> int:
    from workbench.ui.app import run

    return run(project)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if not args_list or (args_list[0] not in COMMANDS and not args_list[0].startswith("-")):
            if len(args_list) > 1:
                raise CommandError(f"unknown command '{args_list[0]}'")
            return _open_gui(args_list[0] if args_list else None)
        args = build_parser().parse_args(args_list)
        args.func(args)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stdout must stay open until exit
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the contract: one line, never a traceback
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        return 1
    return 0


def _one_line(exc: BaseException) -> str:
    from workbench.domain.study import StudyError
    from workbench.domain.transcript import TranscriptFormatError
    from workbench.storage.project import ProjectError

    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, StudyError | ProjectError | TranscriptFormatError):
        return text
    if type(exc).__name__ == "TranscriptionError":  # not imported: it would load numpy and av
        return text
    if isinstance(exc, OSError):
        return f"{exc.strerror or text}: {exc.filename}" if exc.filename else text
    return f"{type(exc).__name__}: {text}"


if __name__ == "__main__":
    sys.exit(main())
