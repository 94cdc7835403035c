"""Rows without an id of their own are named by what they belong to (``storage.places``), on
SQLite and on PostgreSQL: every row of every such table in a study that has one of each."""

from __future__ import annotations

import re

from sqlalchemy import select

from workbench.storage import inventory, places
from workbench.storage.project import open_project

from ..privacy.everywhere import build


def test_every_row_of_every_table_without_an_id_is_named_by_what_it_belongs_to(
    target: str,
) -> None:
    build(target)
    with open_project(target) as p, p.session(write=False) as s:
        rows = []
        for name in sorted({c.table for c in inventory.INVENTORY}):
            if not places.has_description(name):
                continue
            table = inventory.tables()[name]
            (pk,) = list(table.primary_key.columns)
            keys = list(s.scalars(select(pk)))
            assert keys, f"the study has no {name} row"
            rows += [(name, key) for key in keys]
        described = places.describe(s, rows)
        assert set(described) == set(rows)
        for said in described.values():
            assert "None" not in said and not re.search(r"#\d+$", said.replace("I1 #", "")), said
        assert inventory.named_all(s, ["nothing to name", "cell summary #999999"]) == [
            "nothing to name",
            "cell summary #999999",  # a row that is gone keeps its number
        ]
