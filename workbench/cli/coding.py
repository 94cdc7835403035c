"""Coding: the codebook, codings, undo and history, retrieval, memos and the journal."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from workbench.cli._common import (
    Registry,
    key_values,
    ms,
    opened,
    print_json,
)


def cmd_code(args: argparse.Namespace) -> None:
    from workbench.coding import codebook

    with opened(args) as project:
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
                print_json(codes)
                return
            for c in codes:
                depth = c.path.count(codebook.PATH_SEPARATOR)
                print(f"{'  ' * depth}{c.name}  ({c.codings})")


def cmd_coding(args: argparse.Namespace) -> None:
    from workbench.coding import codings

    with opened(args) as project:
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
                print_json(info)
            else:
                print(f"{info.id}  {info.code}  {info.start}-{info.end}: {info.text!r}")
        elif args.action == "remove":
            print(codings.remove_coding(project, args.id, coder=args.coder).description)
        elif args.action == "list":
            rows = codings.list_codings(project, interview=args.interview, code=args.code)
            if args.json:
                print_json(rows)
                return
            for c in rows:
                print(f"{c.id}  {c.interview} {c.start}-{c.end}  {c.code}: {c.text!r}")
        elif args.action == "detached":
            detached = codings.list_detached(project)
            if args.json:
                print_json(detached)
                return
            for d in detached:
                print(f"{d.id}  {d.interview}  {d.code}: {d.text!r}")


def cmd_undo(args: argparse.Namespace) -> None:
    from workbench.coding.undo import redo, undo

    with opened(args) as project:
        if args.command == "undo":
            change = undo(project, args.coder, key=args.key)
        else:
            change = redo(project, args.coder)
        print(change.description)


def cmd_history(args: argparse.Namespace) -> None:
    from workbench.coding.undo import history

    with opened(args) as project:
        items = history(project, args.coder)
        if args.json:
            print_json(items)
            return
        for h in items:
            print(f"{h.seq:>4} {'(undone) ' if h.undone else ''}{h.description}")


def cmd_query(args: argparse.Namespace) -> None:
    from workbench.coding.queries import query_segments

    with opened(args) as project:
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
            attributes=key_values(args.attr, "--attr"),
            text=args.text,
            interview=args.interview,
            include_unconsented=args.include_unconsented,
        )
        if args.include_unconsented:
            print("note: participants without consent are included", file=sys.stderr)
        if args.json:
            print_json(segments)
            return
        for g in segments:
            who = ", ".join(g.participants) or "-"
            print(f"{g.interview} [{ms(g.start_ms)}] {who} · {g.code}\n    {g.text}")
        print(f"{len(segments)} segments", file=sys.stderr)


def cmd_memo(args: argparse.Namespace) -> None:
    from workbench.coding import memos

    with opened(args) as project:
        if args.action == "add":
            info, _ = memos.add_memo(
                project, args.text, about=args.about, title=args.title, coder=args.coder
            )
            print(f"{info.id}  memo on {info.about}")
        else:
            items = memos.list_memos(project, about=args.about)
            if args.json:
                print_json(items)
                return
            for m in items:
                print(f"{m.id}  {m.about}  {m.coder or ''}: {m.text}")


def cmd_journal(args: argparse.Namespace) -> None:
    from workbench.coding import memos

    with opened(args) as project:
        if args.action == "add":
            date = dt.date.fromisoformat(args.date) if args.date else None
            info, _ = memos.add_journal_entry(project, args.text, date=date, coder=args.coder)
            print(f"{info.date.isoformat()}  journal entry by {info.coder}")
        else:
            entries = memos.list_journal(project, coder=args.by_coder)
            if args.json:
                print_json(entries)
                return
            for e in entries:
                print(f"{e.id}  {e.date.isoformat()}  {e.coder or ''}: {e.text}")


def register(reg: Registry) -> None:
    code = reg.group("code", "the codebook")
    p = reg.command("add", cmd_code, "add a code", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("--parent")
    p.add_argument("--color", metavar="#RRGGBB")
    p.add_argument("--definition")
    p.add_argument("--inclusion")
    p.add_argument("--exclusion")
    reg.command("list", cmd_code, "the code tree with counts", parent=code)
    p = reg.command("rename", cmd_code, "rename a code", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("new_name")
    p = reg.command("move", cmd_code, "put a code under another", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("--to", help="the new parent (omit: to the top)")
    p = reg.command("merge", cmd_code, "merge a code into another", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("--into", required=True)
    p = reg.command("delete", cmd_code, "delete a code", json_=False, parent=code)
    p.add_argument("name")
    p.add_argument("--yes", action="store_true", help="also delete its sub-codes and codings")

    coding = reg.group("coding", "codings")
    p = reg.command("add", cmd_coding, "code a span of an interview's text", parent=coding)
    p.add_argument("--interview", required=True)
    p.add_argument("--start", type=int, required=True)
    p.add_argument("--end", type=int, required=True)
    p.add_argument("--code", required=True)
    p.add_argument("--memo")
    p.add_argument("--important", action="store_true")
    p = reg.command("remove", cmd_coding, "remove a coding", json_=False, parent=coding)
    p.add_argument("id")
    p = reg.command("list", cmd_coding, "list codings", parent=coding)
    p.add_argument("--interview")
    p.add_argument("--code")
    reg.command("detached", cmd_coding, "codings whose words were deleted", parent=coding)

    p = reg.command("undo", cmd_undo, "undo the coder's last step", json_=False)
    p.add_argument("--key", help="the key file, to undo a redaction")
    reg.command("redo", cmd_undo, "redo the coder's last undone step", json_=False)
    reg.command("history", cmd_history, "the coder's steps, newest first")

    p = reg.command("query", cmd_query, "coded segments")
    for name in ("code", "theme", "wave", "role", "dyad", "participant", "text", "interview"):
        p.add_argument(f"--{name}")
    p.add_argument("--by-coder", help="only codings by this coder")
    p.add_argument("--attr", action="append", metavar="KEY=VALUE")
    p.add_argument("--no-subcodes", action="store_true")
    p.add_argument("--include-unconsented", action="store_true")

    memo = reg.group("memo", "memos")
    p = reg.command("add", cmd_memo, "add a memo", json_=False, parent=memo)
    p.add_argument("text")
    p.add_argument("--about", default="project", help="project, or KIND:ID (interview:I1, code:X)")
    p.add_argument("--title")
    p = reg.command("list", cmd_memo, "list memos", parent=memo)
    p.add_argument("--about")

    journal = reg.group("journal", "the reflexive journal")
    p = reg.command("add", cmd_journal, "add a dated entry", json_=False, parent=journal)
    p.add_argument("text")
    p.add_argument("--date", help="YYYY-MM-DD (default: today)")
    p = reg.command("list", cmd_journal, "list entries", parent=journal)
    p.add_argument("--by-coder")
