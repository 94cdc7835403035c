"""Transcripts: import, print, search and correct them, and transcribe audio offline."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
from pathlib import Path
from typing import Any

from workbench.cli._common import (
    CommandError,
    Registry,
    flag,
    key_values,
    ms,
    opened,
    print_json,
)


def cmd_import_transcript(args: argparse.Namespace) -> None:
    from workbench.exchange.transcript_import import import_transcript_files

    with opened(args) as project:
        report = import_transcript_files(
            project,
            args.interview,
            [Path(f) for f in args.files],
            speakers=key_values(args.speaker, "--speaker"),
            encoding=args.encoding,
        )
        if args.json:
            print_json(report)
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

    with opened(args) as project:
        rows = utterances(project, args.interview)
        if args.originals:
            from workbench.coding.redaction import with_originals

            texts = with_originals(project, args.interview, args.key)
            rows = [dataclasses.replace(u, text=t) for u, t in zip(rows, texts, strict=True)]
        elif args.key:
            raise CommandError("--key shows nothing by itself: add --originals")
        if args.json:
            print_json(
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
    from workbench.storage.search import search, search_notes

    with opened(args) as project:
        hits = search(project, args.query, limit=args.limit)
        notes = search_notes(project, args.query, limit=args.limit) if args.notes else []
        if args.json:
            print_json(hits if not args.notes else {"utterances": hits, "notes": notes})
            return
        for h in hits:
            print(
                f"{h.interview} #{h.utterance} [{ms(h.start_ms)}] {h.speaker or '?'}: {h.snippet}"
            )
        for n in notes:
            print(f"{n.where}: {n.snippet}")
        said = f", {len(notes)} in the analyst's texts" if args.notes else ""
        print(f"{len(hits)} hits{said}", file=sys.stderr)


def cmd_utterance(args: argparse.Namespace) -> None:
    from workbench.coding import utterances

    with opened(args) as project:
        if args.action == "set":
            verified = True if args.verified else flag(args.verified_flag)
            change = utterances.edit_utterance(
                project,
                args.interview,
                args.n,
                text=args.text,
                speaker=args.speaker,
                renders=args.renders,
                verified=verified,
                needs_review=flag(args.needs_review),
                coder=args.coder,
            )
        elif args.action == "renders" and args.remove:
            change = utterances.unmark_rendering(
                project,
                args.interview,
                args.n,
                tuple(args.span) if args.span else None,
                coder=args.coder,
            )
        elif args.action == "renders":
            if not args.for_:
                raise CommandError("say whom it renders (--for PID), or --remove")
            change = utterances.mark_rendering(
                project,
                args.interview,
                args.n,
                args.for_,
                tuple(args.span) if args.span else None,
                coder=args.coder,
            )
        elif args.action == "unlink":
            change = utterances.unlink_rendering(project, args.interview, args.m, coder=args.coder)
        elif args.action == "link":
            change = utterances.link_rendering(
                project, args.interview, args.n, args.m, coder=args.coder
            )
        elif args.action == "split":
            change = utterances.split_utterance(
                project, args.interview, args.n, args.at, coder=args.coder
            )
        else:
            change = utterances.merge_utterances(project, args.interview, args.n, coder=args.coder)
        print(change.description)


def _job_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "model": args.model,
        "language": args.language,
        "channels_as_speakers": args.channels_as_speakers,
        "fast": args.fast,
        "translate": args.translate,
        "device": args.device,
        "speaker_languages": key_values(args.speaker_language, "--speaker-language"),
        "expected_speakers": args.speakers,
        "language_check": not args.no_language_check,
        "speakers": key_values(args.speaker, "--speaker"),
    }


def cmd_transcribe(args: argparse.Namespace) -> None:
    if not args.queue:
        from workbench.transcribe.worker import start_warm

        # The transcribing child starts first: its imports and model load overlap ours.
        warm = start_warm(args.model, args.device)
        try:
            _transcribe_now(args, warm)
        finally:
            warm.close()
        return
    from workbench.transcribe.queue import enqueue

    if args.audio:
        raise CommandError("a queued job transcribes the interview's own recording: link it")
    with opened(args) as project:
        item = enqueue(project, args.interview, **_job_options(args))
    if args.json:
        print_json(item)
    else:
        print(f"queued {item.interview} as item {item.id} (position {item.position})")


def _transcribe_now(args: argparse.Namespace, warm: Any) -> None:
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

    with opened(args) as project:
        try:
            outcome = transcribe_interview(
                project,
                args.interview,
                Path(args.audio) if args.audio else None,
                **_job_options(args),
                progress=progress,
                should_cancel=lambda: interrupted[0],
                resume=args.resume,
                warm=warm,
            )
        finally:
            signal.signal(signal.SIGINT, previous)
    if args.json:
        print_json(outcome)
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
            print_json(found)
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
        print_json(info)
        return
    if args.action == "remove":
        print(f"removed the model '{info.name}'")
        return
    languages = "99 languages" if info.multilingual else "English only"
    print(f"model '{info.name}' ({languages}) at {info.path}: use --model {info.name}")


def register(reg: Registry) -> None:
    p = reg.command("import-transcript", cmd_import_transcript, "import a transcript")
    p.add_argument("interview")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--speaker", action="append", metavar="LABEL=PARTICIPANT_ID")
    p.add_argument(
        "--encoding",
        help="read the file in this encoding (e.g. cp1256) instead of UTF-8 or a careful guess",
    )

    p = reg.command("text", cmd_text, "print the interview text")
    p.add_argument("interview")
    p.add_argument(
        "--originals",
        action="store_true",
        help="with the key: the originals in place of placeholders (positions then differ)",
    )
    p.add_argument("--key", help="the key file, or a key holder's postgresql:// URL")

    p = reg.command("search", cmd_search, "full-text search")
    p.add_argument(
        "query",
        help='words (all must occur), word* for any ending, "a phrase", "a phra"* (case and '
        "accents do not matter; in Arabic, Tigrinya and Amharic also with the short words "
        "written joined to a word)",
    )
    p.add_argument("--limit", type=int)
    p.add_argument(
        "--notes",
        action="store_true",
        help="also the analyst's own texts: memos, coding memos, the journal, summaries, notes, "
        "theme and code definitions (--json then prints {utterances, notes})",
    )

    utterance = reg.group("utterance", "correct a transcript")
    p = reg.command("set", cmd_utterance, "edit utterance N", json_=False, parent=utterance)
    p.add_argument("interview")
    p.add_argument("n", type=int)
    p.add_argument("--text")
    p.add_argument("--speaker", help="a participant id ('' unmaps it)")
    p.add_argument("--renders", help="whom an interpreter renders ('' clears it)")
    p.add_argument("--verified", action="store_true", help="checked against the audio")
    p.add_argument("--verified-flag", metavar="yes|no", help="set or clear the verified flag")
    p.add_argument("--needs-review", metavar="yes|no")
    p = reg.command("split", cmd_utterance, "split utterance N", json_=False, parent=utterance)
    p.add_argument("interview")
    p.add_argument("n", type=int)
    p.add_argument("--at", type=int, required=True, help="code points into the utterance")
    p = reg.command("merge", cmd_utterance, "merge N with N+1", json_=False, parent=utterance)
    p.add_argument("interview")
    p.add_argument("n", type=int)
    p = reg.command(
        "renders",
        cmd_utterance,
        "mark utterance N (or characters START END of it) as rendering a participant",
        json_=False,
        parent=utterance,
    )
    p.add_argument("interview")
    p.add_argument("n", type=int)
    p.add_argument("--for", dest="for_", metavar="PID", help="the person rendered")
    p.add_argument(
        "--remove",
        action="store_true",
        help="remove the mark (with --span: every span overlapping it) instead",
    )
    p.add_argument(
        "--span",
        nargs=2,
        type=int,
        metavar=("START", "END"),
        help="code points into the utterance; its unmarked words stay the speaker's own",
    )
    p = reg.command(
        "link",
        cmd_utterance,
        "utterance M renders utterance N: the pair counts once",
        json_=False,
        parent=utterance,
    )
    p.add_argument("interview")
    p.add_argument("n", type=int, help="the original")
    p.add_argument("m", type=int, help="its rendering")
    p = reg.command(
        "unlink",
        cmd_utterance,
        "utterance M no longer renders the original it was linked to",
        json_=False,
        parent=utterance,
    )
    p.add_argument("interview")
    p.add_argument("m", type=int, help="the rendering")

    _register_transcribe(reg)
    _register_queue(reg)
    _register_models(reg)


def cmd_queue(args: argparse.Namespace) -> None:
    """The transcription queue: list it, run it, take an item out."""
    from workbench.transcribe import queue

    with opened(args) as project:
        if args.action == "list":
            items = queue.list_queue(project)
            if args.json:
                print_json(items)
                return
            for item in items:
                note = f"  {item.detail}" if item.detail else ""
                print(f"{item.id:>4}  {item.status:<8} {item.interview}  {item.model}{note}")
            if not items:
                print("the queue is empty")
        elif args.action == "remove":
            queue.remove_from_queue(project, args.item)
            print(f"removed item {args.item}")
        else:
            _run_queue(project, args)


def _run_queue(project: Any, args: argparse.Namespace) -> None:
    from workbench.transcribe import queue

    interrupted = [False]

    def on_interrupt(_signum: int, _frame: object) -> None:
        interrupted[0] = True  # the running item goes back to the queue, to resume

    last: dict[int, int] = {}

    def progress(item: Any, done: float, total: float) -> None:
        percent = int(100 * done / total) if total else 100
        if percent >= last.get(item.id, -5) + 5 or percent == 100:
            last[item.id] = percent
            print(f"{item.interview}: {percent:3d}%", file=sys.stderr)

    def report(item: Any) -> None:
        print(f"{item.interview}: {item.status}: {item.detail}")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        finished = queue.run_queue(
            project, progress=progress, should_cancel=lambda: interrupted[0], on_item=report
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    waiting = [i for i in queue.list_queue(project) if i.status in ("queued", "running")]
    print(f"{len(finished)} finished, {len(waiting)} waiting")


def _register_queue(reg: Registry) -> None:
    group = reg.group("queue", "the transcription queue (one recording at a time)")
    reg.command("list", cmd_queue, "the queued, running, done and failed items", parent=group)
    reg.command(
        "run",
        cmd_queue,
        "transcribe the queued recordings one at a time (Ctrl-C: stop, resume later)",
        json_=False,
        parent=group,
    )
    p = reg.command("remove", cmd_queue, "take an item out of the queue", json_=False, parent=group)
    p.add_argument("item", type=int)


def _register_transcribe(reg: Registry) -> None:
    p = reg.command("transcribe", cmd_transcribe, "transcribe an interview's audio, offline")
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
    p.add_argument(
        "--queue",
        action="store_true",
        help="put it in the transcription queue instead (`workbench queue run` works through it)",
    )


def _register_models(reg: Registry) -> None:
    models = reg.group("models", "Whisper models")

    def model_command(name: str, help_: str) -> argparse.ArgumentParser:
        # Models belong to this computer, not to a project: no PROJECT argument.
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
