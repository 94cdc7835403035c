"""Invariants in the database, not only in Python: sibling code names are unique (top-level codes
included: ``COALESCE(parent_id, 0)``), and so are theme names. Wave names were unique already.

Two analysts renaming at once each passed the Python check and both wrote the same name; with
these indexes the second commit is refused by the database itself. Rows that already share a name
(written before this migration) are renamed ``name (2)``, ``name (3)`` … in id order, so the
oldest keeps its name and nothing is merged or lost.

Only indexes are added: no table is rebuilt, so the triggers of 0005, 0007 and 0010 stay.

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

CODE_INDEX = "uq_code_sibling_name"
THEME_INDEX = "uq_theme_name"


def _free_name(taken: set[str], name: str) -> str:
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"


def _deduplicate(bind: sa.engine.Connection, table: str, scoped: bool) -> None:
    scope = "COALESCE(parent_id, 0)" if scoped else "0"
    rows = bind.execute(sa.text(f"SELECT id, {scope}, name FROM {table} ORDER BY id")).all()
    taken: dict[int, set[str]] = {}
    for _row_id, group, name in rows:  # every name in use, so a new one takes none of them
        taken.setdefault(group, set()).add(name)
    kept: set[tuple[int, str]] = set()
    for row_id, group, name in rows:
        if (group, name) not in kept:
            kept.add((group, name))
            continue
        new = _free_name(taken[group], name)
        bind.execute(
            sa.text(f"UPDATE {table} SET name = :n WHERE id = :i"), {"n": new, "i": row_id}
        )
        taken[group].add(new)


def upgrade() -> None:
    bind = op.get_bind()
    _deduplicate(bind, "code", scoped=True)
    _deduplicate(bind, "theme", scoped=False)
    op.execute(f"CREATE UNIQUE INDEX {CODE_INDEX} ON code (COALESCE(parent_id, 0), name)")
    op.execute(f"CREATE UNIQUE INDEX {THEME_INDEX} ON theme (name)")


def downgrade() -> None:
    op.execute(f"DROP INDEX {THEME_INDEX}")
    op.execute(f"DROP INDEX {CODE_INDEX}")
