"""Alembic environment: always run with a connection handed over by ``workbench.storage``."""

from __future__ import annotations

from alembic import context

from workbench.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running alembic by hand
    raise RuntimeError("run migrations through workbench.storage, not the alembic command")

# Full-text index structures made by hand in the migrations, one per database: not ORM columns;
# and the interview versions with the rows derived per version (0005), kept by triggers.
_SEARCH_INDEX_OBJECTS = {
    "utterance_fts",
    "search_vector",
    "ix_utterance_search",
    "interview_version",
    "analysis_rows",
    "analysis_clock",
    "gate_clearance",
    "text_change",
    "text_clock",
}


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (name in _SEARCH_INDEX_OBJECTS or (name or "").startswith("utterance_fts_"))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=_include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
