"""Tables kept by the database (migration 0005), not mapped."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

DERIVED = MetaData()
"""Tables the database's triggers keep: outside ``Base.metadata``, so the undo recorder never
sees them (it must never put a version back) and no command writes them."""

interview_version = Table(
    "interview_version",
    DERIVED,
    Column("interview_id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
)
"""Per interview, a version that moves on (never back, never reused) whenever its utterances'
text, speaker, rendering, word count or order, its codings' codes or anchors, or its people or
their roles change — by triggers, whatever writes the rows."""

analysis_rows = Table(
    "analysis_rows",
    DERIVED,
    Column("interview_id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("inputs", String(64), nullable=False),
    Column("rows", LargeBinary, nullable=False),
)
"""Per interview, its share of the longitudinal tidy tables (ids and counts, never text), valid
for ``version``: computed for the theme membership hashed in ``inputs``, and holding each theme's
code set (hashed) so a theme whose codes did not change is reused. The triggers delete it when
the interview changes."""

gate_clearance = Table(
    "gate_clearance",
    DERIVED,
    Column("id", Integer, primary_key=True),
    Column("clock", BigInteger, nullable=False),
    Column("key_print", String(64), nullable=False),
    Column("rules", Integer, nullable=False),
    Column("witnesses", Text, nullable=True),
)
"""The export gate's last verdict that nothing in the project stands in an export's way
(migration 0016): the text clock it was reached at (SQLite), a fingerprint of the key it was
reached with, and the version of the gate's rules; and what it needs to judge a changed row
without reading the others (migration 0017: keyed digests of words, and row ids). Never text."""

text_change = Table(
    "text_change",
    DERIVED,
    Column("xid", BigInteger, primary_key=True),
)
"""PostgreSQL only: one row per transaction that changed a text-bearing table, written by the
database's triggers and deleted by the gate once it has scanned what they changed."""

text_row_change = Table(
    "text_row_change",
    DERIVED,
    Column("clock", BigInteger, nullable=True),
    Column("xid", BigInteger, nullable=True),
    Column("tbl", String(40), nullable=False),
    Column("row_id", BigInteger, nullable=True),
)
"""Each changed row of a text-bearing table since the export gate last looked (migration 0017),
written by the database's triggers: its table and key, and the text clock's value (SQLite) or
its transaction (PostgreSQL); a row without a key stands for rows not named."""
