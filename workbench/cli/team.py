"""Team projects on PostgreSQL: owner, analyst and reader roles (docs/team.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.cli._common import CommandError, Registry, print_json

if TYPE_CHECKING:
    from sqlalchemy import Engine


def _server_engine(url: str) -> Engine:
    from workbench.storage.project import _server_engine as engine_for
    from workbench.storage.project import is_url, sqlite_path_of
    from workbench.storage.roles import RoleError

    if not is_url(url) or sqlite_path_of(url) is not None:
        raise RoleError("roles need a team project on PostgreSQL")
    return engine_for(url)


def _password(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the password file {path}: {exc}") from exc
    if not lines or not lines[0]:
        raise CommandError(f"the password file {path} is empty")
    return lines[0]


def cmd_team(args: argparse.Namespace) -> None:
    from workbench.storage.roles import add_role, list_roles, regrant

    engine = _server_engine(args.project)
    try:
        if args.action == "add-role":
            info = add_role(engine, args.name, args.role, _password(args.password_file))
            print(f"role '{info.name}' is now {info.kind} of this project")
            if info.note:
                print(f"note: {info.note}")
            return
        if args.action == "grant":
            regrant(engine)
            print("every table's rule granted again to the owner, analyst and reader roles")
            return
        roles = list_roles(engine)
    finally:
        engine.dispose()
    if args.json:
        print_json([{"name": role.name, "kind": role.kind} for role in roles])
        return
    for role in roles:
        print(f"{role.name}\t{role.kind}")
    if not roles:
        print("no workbench roles yet (add one with `workbench team add-role URL NAME --role ...`)")


def register(reg: Registry) -> None:
    from workbench.domain.team import KINDS

    team = reg.group("team", "roles on a team project (PostgreSQL)")
    p = reg.command(
        "add-role", cmd_team, "make a login role: owner, analyst or reader", parent=team
    )
    p.add_argument("name", help="the PostgreSQL role (login) name")
    p.add_argument("--role", required=True, choices=KINDS)
    p.add_argument("--password-file", metavar="F", help="a file whose first line is the password")
    reg.command("roles", cmd_team, "the project's roles and their kinds", parent=team)
    reg.command(
        "grant",
        cmd_team,
        "grant the roles' rights again (after a migration)",
        json_=False,
        parent=team,
    )
