"""Study structure: new projects, waves, participants, dyads, interviews, and the check."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.cli._common import (
    CommandError,
    Registry,
    key_values,
    opened,
    print_json,
)


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


def cmd_info(args: argparse.Namespace) -> None:
    from workbench.coding.study import list_interviews, summary

    with opened(args) as project:
        info = summary(project)
        if args.json:
            print_json(info)
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

    with opened(args) as project:
        if args.action == "add":
            add_wave(project, args.name, after=args.after)
        elif args.action == "rename":
            rename_wave(project, args.old, args.new)
        elif args.action == "reorder":
            reorder_waves(project, [w.strip() for w in args.order.split(",")])
        waves = list_waves(project)
        if getattr(args, "json", False):
            print_json(waves)
        else:
            print(", ".join(w.name for w in waves))


def cmd_participant_consent(args: argparse.Namespace) -> None:
    from workbench.coding.study import set_consent

    with opened(args) as project:
        info = set_consent(project, args.id, args.status)
        print(f"{info.id}: {info.consent.value}")


def cmd_participant_list(args: argparse.Namespace) -> None:
    from workbench.coding.study import list_participants

    with opened(args) as project:
        people = list_participants(project)
        if args.json:
            print_json(people)
            return
        for p in people:
            dyads = f"  dyads: {', '.join(p.dyads)}" if p.dyads else ""
            print(
                f"{p.id:<10} {p.role.value:<12} {p.consent.value:<10} "
                f"{p.study_role.value:<11}{dyads}"
            )


def cmd_participant_add(args: argparse.Namespace) -> None:
    from workbench.coding.study import add_participant

    with opened(args) as project:
        info = add_participant(
            project,
            args.id,
            args.role,
            consent=args.consent,
            attributes=key_values(args.attr, "--attr"),
            study_role=args.study_role,
        )
        if args.json:
            print_json(info)
        else:
            print(
                f"added participant {info.id} ({info.role.value}, {info.consent.value}, "
                f"{info.study_role.value})"
            )


def cmd_participant_study_role(args: argparse.Namespace) -> None:
    from workbench.coding.study import set_study_role

    with opened(args) as project:
        info = set_study_role(project, args.id, args.study_role)
        print(f"{info.id}: {info.study_role.value}")


def cmd_participant_attr(args: argparse.Namespace) -> None:
    from workbench.coding.study import set_attribute

    ((name, value),) = key_values([args.assignment], "the attribute").items()
    with opened(args) as project:
        info = set_attribute(project, args.id, name, value, wave=args.wave)
        if args.json:
            print_json(info)
        else:
            where = f" at {args.wave}" if args.wave else ""
            print(f"{info.id}: {name} = {value}{where}")


def cmd_dyad_add(args: argparse.Namespace) -> None:
    from workbench.coding.study import add_dyad

    with opened(args) as project:
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
    with opened(args) as project:
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
            print_json(info)
        else:
            print(f"added interview {info.id} at {info.wave or '(no wave)'}")


def cmd_interview_status(args: argparse.Namespace) -> None:
    from workbench.coding.study import set_interview_status

    with opened(args) as project:
        info = set_interview_status(project, args.id, args.status, reason=args.reason)
        print(f"{info.id}: {info.status.value}")


def cmd_check(args: argparse.Namespace) -> None:
    from workbench.storage.check import check_project

    with opened(args) as project:
        report = check_project(project)
    if args.json:
        print_json(report)
    else:
        print("sound" if report.sound else "PROBLEMS FOUND")
        for problem in report.problems:
            print(f"  problem: {problem}")
        for note in report.notes:
            print(f"  {note}")
    if not report.sound:
        raise SystemExit(1)


def cmd_restore(args: argparse.Namespace) -> None:
    from workbench.storage.backup import restore_backup

    path, backup = Path(args.project), Path(args.from_)
    if not backup.is_file():
        raise CommandError(f"{backup} does not exist")
    if path.suffix.lower() != ".dyad" and not path.exists():
        raise CommandError(f"{path} is not a project file")
    try:
        kept = restore_backup(path, backup) if path.exists() else None
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"cannot restore {path}: {exc.strerror or exc}") from None
    if kept is None:
        raise CommandError(f"{path} does not exist; open the backup {backup} directly")
    print(f"restored {path} from {backup}; the file it replaced is kept as {kept}")


def register(reg: Registry) -> None:
    p = reg.command("new", cmd_new, "create a project", json_=False)
    p.add_argument("--title")
    p.add_argument("--waves", help="comma-separated wave names, in order")

    reg.command("info", cmd_info, "what the project holds")
    p = reg.command(
        "restore", cmd_restore, "put a backup in a (damaged) project's place", json_=False
    )
    p.add_argument("--from", dest="from_", required=True, metavar="BACKUP")
    reg.command("migrate", cmd_migrate, "upgrade the project's schema", json_=False)

    wave = reg.group("wave", "waves")
    reg.command("list", cmd_wave, "list the waves in order", parent=wave)
    p = reg.command("add", cmd_wave, "add a wave", json_=False, parent=wave)
    p.add_argument("name")
    p.add_argument("--after", help="put it right after this wave (default: last)")
    p = reg.command("rename", cmd_wave, "rename a wave", json_=False, parent=wave)
    p.add_argument("old")
    p.add_argument("new")
    p = reg.command("reorder", cmd_wave, "put the waves in a new order", json_=False, parent=wave)
    p.add_argument("order", metavar="W1,W2,...")

    participant = reg.group("participant", "participants")
    p = reg.command("add", cmd_participant_add, "add a participant", parent=participant)
    p.add_argument("id")
    p.add_argument("--role", required=True)
    p.add_argument("--consent", default="consented")
    p.add_argument("--attr", action="append", metavar="KEY=VALUE")
    p.add_argument(
        "--study-role",
        metavar="participant|team",
        help="team speakers never count as voicing (default: team for researchers, interpreters)",
    )
    reg.command("list", cmd_participant_list, "list the participants", parent=participant)
    p = reg.command(
        "consent", cmd_participant_consent, "set consent", json_=False, parent=participant
    )
    p.add_argument("id")
    p.add_argument("status", metavar="consented|pending|declined")
    p = reg.command(
        "study-role",
        cmd_participant_study_role,
        "make a participant's words data (participant) or the study's own (team)",
        json_=False,
        parent=participant,
    )
    p.add_argument("id")
    p.add_argument("study_role", metavar="participant|team")
    p = reg.command("attr", cmd_participant_attr, "set an attribute", parent=participant)
    p.add_argument("id")
    p.add_argument("assignment", metavar="KEY=VALUE")
    p.add_argument("--wave", help="the wave it was measured at")

    dyad = reg.group("dyad", "dyads")
    p = reg.command("add", cmd_dyad_add, "add a dyad", json_=False, parent=dyad)
    p.add_argument("id")
    p.add_argument("--member", action="append", required=True)

    interview = reg.group("interview", "interviews")
    p = reg.command("add", cmd_interview_add, "add an interview", parent=interview)
    p.add_argument("id")
    p.add_argument("--wave")
    p.add_argument("--participant", action="append", required=True, metavar="ID[:ROLE]")
    p.add_argument("--dyad")
    p.add_argument("--language")
    p.add_argument("--date")
    p.add_argument("--session", type=int)
    p.add_argument("--weeks", type=float, help="weeks since treatment start")
    p.add_argument("--media")
    p = reg.command(
        "status", cmd_interview_status, "set an interview's status", json_=False, parent=interview
    )
    p.add_argument("id")
    p.add_argument("status")
    p.add_argument("--reason")

    reg.command("check", cmd_check, "integrity and consistency report")
