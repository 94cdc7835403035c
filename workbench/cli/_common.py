"""What every command group shares: the one-line error, the parser that raises it, opening the
project, JSON output, and the registry each group adds its commands to."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, NoReturn


class CommandError(Exception):
    """A one-line reason to stop, already phrased for the user."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{self.prog}: {message}")


Command = Callable[[argparse.Namespace], None]


class Registry:
    """The `workbench` parser as a command group sees it: commands and groups of subcommands."""

    def __init__(self, sub: Any) -> None:
        self._sub = sub
        self.names: set[str] = set()
        """The top-level command names: anything else on the command line is a project to open."""

    def command(
        self,
        name: str,
        func: Command,
        help_: str,
        *,
        json_: bool = True,
        parent: Any = None,
        two_coders: bool = False,
    ) -> argparse.ArgumentParser:
        """A command on a project: PROJECT, --coder and (unless ``json_`` is false) --json.
        ``two_coders``: ``--coder`` names two analysts (given twice, A then B)."""
        if parent is None:
            self.names.add(name)
        p: argparse.ArgumentParser = (parent or self._sub).add_parser(name, help=help_)
        p.set_defaults(func=func)
        p.add_argument("project", help="a .dyad file or a database URL")
        if two_coders:
            p.add_argument(
                "--coder", action="append", required=True, help="an analyst: twice, A then B"
            )
        else:
            p.add_argument(
                "--coder", help="who does this (default: $WORKBENCH_CODER or your login)"
            )
        if json_:
            p.add_argument("--json", action="store_true", help="print JSON")
        return p

    def group(self, name: str, help_: str) -> Any:
        """A command with subcommands (``workbench NAME ACTION``); ``args.action`` says which."""
        self.names.add(name)
        return self._sub.add_parser(name, help=help_).add_subparsers(
            dest="action", required=True, parser_class=Parser
        )


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    json.dump(jsonable(value), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def key_values(items: Sequence[str] | None, what: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"{what} must look like KEY=VALUE, got '{item}'")
        result[key.strip()] = value
    return result


def flag(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("yes", "true", "1", "on"):
        return True
    if value.lower() in ("no", "false", "0", "off"):
        return False
    raise CommandError(f"expected yes or no, got '{value}'")


def ms(value: int | None) -> str:
    if value is None:
        return "--:--:--"
    seconds = value / 1000
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:{seconds % 60:05.2f}"


def opened(args: argparse.Namespace) -> Any:
    """The project the command names, opened as its coder; warnings go to stderr."""
    from workbench.storage.project import open_project

    project = open_project(args.project, coder=getattr(args, "coder", None))
    for warning in project.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return project


def table_output(frame: Any, fmt: str) -> None:
    import pandas as pd

    if fmt == "csv":
        frame.to_csv(sys.stdout)
    else:
        with pd.option_context("display.max_rows", None, "display.width", 200):
            print(frame.to_string(na_rep="–"))
