"""Several analysts at once, as processes, on one project: nothing acknowledged is lost, nothing
is written over a change its writer never saw, no duplicate siblings, no tracebacks.

Each analyst process (``team_worker.py``) writes down every change the workbench acknowledged:
the value it read and the value it wrote. The database writes its own log of every change to
code names, memo texts and codings (triggers this test installs). The two logs must be the same
multiset: a database change no analyst claimed — a rename over a name its writer never saw, an
undo over a colleague's newer work — or a claimed change the database lacks, fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from workbench.coding.codebook import add_code
from workbench.coding.memos import add_memo
from workbench.coding.study import new_study
from workbench.storage.check import check_project
from workbench.storage.project import open_project

from ..helpers import interview_with

ROOT = Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("WORKBENCH_TEAM_SECONDS", "60"))

LOG_PG = [
    "CREATE TABLE harness_log (id bigserial PRIMARY KEY, kind text, old text, new text)",
    """CREATE FUNCTION harness_code() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.name IS DISTINCT FROM OLD.name THEN
            INSERT INTO harness_log (kind, old, new) VALUES ('code', OLD.name, NEW.name);
        END IF;
        RETURN NULL; END $$""",
    """CREATE FUNCTION harness_memo() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.text IS DISTINCT FROM OLD.text THEN
            INSERT INTO harness_log (kind, old, new) VALUES ('memo', OLD.text, NEW.text);
        END IF;
        RETURN NULL; END $$""",
    """CREATE FUNCTION harness_coding() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO harness_log (kind, new) VALUES ('coding+', NEW.guid);
        ELSE
            INSERT INTO harness_log (kind, new) VALUES ('coding-', OLD.guid);
        END IF;
        RETURN NULL; END $$""",
    "CREATE TRIGGER harness_code AFTER UPDATE ON code FOR EACH ROW EXECUTE FUNCTION harness_code()",
    "CREATE TRIGGER harness_memo AFTER UPDATE ON memo FOR EACH ROW EXECUTE FUNCTION harness_memo()",
    "CREATE TRIGGER harness_coding AFTER INSERT OR DELETE ON coding FOR EACH ROW "
    "EXECUTE FUNCTION harness_coding()",
]
LOG_SQLITE = [
    "CREATE TABLE harness_log (id INTEGER PRIMARY KEY, kind TEXT, old TEXT, new TEXT)",
    "CREATE TRIGGER harness_code AFTER UPDATE OF name ON code WHEN OLD.name IS NOT NEW.name "
    "BEGIN INSERT INTO harness_log (kind, old, new) VALUES ('code', OLD.name, NEW.name); END",
    "CREATE TRIGGER harness_memo AFTER UPDATE OF text ON memo WHEN OLD.text IS NOT NEW.text "
    "BEGIN INSERT INTO harness_log (kind, old, new) VALUES ('memo', OLD.text, NEW.text); END",
    "CREATE TRIGGER harness_coding_in AFTER INSERT ON coding "
    "BEGIN INSERT INTO harness_log (kind, new) VALUES ('coding+', NEW.guid); END",
    "CREATE TRIGGER harness_coding_out AFTER DELETE ON coding "
    "BEGIN INSERT INTO harness_log (kind, new) VALUES ('coding-', OLD.guid); END",
]

LINES = [
    ("R01", "How have your nights been since we last met?"),
    ("P01", "The nightmares come less often now, maybe twice a week instead of every night."),
    ("R01", "What do you think has changed for you?"),
    ("P01", "I talk to my sister on the phone and I walk in the evening before I sleep."),
    ("P01", "Sometimes I still wake up and I do not know where I am for a moment."),
]


def _study(target: str, analysts: list[str]) -> None:
    project = new_study(target)
    interview_with(project, "I1", LINES)
    add_code(project, "Shared")
    for i in range(6):
        add_code(project, f"s{i}", parent="Shared")
    for name in analysts:
        add_code(project, f"Own {name}")
        for i in range(3):
            add_code(project, f"o{i}", parent=f"Own {name}")
    for i in range(3):
        add_memo(project, f"shared memo {i}", about="project")
    with project.session() as s:
        for statement in LOG_SQLITE if project.is_sqlite else LOG_PG:
            s.execute(text(statement))
    project.close()


def _run_team(target: str, analysts: int, tmp_path: Path) -> None:
    names = [f"a{i}" for i in range(1, analysts + 1)]
    _study(target, names)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.storage.team_worker",
                target,
                name,
                str(SECONDS),
                str(tmp_path / f"{name}.jsonl"),
                str(seed),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed, name in enumerate(names)
    ]
    summaries = []
    for worker in workers:
        out, err = worker.communicate(timeout=SECONDS + 120)
        assert worker.returncode == 0, err[-2000:]
        assert "Traceback" not in err, err[-4000:]
        summaries.append(json.loads(out.strip().splitlines()[-1]))
    print("analysts:", summaries)
    assert all(s["errors"] == 0 for s in summaries), summaries
    assert sum(s["acknowledged"] for s in summaries) > 50 * analysts, summaries

    claimed: Counter[tuple[str, str | None, str]] = Counter()
    for name in names:
        for line in (tmp_path / f"{name}.jsonl").read_text().splitlines():
            c = json.loads(line)
            claimed[(c["kind"], c["old"], c["new"])] += 1
    with open_project(target) as project:
        with project.session(write=False) as s:
            logged = Counter(
                (kind, old, new)
                for kind, old, new in s.execute(text("SELECT kind, old, new FROM harness_log"))
            )
            siblings = s.execute(
                text(
                    "SELECT name FROM code GROUP BY COALESCE(parent_id, 0), name "
                    "HAVING count(*) > 1"
                )
            ).all()
        unclaimed = logged - claimed
        lost = claimed - logged
        assert not unclaimed, f"written over a change its writer never saw: {list(unclaimed)[:5]}"
        assert not lost, f"acknowledged but not in the database: {list(lost)[:5]}"
        assert not siblings
        report = check_project(project)
        assert report.sound, report.problems
    kinds = Counter(k for k, _, _ in claimed.elements())
    assert kinds["code"] and kinds["memo"] and kinds["coding+"] and kinds["coding-"], kinds


def test_four_analysts_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    _run_team(pg_url, 4, tmp_path)


def test_two_analysts_on_one_sqlite_file(tmp_path: Path) -> None:
    _run_team(str(tmp_path / "team.dyad"), 2, tmp_path)
