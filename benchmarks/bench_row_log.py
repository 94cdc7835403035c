"""What logging each changed row (migration 0017) costs a write, on SQLite and PostgreSQL.

    python benchmarks/bench_row_log.py [--rows 5000] [--pg postgresql+psycopg://…/empty_db]

Inserts ``--rows`` memos in one transaction (SQLAlchemy's batched inserts, as an import writes),
then updates and deletes them, with the memo table's row-log triggers and without them (0016's
triggers alone: SQLite's clock, PostgreSQL's transaction record), alternating, medians of 5, in
one process on one project. Times in milliseconds.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert, text, update

from workbench.coding.study import new_study
from workbench.storage.models import Memo
from workbench.storage.project import Project

_MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "workbench/storage/migrations/versions/0017_text_rows.py"
)


def _migration():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("m0017", _MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row_log(p: Project, on: bool) -> None:
    """The memo table's triggers with the row log (0017) or without it (0016's)."""
    m = _migration()
    with p.session() as s:
        if p.is_sqlite:
            for event in ("INSERT", "UPDATE", "DELETE"):
                s.execute(text(f'DROP TRIGGER IF EXISTS "memo_text_{event.lower()}"'))
                s.execute(text(m._trigger("memo", event, rows=on)))
        else:
            for event in ("insert", "update", "delete", "truncate"):
                s.execute(text(f'DROP TRIGGER IF EXISTS text_row_{event} ON "memo"'))
            if on:
                run = (
                    f"FOR EACH STATEMENT WHEN (current_setting('{m.UNNAMED}', true) IS DISTINCT "
                    "FROM 'on') EXECUTE FUNCTION workbench_rows_changed('id')"
                )
                s.execute(
                    text(
                        "CREATE TRIGGER text_row_insert AFTER INSERT ON memo "
                        f"REFERENCING NEW TABLE AS changed_rows {run}"
                    )
                )
                s.execute(
                    text(
                        "CREATE TRIGGER text_row_update AFTER UPDATE ON memo REFERENCING "
                        f"OLD TABLE AS gone_rows NEW TABLE AS changed_rows {run}"
                    )
                )
                s.execute(
                    text(
                        "CREATE TRIGGER text_row_delete AFTER DELETE ON memo "
                        f"REFERENCING OLD TABLE AS gone_rows {run}"
                    )
                )
        s.execute(text("DELETE FROM text_row_change"))


def _round(p: Project, rows: int, run: int) -> tuple[float, float, float]:
    values = [
        {"guid": f"b{run}-{i}", "text": f"Memo {i}: the waiting, the nights, the camp."}
        for i in range(rows)
    ]
    took = []
    with p.session() as s:
        started = time.perf_counter()
        s.execute(insert(Memo), values)
        took.append(time.perf_counter() - started)
    with p.session() as s:
        started = time.perf_counter()
        s.execute(update(Memo).where(Memo.guid.like(f"b{run}-%")).values(text="Read again."))
        took.append(time.perf_counter() - started)
    with p.session() as s:
        started = time.perf_counter()
        s.execute(delete(Memo).where(Memo.guid.like(f"b{run}-%")))
        took.append(time.perf_counter() - started)
    with p.session() as s:
        s.execute(text("DELETE FROM text_row_change"))
    return took[0], took[1], took[2]


def measure(where: str, rows: int) -> None:
    with new_study(where, title="Row log") as p:
        results: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
        for run in range(5):
            for on in (False, True):
                _row_log(p, on)
                results[on].append(_round(p, rows, run * 2 + on))
        _row_log(p, True)
        backend = "SQLite" if p.is_sqlite else "PostgreSQL"
        for i, step in enumerate(("insert", "update", "delete")):
            without = statistics.median(r[i] for r in results[False]) * 1000
            with_log = statistics.median(r[i] for r in results[True]) * 1000
            print(
                f"| {backend} | {step} {rows:,} memos | {without:,.0f} | {with_log:,.0f} | "
                f"{with_log / without:.2f}× |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--pg", help="an empty PostgreSQL database's URL")
    args = parser.parse_args()
    print("| backend | step | ms without the row log | ms with it | ratio |")
    print("|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        measure(str(Path(folder) / "bench.dyad"), args.rows)
    if args.pg:
        measure(args.pg, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
