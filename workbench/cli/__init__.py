"""The ``workbench`` command line: the contract of DESIGN.md, "Command line".

Every command takes the project as a ``.dyad`` path or a database URL, prints JSON with
``--json`` where it lists or reports, and on error exits non-zero with one line on stderr.
Each command group is a module here that registers its commands on one :class:`Registry`;
a command's work lives in the core, the module only reads arguments and prints.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from workbench.cli import (
    coding,
    compare,
    exchange,
    privacy,
    study,
    tables,
    team,
    themes,
    transcripts,
)
from workbench.cli._common import CommandError, Parser, Registry

os.environ.setdefault("HF_HUB_OFFLINE", "1")

GROUPS = (study, transcripts, coding, themes, tables, privacy, exchange, team, compare)
"""The command groups, in the order `workbench --help` lists them."""


def build_parser() -> tuple[Parser, Registry]:
    parser = Parser(prog="workbench", description="Dyad Workbench")
    registry = Registry(parser.add_subparsers(dest="command", required=True, parser_class=Parser))
    for group in GROUPS:
        group.register(registry)
    return parser, registry


def _open_gui(project: str | None) -> int:
    from workbench.ui.app import run

    return run(project)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser, registry = build_parser()
        if not args_list or (
            args_list[0] not in registry.names and not args_list[0].startswith("-")
        ):
            if len(args_list) > 1:
                raise CommandError(f"unknown command '{args_list[0]}'")
            return _open_gui(args_list[0] if args_list else None)
        args, extra = parser.parse_known_args(args_list)
        if (
            extra
            and getattr(args, "words_anywhere", False)
            and not any(e.startswith("-") for e in extra)
        ):
            args.words += extra  # `pseudonyms watch P --remove W`: words after the options too
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
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


def run() -> None:
    """The process's entry (the ``workbench`` command, ``python -m workbench.cli``): the command,
    then a quick exit. The command's garbage is collected (its files closed and flushed) and
    what is still alive is set aside from the collector, so the interpreter's exit takes about
    15 ms instead of 130 (issue 17: a short transcription's share of the whole). Not done by
    ``main``, which tests call in their own long-lived process."""
    code = main()
    gc.collect()
    gc.freeze()
    sys.exit(code)


def _one_line(exc: BaseException) -> str:
    from sqlalchemy.exc import DBAPIError

    from workbench.domain.study import StudyError
    from workbench.domain.transcript import TranscriptFormatError
    from workbench.storage.project import ProjectError
    from workbench.storage.roles import RoleError, is_permission_error, refusal

    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, RoleError):
        return text
    if isinstance(exc, DBAPIError) and is_permission_error(exc):
        return refusal(None, exc.statement)  # outside a session: the role is not known here
    storage = _storage_condition(exc)
    if storage is not None:
        return storage
    if isinstance(exc, StudyError | ProjectError | TranscriptFormatError):
        return text
    if type(exc).__name__ == "TranscriptionError":  # not imported: it would load numpy and av
        return text
    if isinstance(exc, OSError):
        return f"{exc.strerror or text}: {exc.filename}" if exc.filename else text
    return f"{type(exc).__name__}: {text}"


_FULL = "the disk is full (or a file size limit was reached); nothing was saved"
_READ_ONLY = "the project is in a read-only location (or the file is read-only); nothing was saved"


def _storage_condition(exc: BaseException) -> str | None:
    """A full disk or a read-only location, named as such, wherever it hides in the chain
    (SQLAlchemy wraps SQLite's error, which says only "disk I/O error" when a write fails)."""
    import errno
    import sqlite3

    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return _FULL
        if isinstance(e, OSError) and e.errno == errno.EROFS:
            return _READ_ONLY
        if isinstance(e, sqlite3.Error):
            message = str(e).lower()
            if "full" in message or "disk i/o error" in message:
                return _FULL if "full" in message or _write_limited() else _FULL_OR_FAILING
            if "readonly" in message or "read-only" in message:
                return _READ_ONLY
        todo += [e.__cause__, e.__context__, getattr(e, "orig", None)]
    return None


_FULL_OR_FAILING = (
    "a disk I/O error: the disk may be full or failing, or the location read-only; "
    "nothing was saved"
)


def _write_limited() -> bool:
    """Whether this process may not grow files (``ulimit -f``): then an I/O error is that."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return soft != resource.RLIM_INFINITY
