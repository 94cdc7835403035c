"""One analyst of the concurrency harness (tests/storage/test_team_concurrency.py), as a process.

``python -m tests.storage.team_worker TARGET NAME SECONDS CLAIMS SEED`` works on the project for
SECONDS: applies and removes codings, renames shared and own codes (some into names colleagues
also want), edits shared memos, undoes and redoes — each through the workbench's own functions,
reading first what it changes, as a window would. Every change the workbench acknowledged is
written to CLAIMS (one JSON line: kind, the value it saw, the value it wrote); a refusal is
counted; anything else prints a traceback to stderr (the harness wants none).

The worker mirrors its own undo history so it knows what each undo and redo claims to change.
"""

from __future__ import annotations

import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from sqlalchemy import select

from workbench.coding.codebook import rename_code
from workbench.coding.codings import apply_code, remove_coding
from workbench.coding.history import HISTORY_LIMIT
from workbench.coding.memos import edit_memo, list_memos
from workbench.coding.transcripts import interview_text
from workbench.coding.undo import redo, undo
from workbench.domain.study import StudyError
from workbench.storage.models import Code
from workbench.storage.project import ProjectError, open_project

Claim = dict[str, Any]
SHARED, POOL = "Shared", ("pool0", "pool1", "pool2")


def _children(project: Any, parent: str) -> list[str]:
    with project.session(write=False) as s:
        parent_id = s.scalar(select(Code.id).where(Code.name == parent, Code.parent_id.is_(None)))
        return list(s.scalars(select(Code.name).where(Code.parent_id == parent_id)))


def _reverse(claims: list[Claim]) -> list[Claim]:
    flip = {"coding+": "coding-", "coding-": "coding+"}
    return [
        {"kind": flip.get(c["kind"], c["kind"]), "old": c["new"], "new": c["old"]}
        if c["kind"] in ("code", "memo")
        else {"kind": flip[c["kind"]], "old": None, "new": c["new"]}
        for c in claims
    ]


class Analyst:
    def __init__(self, target: str, name: str, seed: int) -> None:
        self.project = open_project(target, coder=name)
        self.name, self.rng, self.counter = name, random.Random(seed), 0
        self.done: list[list[Claim]] = []  # mirrors the workbench's undo history
        self.undone: list[list[Claim]] = []
        self.mine: list[str] = []  # codings this analyst made and may remove
        text = interview_text(self.project, "I1")
        self.words = [
            i for i in range(len(text)) if text[i] != " " and (i == 0 or text[i - 1] in " \n")
        ]
        self.text = text
        self.refused = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}-{self.name}-{self.counter}"

    def step(self, claims: list[Claim]) -> list[Claim]:
        self.done.append(claims)
        del self.done[:-HISTORY_LIMIT]
        self.undone.clear()
        return claims

    # --- actions: each returns the claims of an acknowledged change --------------------------

    def apply(self) -> list[Claim]:
        shared = _children(self.project, SHARED)
        own = _children(self.project, f"Own {self.name}")
        parent, pick = self.rng.choice([(SHARED, shared), (f"Own {self.name}", own)])
        start = self.rng.choice(self.words)
        end = self.text.find(" ", start + 1)
        end = len(self.text) if end < 0 else end
        info, _ = apply_code(
            self.project, "I1", start, end, f"{parent} / {self.rng.choice(pick)}", coder=self.name
        )
        self.mine.append(info.id)
        return self.step([{"kind": "coding+", "old": None, "new": info.id}])

    def remove(self) -> list[Claim]:
        if not self.mine:
            return []
        guid = self.mine.pop(self.rng.randrange(len(self.mine)))
        remove_coding(self.project, guid, coder=self.name)
        return self.step([{"kind": "coding-", "old": None, "new": guid}])

    def rename(self, parent: str, pooled: bool) -> list[Claim]:
        seen = self.rng.choice(_children(self.project, parent))
        new = self.rng.choice(POOL) if pooled else self.fresh(parent.split()[0].lower())
        if new == seen:  # no change: the workbench records no step
            return []
        rename_code(self.project, f"{parent} / {seen}", new, coder=self.name)
        return self.step([{"kind": "code", "old": seen, "new": new}])

    def memo(self) -> list[Claim]:
        memo = self.rng.choice(list_memos(self.project, about="project"))
        new = self.fresh("memo")
        edit_memo(self.project, memo.id, text=new, expected_text=memo.text, coder=self.name)
        return self.step([{"kind": "memo", "old": memo.text, "new": new}])

    def undo(self) -> list[Claim]:
        if not self.done:
            return []
        undo(self.project, self.name)
        claims = self.done.pop()
        self.undone.append(claims)
        return _reverse(claims)

    def redo(self) -> list[Claim]:
        if not self.undone:
            return []
        redo(self.project, self.name)
        claims = self.undone.pop()
        self.done.append(claims)
        return claims

    def act(self) -> list[Claim]:
        roll = self.rng.random()
        own = f"Own {self.name}"
        for limit, action in (
            (0.35, self.apply),
            (0.45, self.remove),
            (0.55, lambda: self.rename(SHARED, pooled=False)),
            (0.62, lambda: self.rename(SHARED, pooled=True)),
            (0.70, lambda: self.rename(own, pooled=False)),
            (0.80, self.memo),
            (0.92, self.undo),
        ):
            if roll < limit:
                return action()
        return self.redo()


def main(target: str, name: str, seconds: float, claims_path: str, seed: int) -> None:
    analyst = Analyst(target, name, seed)
    counts = {"acknowledged": 0, "refused": 0, "errors": 0}
    end = time.monotonic() + seconds
    with Path(claims_path).open("w", encoding="utf-8") as out:
        while time.monotonic() < end:
            try:
                claims = analyst.act()
            except (StudyError, ProjectError) as exc:
                counts["refused"] += 1
                if "busy" in str(exc):
                    counts["busy"] = counts.get("busy", 0) + 1
                continue
            except Exception:
                counts["errors"] += 1
                traceback.print_exc()
                continue
            for claim in claims:
                out.write(json.dumps(claim) + "\n")
            counts["acknowledged"] += bool(claims)
        counts["retries"] = analyst.project.retries
    analyst.project.close()
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
