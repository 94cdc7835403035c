"""Make ``v0001.dyad``: a small project saved at the first schema revision, for migration tests.

Run once when the fixture needs remaking (it is committed): ``python tests/data/schemas/make_v0001.py``.
Plain SQL on purpose: the services always write the newest schema.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from workbench.coding.transcripts import search_text_of
from workbench.storage.project import _sqlite_engine, upgrade_to

OUT = Path(__file__).with_name("v0001.dyad")


def main() -> None:
    OUT.unlink(missing_ok=True)
    engine = _sqlite_engine(OUT)
    upgrade_to(engine, "0001")
    engine.dispose()
    now = "2026-11-26 12:00:00.000000"
    con = sqlite3.connect(OUT)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute(
        "INSERT INTO project (id, title, guid, created_at) VALUES (1, 'v1', 'g0', ?)", (now,)
    )
    for i, wave in enumerate(("baseline", "mid-treatment", "post-treatment")):
        con.execute("INSERT INTO wave (name, position, guid) VALUES (?, ?, ?)", (wave, i, f"w{i}"))
    for i, (key, role) in enumerate((("P01", "patient"), ("C01", "clinician"))):
        con.execute(
            "INSERT INTO participant (key, role, consent, guid, created_at) VALUES (?, ?, 'consented', ?, ?)",
            (key, role, f"p{i}", now),
        )
    con.execute(
        "INSERT INTO interview (key, wave_id, status, transcript_version, guid, created_at)"
        " VALUES ('P01-baseline', 1, 'transcribed', 1, 'i0', ?)",
        (now,),
    )
    con.execute("INSERT INTO interview_participant VALUES (1, 1, 'interviewee')")
    con.execute("INSERT INTO interview_participant VALUES (1, 2, 'interviewer')")
    for position, (speaker, body) in enumerate(
        ((2, "Hello."), (1, "مرحبا، كيف حالك؟"), (1, "I'm fine 👍🏽"))
    ):
        con.execute(
            "INSERT INTO utterance (interview_id, position, speaker_id, text, search_text,"
            " needs_review, untranscribed_speech, verified, version) VALUES (1, ?, ?, ?, ?, 0, 0, 0, 0)",
            (position, speaker, body, search_text_of(body)),
        )
    con.commit()
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("VACUUM")
    con.close()
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
