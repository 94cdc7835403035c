"""Themes and the analyst's readings: themes, suggestions, cell summaries, exemplar quotes,
stances, trajectories and snapshots."""

from __future__ import annotations

import argparse

from workbench.cli._common import (
    CommandError,
    Registry,
    opened,
    print_json,
)


def cmd_theme(args: argparse.Namespace) -> None:
    from workbench.coding import themes

    with opened(args) as project:
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
                print_json(events)
                return
            for e in events:
                why = f" — {e.rationale}" if e.rationale else ""
                print(f"{e.at[:16]} {e.coder or ''} {e.theme or '(gone)'}: {e.kind}{why}")


def cmd_themes_suggest(args: argparse.Namespace) -> None:
    from workbench.analysis.suggestions import suggest_themes

    with opened(args) as project:
        suggestions = suggest_themes(project)
    if args.json:
        print_json(suggestions)
        return
    print("Suggestions, not decisions: accept, edit or ignore each (workbench theme add ...).")
    for n, g in enumerate(suggestions, 1):
        print(f"\n{n}. {', '.join(g.codes)}  (similarity {g.similarity:.2f})")
        for reason in g.reasons:
            print(f"   - {reason}")


def cmd_themes_list(args: argparse.Namespace) -> None:
    from workbench.coding.themes import list_themes

    with opened(args) as project:
        items = list_themes(project)
        if args.json:
            print_json(items)
            return
        for t in items:
            parent = f" (in {t.parent})" if t.parent else ""
            print(f"{t.name}{parent} [{t.status}]: {', '.join(t.codes) or 'no codes'}")


def cmd_stance_list(args: argparse.Namespace) -> None:
    from workbench.coding.readings import stances

    with opened(args) as project:
        rows = [
            {"dyad": d, "wave": w, "theme": t, "stance": stance, "note": note}
            for d, w, t, stance, note in stances(project)
            if args.dyad is None or d == args.dyad
        ]
        if args.dyad is not None and not rows:
            from workbench.coding.study import get_dyad

            with project.session(write=False) as s:
                get_dyad(s, args.dyad)  # an unknown dyad is an error, a known one may have none
    if args.json:
        print_json(rows)
        return
    for r in rows:
        note = f" — {r['note']}" if r["note"] else ""
        print(f"{r['dyad']}  {r['wave']}  {r['theme']}: {r['stance']}{note}")


def cmd_reading(args: argparse.Namespace) -> None:
    from workbench.coding import readings

    with opened(args) as project:
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
                print_json(shortlist)
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


def cmd_snapshot(args: argparse.Namespace) -> None:
    from workbench.coding.snapshots import list_snapshots, take_snapshot

    with opened(args) as project:
        if args.action == "take":
            info, _ = take_snapshot(project, args.name, coder=args.coder)
            print(f"snapshot '{info.name}': {info.themes} themes, {info.codings} codings")
            return
        items = list_snapshots(project)
        if args.json:
            print_json(items)
            return
        for i in items:
            print(
                f"{i.created_at:%Y-%m-%d %H:%M}  {i.name}  ({i.themes} themes, {i.codings} codings)"
            )


def cmd_trajectory_set(args: argparse.Namespace) -> None:
    from workbench.coding.themes import set_trajectory

    with opened(args) as project:
        change = set_trajectory(
            project, args.theme, args.unit, label=args.label, text=args.text, coder=args.coder
        )
        print(change.description)


def register(reg: Registry) -> None:
    _register_theme(reg)
    themes = reg.group("themes", "all themes")
    reg.command("list", cmd_themes_list, "themes with their codes", parent=themes)
    reg.command(
        "suggest", cmd_themes_suggest, "candidate groupings of codes, with reasons", parent=themes
    )
    _register_readings(reg)

    snapshot = reg.group("snapshot", "frozen analysis states")
    p = reg.command(
        "take", cmd_snapshot, "freeze the analysis as it is", json_=False, parent=snapshot
    )
    p.add_argument("name")
    reg.command("list", cmd_snapshot, "list snapshots", parent=snapshot)

    trajectory = reg.group("trajectory", "the analyst's reading")
    p = reg.command(
        "set", cmd_trajectory_set, "your trajectory label", json_=False, parent=trajectory
    )
    p.add_argument("theme")
    p.add_argument("unit", help="study, role:ROLE, participant:ID or dyad:ID")
    p.add_argument("--label")
    p.add_argument("--text")


def _register_theme(reg: Registry) -> None:
    theme = reg.group("theme", "themes")
    p = reg.command("add", cmd_theme, "add a (sub)theme", json_=False, parent=theme)
    p.add_argument("name")
    p.add_argument("--code", action="append", help="a member code (repeat)")
    p.add_argument("--parent", help="make it a subtheme of this theme")
    p.add_argument("--concept", help="the central organising concept")
    p.add_argument("--definition")
    p.add_argument("--why", help="your rationale, kept in the theme's history")
    p = reg.command("edit", cmd_theme, "rename, set status, reword", json_=False, parent=theme)
    p.add_argument("name")
    p.add_argument("--rename")
    p.add_argument("--status", help="candidate, reviewed, defined or named")
    p.add_argument("--concept")
    p.add_argument("--definition")
    p.add_argument("--why")
    p = reg.command("codes", cmd_theme, "move codes into/out of themes", json_=False, parent=theme)
    p.add_argument("code", nargs="+")
    p.add_argument("--into")
    p.add_argument("--out-of")
    p.add_argument("--why")
    p = reg.command("merge", cmd_theme, "merge a theme into another", json_=False, parent=theme)
    p.add_argument("name")
    p.add_argument("--into", required=True)
    p.add_argument("--why")
    p = reg.command(
        "split", cmd_theme, "split codes off into a new theme", json_=False, parent=theme
    )
    p.add_argument("name")
    p.add_argument("new_name")
    p.add_argument("--code", action="append", required=True)
    p.add_argument("--why")
    p = reg.command(
        "move", cmd_theme, "make a theme a subtheme, or a theme again", json_=False, parent=theme
    )
    p.add_argument("name")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--under", help="the theme it becomes a subtheme of")
    where.add_argument("--top", action="store_true", help="a theme of its own again")
    p.add_argument(
        "--before",
        help="placed just before this sibling (default: last; with --top, just after the theme"
        " it was inside, as on the board)",
    )
    p.add_argument("--why")
    p = reg.command(
        "order", cmd_theme, "move a theme among its siblings", json_=False, parent=theme
    )
    p.add_argument("name")
    p.add_argument("--before", help="just before this sibling")
    p.add_argument("--up", type=int, help="this many places up")
    p.add_argument("--down", type=int, help="this many places down")
    p = reg.command("history", cmd_theme, "merges, splits, renames, code moves", parent=theme)
    p.add_argument("name", nargs="?")


def _register_readings(reg: Registry) -> None:
    summary = reg.group("summary", "cell summaries")
    p = reg.command(
        "set",
        cmd_reading,
        "your summary of a theme × unit × wave cell",
        json_=False,
        parent=summary,
    )
    for name in ("theme", "unit", "wave", "text"):
        p.add_argument(name)
    exemplar = reg.group("exemplar", "exemplar quotes")
    p = reg.command("pin", cmd_reading, "pin a coded quote to a cell", json_=False, parent=exemplar)
    for name in ("theme", "unit", "wave", "coding"):
        p.add_argument(name)
    p.add_argument("--unpin", action="store_true")
    p.add_argument(
        "--excerpt",
        help='the quote shortened: its own words in order, "[…]" where words are left out',
    )
    p = reg.command(
        "propose", cmd_reading, "a shortlist across participants and waves", parent=exemplar
    )
    p.add_argument("theme")
    p.add_argument("--limit", type=int, default=6)
    stance = reg.group("stance", "dyad stances")
    p = reg.command(
        "set", cmd_reading, "convergent, divergent or mixed", json_=False, parent=stance
    )
    for name in ("dyad", "wave", "theme", "stance"):
        p.add_argument(name)
    p.add_argument("--note")
    p = reg.command("list", cmd_stance_list, "the analyst's stances and notes", parent=stance)
    p.add_argument("--dyad", help="only this dyad's")
