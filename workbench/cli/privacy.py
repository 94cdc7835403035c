"""Privacy: redaction, identifiers, quote labels and consent withdrawal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.cli._common import (
    CommandError,
    Registry,
    opened,
    print_json,
)
from workbench.coding.words import shown, typed

if TYPE_CHECKING:
    from workbench.storage.project import Project


def cmd_redact(args: argparse.Namespace) -> None:
    from workbench.coding.redaction import redact

    if args.all is None and args.interview is None:
        raise CommandError("give --interview ID --start N --end N, or --all TEXT")
    with opened(args) as project:
        report = redact(
            project,
            args.placeholder,
            interview=args.interview,
            start=args.start,
            end=args.end,
            everywhere=None if args.all is None else typed(args.all),
            key_path=args.key,
            coder=args.coder,
            new_key=args.new_key,
        )
    if report.occurrences:
        print(
            f"redacted {report.occurrences} occurrence(s) as {report.placeholder} in "
            f"{', '.join(report.interviews)}; {report.codings_kept} codings kept on their words"
        )
    else:
        print(f"no transcript holds it; redacted as {report.placeholder} in analyst text only")
    if report.rewritten:
        print(
            f"also replaced in {len(report.rewritten)} other text(s): "
            + ", ".join(report.rewritten[:10])
            + (" …" if len(report.rewritten) > 10 else "")
        )
    if report.counterparts:
        shown = ", ".join(report.counterparts[:8]) + (" …" if len(report.counterparts) > 8 else "")
        print(
            f"note: {len(report.counterparts)} turn(s) interpreted to or from these, written in "
            f"another script, were not reached and may name it as written there: {shown}; read "
            "them (workbench text), then watch for the word (pseudonyms watch) or redact the span"
        )
    if report.snapped:
        print(f"note: {report.snapped} coding edges inside the original now sit at the placeholder")
    for copy in report.unreachable:
        print(f"note: still holds the original: {copy}", file=sys.stderr)


def _word_list(path: str | None) -> list[str]:
    if not path:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()  # a BOM is no word
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the word list {path}: {exc}") from None
    return [line for line in lines if not line.lstrip().startswith("#")]  # comments


def cmd_watch(args: argparse.Namespace) -> None:
    from workbench.coding.watchlist import unwatch_words, watch_words, watched_words

    words = [typed(w) for w in [*args.words, *_word_list(args.words_file)]]
    with opened(args) as project:
        if not words:
            if args.remove:
                raise CommandError("give the words to take off the watch list")
            listed, where = watched_words(project, args.key)
            if args.json:
                print_json({"key": where, "watched": listed})
            elif listed:
                print(f"watched for ({len(listed)}, kept in the key {where}):")
                for word in listed:
                    print(f"  {word}")
            else:
                print(f"the watch list in the key {where} is empty")
            return
        change = unwatch_words if args.remove else watch_words
        report = change(project, words, args.key)
    if args.remove:
        if args.json:
            print_json({"removed": report.added, "not_watched": report.unchanged})
            return
        print(f"no longer watched for: {len(report.added)} word(s)", end="")
        print(f"; not on the list: {', '.join(report.unchanged)}" if report.unchanged else "")
        return
    if args.json:
        print_json(report)
        return
    print(
        f"watching for {len(report.added)} more word(s), kept in the key {report.where} "
        "(never in the project)"
        + (f"; already watched: {len(report.unchanged)}" if report.unchanged else "")
    )
    for c in report.standing:
        print(f"  {shown(c.text):<30} ×{c.count}  in {', '.join(c.interviews)}")
    if report.standing:
        print(
            f"{len(report.standing)} of them stand in the project's text, and refuse every "
            "export until each is redacted (pseudonyms accept, redact --all) or dismissed "
            "(pseudonyms dismiss)"
        )


def _say_what_else_refuses(project: Project, key: str | None) -> None:
    """``check`` looks for the key's words; the export gate also refuses while a suggestion
    nobody reviewed stands (a name, a watched word): say so, so a passing check is not taken
    for a passing export."""
    from workbench.exchange.gate import precheck

    unreviewed = [w for w in precheck(project, key).standing if not w.folded]
    if unreviewed:
        first = unreviewed[0]
        more = f" and {len(unreviewed) - 1} more" if len(unreviewed) > 1 else ""
        print(
            f"note: exports are still refused: {len(unreviewed)} suggested identifier(s) nobody "
            f"reviewed ('{shown(first.word)}' in {first.where}{more}); review them: workbench "
            "pseudonyms suggest, then accept and redact, or dismiss",
            file=sys.stderr,
        )


def cmd_pseudonyms(args: argparse.Namespace) -> None:
    from workbench.coding import redaction

    key = args.key
    if getattr(args, "identifier", None) is not None:
        args.identifier = typed(args.identifier)  # Sa\u00admer, as suggest shows it
    with opened(args) as project:
        if args.action == "suggest":
            words = [typed(w) for w in _word_list(args.words)]
            candidates = redaction.suggest_identifiers(project, key, words=words)
            if args.json:
                print_json(candidates)
                return
            print("Candidates to review (nothing is redacted until you decide):")
            for c in candidates:
                status = f"  [{c.reviewed}]" if c.reviewed else ""
                if c.refuses_exports:
                    until = "redacted" if c.kind == "known" else "reviewed"
                    status += f"  ← refuses every export until {until}"
                print(
                    f"  {shown(c.text):<30} {c.kind:<11} ×{c.count}  "
                    f"in {', '.join(c.interviews)}{status}"
                )
            return
        if args.action == "context":
            from workbench.coding.identifiers import in_context

            places = in_context(project, args.identifier)
            if args.json:
                print_json([{"where": where, "text": text} for where, text in places])
                return
            for where, text in places:
                print(f"  {where}: {text}")
            if not places:
                print(f"'{shown(args.identifier)}' stands nowhere as written (case and whole word)")
            return
        if args.action == "prune":
            from workbench.coding.keystore import prune_key

            removed, listed = prune_key(project, key)
            if args.json:
                print_json({"originals_removed": removed, "words_removed": listed})
            elif removed:
                print(
                    f"removed {removed} original(s) from the key (and {listed} of those words "
                    "from its accepted identifiers and watch list): no redaction or undo step "
                    "of the project uses them any more"
                )
            else:
                print("nothing to remove: the project uses every original the key holds")
            return
        if args.action == "dismiss":
            redaction.dismiss_identifier(project, args.identifier)
            print(f"dismissed: '{shown(args.identifier)}' reviewed as not identifying")
            return
        if args.action == "accept":
            redaction.accept_identifier(project, args.identifier, key)
            print("accepted (kept in the key file, not in the project)")
            return
        leaks = redaction.check_identifiers(project, key)
        _say_what_else_refuses(project, key)
    if args.json:
        print_json(leaks)
    elif leaks:
        for leak in leaks:
            written = "" if leak.written == leak.found else f" (written {shown(leak.written)})"
            print(f"  {leak.where}: {leak.found}{written}")
    if leaks:
        raise CommandError(f"{len(leaks)} identifying text(s) would be exported")
    if not args.json:
        print("no key original or accepted identifier in text an export would write")


def cmd_labels(args: argparse.Namespace) -> None:
    from workbench.coding.labels import label_report, set_quote_label

    with opened(args) as project:
        if args.set is not None or args.min_group is not None:
            set_quote_label(project, args.set, min_group=args.min_group, coder=args.coder)
        report = label_report(project)
    if args.json:
        print_json(report)
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


def cmd_withdraw(args: argparse.Namespace) -> None:
    from workbench.coding.withdraw import withdraw_participant

    with opened(args) as project:
        receipt = withdraw_participant(project, args.participant, key_path=args.key)
    if args.json:
        print_json(receipt)
        return
    print("\n".join(receipt.lines()))


def register(reg: Registry) -> None:
    p = reg.command("redact", cmd_redact, "replace identifying text by a placeholder", json_=False)
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
    p = reg.command("labels", cmd_labels, "how quotes are labelled in exports, and which give away")
    p.add_argument("--set", metavar="TEMPLATE", help="e.g. '{Role}, {wave}' or '{pseudonym}'")
    p.add_argument(
        "--min-group",
        type=int,
        metavar="K",
        help="warn when fewer than K participants share a label (default 2)",
    )
    pseudonyms = reg.group("pseudonyms", "identifiers")
    for name, help_ in (
        ("suggest", "candidate identifiers to review"),
        ("check", "fail if identifying text would be exported"),
        ("accept", "accept a candidate as an identifier"),
        ("dismiss", "mark a candidate as reviewed: not identifying"),
        ("context", "a candidate where it stands (first few places): a name or a word?"),
        ("prune", "remove from the key the originals no redaction or undo step uses any more"),
    ):
        p = reg.command(name, cmd_pseudonyms, help_, parent=pseudonyms)
        p.add_argument("--key")
        if name in ("accept", "dismiss", "context"):
            p.add_argument("identifier", metavar="WORD")
        if name == "suggest":
            p.add_argument(
                "--words",
                metavar="FILE",
                help="your own list of identifying words, one a line, in any script (for this "
                "once; `pseudonyms watch` keeps them)",
            )
    p = reg.command(
        "watch",
        cmd_watch,
        "keep your own identifying words (names in any script, towns, camps) in the key: "
        "exports are refused while the text holds one nobody reviewed",
        parent=pseudonyms,
    )
    p.add_argument("words", nargs="*", metavar="WORD", help="none: list the watched words")
    p.set_defaults(words_anywhere=True)
    p.add_argument("--words", dest="words_file", metavar="FILE", help="one word a line")
    p.add_argument("--remove", action="store_true", help="take the words off the list")
    p.add_argument("--key")

    p = reg.command("withdraw", cmd_withdraw, "remove a participant whose consent is withdrawn")
    p.add_argument("participant")
    p.add_argument(
        "--key",
        help="the pseudonymisation key, to remove the originals only their text used (default: "
        "beside a .dyad file; a key holder's postgresql:// URL for a team project)",
    )
