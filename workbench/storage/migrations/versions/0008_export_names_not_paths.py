"""A project keeps the names of files exported from it, never a machine's paths: earlier audit
entries of exports that stored an absolute path keep only its file name (a shared project file
should not tell where on someone's disk a copy was written).

Revision ID: 0008
Revises: 0005
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def _name(path: str) -> str:
    return PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, detail FROM audit_log WHERE action = 'export'")
    ).fetchall()
    for row_id, detail in rows:
        try:
            document = json.loads(detail or "{}")
        except ValueError:
            continue
        path = document.get("path") if isinstance(document, dict) else None
        if not isinstance(path, str) or _name(path) == path:
            continue
        document["path"] = _name(path)
        conn.execute(
            sa.text("UPDATE audit_log SET detail = :d WHERE id = :i"),
            {"d": json.dumps(document, sort_keys=True), "i": row_id},
        )


def downgrade() -> None:
    pass  # the paths are gone on purpose
