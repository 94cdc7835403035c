"""`workbench compare` and `workbench consensus` on the hand-built pair of analysts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.coding.codings import list_codings
from workbench.coding.study import new_study
from workbench.storage.project import open_project

from ..analysis.test_compare import two_readings


@pytest.fixture
def study(tmp_path: Path) -> str:
    path = str(tmp_path / "study.dyad")
    with new_study(path, title="Two readings") as project:
        two_readings(project)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_json_lists_shared_and_own_spans(
    study: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "compare", study, "--coder", "ana", "--coder", "ben", "--json")
    assert code == 0
    found = json.loads(out)
    assert (found["coder_a"], found["coder_b"], found["interviews"]) == ("ana", "ben", ["I1"])
    sleep, worry = found["readings"]
    assert (sleep["interview"], sleep["code"]) == ("I1", "Sleep")
    (shared,) = sleep["both"]
    assert {k: shared[k] for k in ("start", "end", "words", "text")} == {
        "start": 39,
        "end": 66,
        "words": 4,
        "text": "nightmares come every night",
    }
    assert (shared["a"]["coder"], shared["a"]["start"], shared["a"]["end"]) == ("ana", 28, 66)
    assert (shared["b"]["coder"], shared["b"]["start"], shared["b"]["end"]) == ("ben", 39, 88)
    assert [(r["start"], r["end"]) for r in sleep["only_a"]] == [(0, 27)]
    assert [(r["start"], r["end"]) for r in worry["only_b"]] == [(110, 134)]
    assert "stats" not in found  # figures only on request


def test_compare_stats_print_the_caution_beside_the_figures(
    study: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "compare", study, "--coder", "ana", "--coder", "ben", "--stats")
    assert code == 0
    assert "I1 · Sleep" in out and "“nightmares come every night”" in out
    assert "Agreement is not validity" in out and "Braun & Clarke" in out
    assert "0.104" in out and "-0.200" in out  # kappa of Sleep (7/67) and Worry
    code, out, _ = run(
        capsys, "compare", study, "--coder", "ana", "--coder", "ben", "--stats", "--json",
        "--code", "Sleep",
    )  # fmt: skip
    stats = json.loads(out)["stats"]
    assert stats["caution"].startswith("Agreement is not validity")
    assert stats["codes"][0]["kappa"] == pytest.approx(7 / 67)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--coder", "ana", "--coder", "zoe"), "no analyst named 'zoe'"),
        (("--coder", "ana"), "name two analysts"),
        (("--coder", "ana", "--coder", "ben", "--code", "Nope"), "Nope"),
        (("--coder", "ana", "--coder", "ben", "--interview", "I9"), "no interview 'I9'"),
    ],
)
def test_compare_refuses_in_one_line(
    study: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, "compare", study, *args)
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_consensus_at_a_position_is_undoable_from_the_command_line(
    study: str, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ("--coder", "ana", "--coder", "ben", "--code", "Sleep", "--interview", "I1")
    code, out, err = run(
        capsys, "consensus", study, *common, "--decision", "merged", "--at", "45",
        "--rationale", "One stretch of disturbed nights", "--by", "dana", "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert (result["decision"], result["start"], result["end"]) == ("merged", 28, 88)
    with open_project(study, coder="dana") as project:
        spans = [(c.coder, c.start, c.end) for c in list_codings(project, code="Sleep")]
    assert spans == [("ana", 0, 27), ("cleo", 0, 161), ("dana", 28, 88)]
    assert run(capsys, "undo", study, "--coder", "dana")[0] == 0
    with open_project(study, coder="dana") as project:
        spans = [(c.coder, c.start, c.end) for c in list_codings(project, code="Sleep")]
    assert spans == [("ana", 0, 27), ("cleo", 0, 161), ("ana", 28, 66), ("ben", 39, 88)]
    # A position in only one side of the shared pair still names the pair.
    code, out, err = run(
        capsys, "consensus", study, *common, "--decision", "keep_b", "--at", "30",
        "--rationale", "Badly is how she slept, not the nightmares", "--by", "dana",
    )  # fmt: skip
    assert code == 0, err
    assert "removed" in out and "workbench undo PROJECT --coder dana" in out


def test_consensus_refusals_are_one_line_without_a_traceback(study: str) -> None:
    common = ["--coder", "ana", "--coder", "ben", "--code", "Sleep", "--interview", "I1"]
    cases = [
        (["--decision", "keep_a", "--at", "120", "--rationale", "r"], "neither analyst coded"),
        (["--decision", "keep_b", "--at", "5", "--rationale", "r"], "keep_b needs"),
        (["--decision", "keep_a", "--a", "nope", "--rationale", "r"], "no coding 'nope'"),
        (["--decision", "merged", "--at", "45", "--rationale", "r", "--span", "x"], "--span"),
        (["--decision", "keep_a", "--rationale", "r"], "say which readings"),
    ]
    for extra, message in cases:
        done = subprocess.run(
            [sys.executable, "-m", "workbench.cli", "consensus", study, *common, *extra],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode != 0
        assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_compare_says_what_consent_left_out(study: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "participant", "consent", study, "P01", "declined")[0] == 0
    code, out, err = run(capsys, "compare", study, "--coder", "ana", "--coder", "ben", "--json")
    assert code == 0
    assert json.loads(out)["withheld"] == 4
    assert "4 coding(s) left out: participants without consent" in err
    code, out, err = run(
        capsys, "compare", study, "--coder", "ana", "--coder", "ben", "--include-unconsented"
    )
    assert code == 0 and "participants without consent are included" in err
    assert "I1 · Worry" in out
