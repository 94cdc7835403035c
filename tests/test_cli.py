"""The command-line contract (DESIGN.md): commands, JSON shapes, one-line errors, atomic imports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main

from .conftest import DATA

PRIMOCK = DATA / "transcripts" / "primock57"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, _, err = run(capsys, *args)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def _textgrid_interval(path: Path, which: str) -> tuple[float, float]:
    """First or last non-empty interval of a one-tier TextGrid, by a plain scan of the file."""
    intervals = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("text = ") and line.strip() != 'text = ""':
            xmin = float(lines[i - 2].split("=")[1])
            xmax = float(lines[i - 1].split("=")[1])
            intervals.append((xmin, xmax))
    return intervals[0] if which == "first" else intervals[-1]


@pytest.fixture
def study(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "study.dyad"
    ok(capsys, "new", path, "--title", "CLI study")
    ok(capsys, "participant", "add", path, "P01", "--role", "patient", "--attr", "country=Syria")
    ok(capsys, "participant", "add", path, "C01", "--role", "clinician")
    ok(capsys, "participant", "add", path, "R01", "--role", "researcher")
    ok(capsys, "dyad", "add", path, "D01", "--member", "C01", "--member", "P01")
    return path


@pytest.mark.parametrize(
    "consultation", ["day1_consultation01", "day2_consultation03", "day3_consultation05"]
)
def test_primock57_consultations_import_with_speakers_and_times(
    study: Path, capsys: pytest.CaptureFixture[str], consultation: str
) -> None:
    ok(
        capsys,
        "interview",
        "add",
        study,
        consultation,
        "--wave",
        "baseline",
        "--dyad",
        "D01",
        "--participant",
        "P01",
        "--participant",
        "C01",
    )
    doctor = PRIMOCK / f"{consultation}_doctor.TextGrid"
    patient = PRIMOCK / f"{consultation}_patient.TextGrid"
    report = json.loads(
        ok(capsys, "import-transcript", study, consultation, doctor, patient, "--json")
    )
    assert report["speakers"] == {"Doctor": "C01", "Patient": "P01"}  # by role, no flags needed
    rows = json.loads(ok(capsys, "text", study, consultation, "--json"))
    assert {r["speaker"] for r in rows} == {"C01", "P01"}
    firsts = [_textgrid_interval(f, "first") for f in (doctor, patient)]
    lasts = [_textgrid_interval(f, "last") for f in (doctor, patient)]
    first, last = min(firsts), max(lasts, key=lambda x: x[0])
    assert rows[0]["start_ms"] == round(first[0] * 1000)
    assert rows[0]["end_ms"] == round(first[1] * 1000)
    assert rows[-1]["start_ms"] == round(last[0] * 1000)
    assert rows[-1]["end_ms"] == round(last[1] * 1000)
    for row in rows:
        assert set(row) >= {"speaker", "start_ms", "end_ms", "text", "language", "flags"}


def test_search_finds_diarrhea_first_in_the_patients_words(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(
        capsys,
        "interview",
        "add",
        study,
        "d1c01",
        "--wave",
        "baseline",
        "--participant",
        "P01",
        "--participant",
        "C01",
    )
    ok(
        capsys,
        "import-transcript",
        study,
        "d1c01",
        PRIMOCK / "day1_consultation01_doctor.TextGrid",
        PRIMOCK / "day1_consultation01_patient.TextGrid",
        "--speaker",
        "Doctor=C01",
        "--speaker",
        "Patient=P01",
    )
    hits = json.loads(ok(capsys, "search", study, "diarrhea", "--json"))
    assert [(h["speaker"], round(h["start_ms"] / 10) / 100) for h in hits[:2]] == [
        ("P01", 12.60),
        ("C01", 25.67),
    ]
    for h in hits:
        assert set(h) >= {"interview", "speaker", "start_ms", "end_ms", "text"}
        assert "diarrhea" in h["text"].lower()
    ok(
        capsys,
        "memo",
        "add",
        study,
        "The diarrhea story again; ask about food.",
        "--about",
        "interview:d1c01",
    )
    found = json.loads(ok(capsys, "search", study, "diarrhea", "--notes", "--json"))
    assert found["utterances"] == hits
    (note,) = found["notes"]
    assert note["where"].startswith("memo ") and "diarrhea story" in note["text"]


UNICODE_LINES = [
    "المريض: لا أستطيع النوم منذ أسابيع، والكوابيس تعود كل ليلة.",
    "بیمار: خواب‌هایم بد است؛ شب‌ها بیدار می‌مانم.",
    "ሕሙም: ሰላም እየ፣ ግን ለይቲ ድቃስ የብለይን።",
    "Patient: 👩🏽‍⚕️ said 🇪🇷 is far, 🤲🏾 — thanks",
    "Patient: Cafe\u0301 cre\u0300me, n\u0303, a\u0308\u0301 (combining marks kept as typed)",
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_round_trips_byte_identical(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    source = tmp_path / "multilingual.txt"
    source.write_bytes("\n".join(UNICODE_LINES).encode(encoding))
    ok(capsys, "interview", "add", study, "U1", "--wave", "baseline", "--participant", "P01")
    ok(capsys, "import-transcript", study, "U1", source)
    expected = "\n".join(line.split(": ", 1)[1] for line in UNICODE_LINES)
    ok(capsys, "text", study, "U1")  # through the CLI's own output path
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "text", str(study), "U1"],
        capture_output=True,
        check=True,
    )
    assert result.stdout == expected.encode("utf-8")


def _snapshot(path: Path) -> str:
    """Everything a project holds, for 'left exactly as it was' comparisons."""
    import sqlite3

    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "\n".join(line for line in con.iterdump() if "sqlite_sequence" not in line)
    finally:
        con.close()


def _overlapping_textgrid(path: Path) -> Path:
    path.write_text(
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = 10\ntiers? <exists>\n'
        'size = 1\nitem []:\n    item [1]:\n        class = "IntervalTier"\n        name = "Doctor"\n'
        "        xmin = 0\n        xmax = 10\n        intervals: size = 2\n"
        '        intervals [1]:\n            xmin = 0\n            xmax = 6\n            text = "one"\n'
        '        intervals [2]:\n            xmin = 5\n            xmax = 10\n            text = "two"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "make_file, reason",
    [
        (lambda d: (d / "empty.txt", b""), "empty"),
        (lambda d: (d / "noise.txt", bytes(range(256)) * 40), "encoding"),
        (lambda d: (d / "fake.docx", b"Doctor: hello\nPatient: hi\n"), "docx"),
    ],
)
def test_bad_transcripts_are_refused_in_one_line_and_change_nothing(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], make_file, reason: str
) -> None:
    ok(capsys, "interview", "add", study, "B1", "--wave", "baseline", "--participant", "P01")
    path, content = make_file(tmp_path)
    path.write_bytes(content)
    before = _snapshot(study)
    line = refused(capsys, "import-transcript", study, "B1", path)
    assert reason in line.lower()
    assert _snapshot(study) == before


def test_overlapping_intervals_in_one_tier_are_refused(study: Path, tmp_path: Path, capsys) -> None:
    ok(capsys, "interview", "add", study, "B1", "--wave", "baseline", "--participant", "P01")
    before = _snapshot(study)
    line = refused(
        capsys, "import-transcript", study, "B1", _overlapping_textgrid(tmp_path / "o.TextGrid")
    )
    assert "overlap" in line.lower()
    assert _snapshot(study) == before


def test_unknown_interview_and_non_projects_are_refused(
    study: Path, tmp_path: Path, capsys
) -> None:
    before = _snapshot(study)
    assert "no interview 'nope'" in refused(
        capsys, "import-transcript", study, "nope", PRIMOCK / "day1_consultation01.txt"
    )
    assert "no interview 'nope'" in refused(capsys, "text", study, "nope")
    assert _snapshot(study) == before
    notes = tmp_path / "notes.txt"
    notes.write_text("not a project", encoding="utf-8")
    assert "not a Dyad Workbench project" in refused(capsys, "info", notes)
    assert "does not exist" in refused(capsys, "info", tmp_path / "missing.dyad")
    assert "unknown role" in refused(capsys, "participant", "add", study, "X1", "--role", "doctor")
    refused(capsys, "participant", "add", study)  # usage errors are one line too


def test_info_json_counts(study: Path, capsys) -> None:
    info = json.loads(ok(capsys, "info", study, "--json"))
    for key in (
        "participants",
        "dyads",
        "waves",
        "interviews",
        "utterances",
        "codes",
        "codings",
        "themes",
    ):
        assert isinstance(info[key], int)
    assert (info["participants"], info["dyads"], info["waves"]) == (3, 1, 3)


def test_per_wave_attribute_status_and_check(study: Path, capsys) -> None:
    ok(capsys, "participant", "attr", study, "P01", "PCL-5=58", "--wave", "baseline")
    ok(
        capsys,
        "interview",
        "add",
        study,
        "I1",
        "--wave",
        "baseline",
        "--participant",
        "P01",
        "--participant",
        "R01:interviewer",
        "--date",
        "2025-03-14",
        "--session",
        "1",
    )
    ok(capsys, "interview", "status", study, "I1", "stopped", "--reason", "lost to follow-up")
    assert "sound" in ok(capsys, "check", study)
    out = ok(capsys, "new", study.with_name("waves.dyad"), "--waves", "baseline,follow-up")
    assert "created" in out
    assert json.loads(ok(capsys, "info", study.with_name("waves.dyad"), "--json"))["waves"] == 2


def test_withdraw_prints_a_receipt(study: Path, tmp_path: Path, capsys) -> None:
    ok(capsys, "interview", "add", study, "I1", "--wave", "baseline", "--participant", "P01")
    src = tmp_path / "t.txt"
    src.write_text("P01: my words are quokkafish\n", encoding="utf-8")
    ok(capsys, "import-transcript", study, "I1", src)
    out = ok(capsys, "withdraw", study, "P01")
    assert "Withdrawal receipt for participant P01" in out and "I1" in out
    assert json.loads(ok(capsys, "info", study, "--json"))["interviews"] == 0
    assert b"quokkafish" not in study.read_bytes()


def _big_transcript(path: Path, utterances: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(utterances):
            speaker = "Interviewer" if i % 2 == 0 else "Patient"
            fh.write(
                f"[{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}] {speaker}: utterance {i} "
                "about sleep, nightmares and the long wait for a decision.\n"
            )
    return path


# The child runs the real command, but parks itself at a chosen point of the import's one
# transaction (after N utterance rows were written, or just before COMMIT) and says so; the test
# then kills it there. No sleeps: the kill lands where the test says, however loaded the machine.
_PARKED_CHILD = """
import sys, time
from sqlalchemy import event
from sqlalchemy.engine import Engine

AT = sys.argv[1]
written = [0]


def park() -> None:
    print("parked", flush=True)
    time.sleep(3600)


@event.listens_for(Engine, "after_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO UTTERANCE "):
        written[0] += len(parameters) if executemany else 1
        if AT.isdigit() and written[0] >= int(AT):
            park()


@event.listens_for(Engine, "commit")
def _commit(conn):
    if AT == "commit" and written[0] >= 10_000:
        park()


from workbench.cli import main

sys.exit(main(sys.argv[2:]))
"""


def test_a_process_killed_during_a_big_import_leaves_all_or_nothing(
    study: Path, tmp_path: Path, capsys
) -> None:
    ok(
        capsys,
        "interview",
        "add",
        study,
        "BIG",
        "--wave",
        "baseline",
        "--participant",
        "P01",
        "--participant",
        "R01",
    )
    source = _big_transcript(tmp_path / "big.txt", 10_000)
    command = ["import-transcript", str(study), "BIG", str(source)]
    for at in ("1", "5000", "commit"):
        proc = subprocess.Popen(
            [sys.executable, "-c", _PARKED_CHILD, at, *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "parked", f"the import never reached {at}"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        info = json.loads(ok(capsys, "info", study, "--json"))
        assert info["utterances"] == 0, f"killed at {at}: part of the import survived"
        assert "sound" in ok(capsys, "check", study)
    ok(capsys, *command)  # the same import, uninterrupted, is all there
    assert json.loads(ok(capsys, "info", study, "--json"))["utterances"] == 10_000


def test_waves_and_consent_from_the_command_line(study: Path, capsys) -> None:
    assert (
        ok(capsys, "wave", "add", study, "6-month follow-up").strip().endswith("6-month follow-up")
    )
    ok(capsys, "wave", "rename", study, "mid-treatment", "mid")
    ok(capsys, "wave", "reorder", study, "baseline,mid,6-month follow-up,post-treatment")
    waves = json.loads(ok(capsys, "wave", "list", study, "--json"))
    assert [w["name"] for w in waves] == ["baseline", "mid", "6-month follow-up", "post-treatment"]
    ok(capsys, "participant", "consent", study, "P01", "declined")
    people = {p["id"]: p for p in json.loads(ok(capsys, "participant", "list", study, "--json"))}
    assert people["P01"]["consent"] == "declined" and people["P01"]["dyads"] == ["D01"]
    assert "exactly once" in refused(capsys, "wave", "reorder", study, "baseline")


def test_coding_from_one_process_is_undone_from_another(
    study: Path, tmp_path: Path, capsys
) -> None:
    ok(
        capsys,
        "interview",
        "add",
        study,
        "I1",
        "--wave",
        "baseline",
        "--participant",
        "P01",
        "--participant",
        "R01",
    )
    src = tmp_path / "t.txt"
    src.write_text("R01: How do you sleep?\nP01: Nightmares every night.\n", encoding="utf-8")
    ok(capsys, "import-transcript", study, "I1", src)
    ok(capsys, "code", "add", study, "Sleep", "--color", "#336699")
    ok(capsys, "code", "add", study, "Nightmares", "--parent", "Sleep")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "workbench.cli", *map(str, args)],
            capture_output=True,
            text=True,
            env={**os.environ, "WORKBENCH_CODER": "ana"},
        )

    made = cli(
        "coding",
        "add",
        study,
        "--interview",
        "I1",
        "--start",
        "18",
        "--end",
        "28",
        "--code",
        "Nightmares",
        "--json",
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["text"] == "Nightmares"
    segments = json.loads(ok(capsys, "query", study, "--code", "Sleep", "--json"))
    assert [
        (g["interview"], g["participants"], g["wave"], g["code"], g["start"], g["end"], g["text"])
        for g in segments
    ] == [("I1", ["P01"], "baseline", "Sleep / Nightmares", 18, 28, "Nightmares")]
    assert "nothing to undo" in cli("undo", study, "--coder", "ben").stderr
    undone = cli("undo", study)
    assert undone.returncode == 0 and "undo: code I1" in undone.stdout
    assert json.loads(ok(capsys, "query", study, "--json")) == []
    assert cli("redo", study).returncode == 0
    assert len(json.loads(ok(capsys, "query", study, "--json"))) == 1
    assert "outside" in refused(
        capsys,
        "coding",
        "add",
        study,
        "--interview",
        "I1",
        "--start",
        "5",
        "--end",
        "999",
        "--code",
        "Sleep",
    )
    assert "inside itself" in refused(capsys, "code", "move", study, "Sleep", "--to", "Nightmares")
    ok(
        capsys,
        "utterance",
        "set",
        study,
        "I1",
        "1",
        "--text",
        "Bad nightmares every single night.",
        "--verified",
    )
    rows = json.loads(ok(capsys, "text", study, "I1", "--json"))
    assert rows[1]["flags"] == ["verified"]
    (coding,) = json.loads(ok(capsys, "coding", "list", study, "--json"))
    assert coding["text"] == "nightmares"
    ok(capsys, "memo", "add", study, "first impressions", "--about", "interview:I1")
    assert json.loads(ok(capsys, "memo", "list", study, "--json"))[0]["about"] == "interview:I1"
    ok(capsys, "journal", "add", study, "I expected more anger.")
    ok(capsys, "code", "merge", study, "Nightmares", "--into", "Sleep")
    assert "confirm" in refused(capsys, "code", "delete", study, "Sleep")
    ok(capsys, "code", "delete", study, "Sleep", "--yes")
    assert json.loads(ok(capsys, "info", study, "--json"))["codings"] == 0


def test_the_process_entry_exits_quickly_with_everything_written(tmp_path: Path) -> None:
    """The ``workbench`` process collects its garbage and freezes what is left before the
    interpreter's exit (issue 17: the exit took ~130 ms); what a command writes is whole and its
    exit code kept."""
    project = tmp_path / "quick.dyad"
    probe = (
        "import atexit, gc, runpy, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, file=sys.stderr))\n"
        f"sys.argv = ['workbench', 'new', {str(project)!r}]\n"
        "runpy.run_module('workbench.cli', run_name='__main__')\n"
    )
    made = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert "frozen True" in made.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "participant", "list", str(project), "--json"],
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    refused_ = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "text", str(project), "NOPE"],
        capture_output=True,
        text=True,
    )
    assert refused_.returncode != 0 and refused_.stderr.startswith("error: ")
