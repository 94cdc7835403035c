"""The text inventory lists every column that can hold words; nothing new slips past it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from workbench.coding.study import new_study
from workbench.storage.inventory import (
    INVENTORY,
    NOT_WORDS,
    UNMAPPED_TABLES,
    tables,
    text_columns_of_schema,
)


def test_every_text_column_is_in_the_inventory_or_explained_as_not_words() -> None:
    listed = {(c.table, c.column) for c in INVENTORY}
    assert not listed & set(NOT_WORDS), "a column is both words and not words"
    forgotten = [c for c in text_columns_of_schema() if c not in listed and c not in NOT_WORDS]
    assert not forgotten, (
        f"{forgotten}: add each to workbench/storage/inventory.py (INVENTORY if it can hold "
        "words a person said or words about them, else NOT_WORDS with why)"
    )
    stale = [c for c in [*listed, *NOT_WORDS] if c not in set(text_columns_of_schema())]
    assert not stale, f"{stale} are listed but are no Text/String column of the models"


def test_every_table_of_a_real_project_is_mapped_or_explained(tmp_path: Path) -> None:
    with new_study(tmp_path / "s.dyad") as p:
        present = set(inspect(p.engine).get_table_names())
    unknown = present - set(tables()) - set(UNMAPPED_TABLES)
    assert not unknown, f"{unknown}: map these tables or explain them in UNMAPPED_TABLES"
