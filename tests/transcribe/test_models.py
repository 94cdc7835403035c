"""Whisper models beyond the packaged two: fetched by name only when asked (never while
transcribing), or a CTranslate2 folder added under a name; a real transcription with one."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.transcribe.audio import TranscriptionError
from workbench.transcribe.model_files import check_language, model_path

from ..conftest import DATA
from ..helpers import study_from_the_command_line
from .local_hub import local_hub

AUDIO = DATA / "audio"


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user data folder of this test's own (no models registered)."""
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home / "dyad-workbench" / "models"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local port that notes whether anything connects to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(0.5)
    yield server
    server.close()


def _nothing_connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except TimeoutError:
        return True
    connection.close()
    return False


def _leftovers(models: Path) -> list[str]:
    return sorted(p.name for p in models.iterdir()) if models.exists() else []


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        # .invalid never resolves (RFC 2606): what a computer without a network sees.
        ("http://model-hub.invalid", "offline: the model hub's address"),
        # A closed port: a network without the hub (a firewall that refuses).
        ("http://127.0.0.1:{closed}", "host unreachable: the model hub"),
    ],
)
def test_fetching_without_the_hub_names_the_reason_and_leaves_nothing(
    data_home: Path, monkeypatch: pytest.MonkeyPatch, capsys, endpoint: str, reason: str
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", endpoint.format(closed=closed))
    assert main(["models", "fetch", "tiny"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: cannot fetch Systran/faster-whisper-tiny: " + reason), err
    assert err[-1].endswith("nothing was kept")
    assert _leftovers(data_home) == []
    assert main(["models", "list", "--json"]) == 0
    assert [m["name"] for m in json.loads(capsys.readouterr().out)] == ["tiny.en", "base"]
    # The process itself stays offline: only the fetch's own child process went online.
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_this_computer_cannot_reach_the_hub_and_fetching_says_why(
    data_home: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The real hub, from this machine (no network here): a reason, not a traceback."""
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    code = main(["models", "fetch", "tiny", "--json"])
    err = capsys.readouterr().err
    if code == 0:  # a machine with the internet: the fetch worked, and is checked
        assert (data_home / "tiny" / "model.bin").is_file()
        return
    assert "cannot fetch Systran/faster-whisper-tiny: " in err
    assert "offline" in err or "host unreachable" in err
    assert "Traceback" not in err
    assert _leftovers(data_home) == []


def test_a_model_is_never_fetched_implicitly(
    data_home: Path, monkeypatch: pytest.MonkeyPatch, listener: socket.socket, tmp_path, capsys
) -> None:
    """Transcribing with a model that is not here refuses and names the command that fetches
    it, even with the hub reachable (a local port standing in for it) and offline mode off."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{listener.getsockname()[1]}")
    path = tmp_path / "t.dyad"
    study_from_the_command_line(path, [("P1", "patient")], ["I1"])
    capsys.readouterr()
    assert main(["transcribe", str(path), "I1", str(AUDIO / "jfk.flac"), "--model", "small"]) == 1
    err = capsys.readouterr().err
    assert "not on this computer" in err and "`workbench models fetch small`" in err
    with pytest.raises(TranscriptionError, match="workbench models fetch large-v3"):
        model_path("large-v3")
    with pytest.raises(TranscriptionError, match="no model 'nonsense'"):
        model_path("nonsense")
    assert _nothing_connected(listener)
    assert _leftovers(data_home) == []
    assert main(["text", str(path), "I1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_fetch_refuses_unknown_names_and_the_packaged_models(data_home: Path, capsys) -> None:
    assert main(["models", "fetch", "nonsense"]) == 1
    assert "no faster-whisper model 'nonsense': use one of" in capsys.readouterr().err
    assert main(["models", "fetch", "base"]) == 1
    assert "comes with the install" in capsys.readouterr().err
    assert main(["models", "fetch", "small", "--as", "../x"]) == 1
    assert "cannot name a model" in capsys.readouterr().err
    assert _leftovers(data_home) == []


def _linked_copy(source: Path, folder: Path) -> Path:
    """The packaged tiny.en, its files linked into a folder of another name."""
    folder.mkdir()
    for file in source.iterdir():
        (folder / file.name).symlink_to(file)
    return folder


def test_an_added_folder_transcribes_under_its_name_and_is_refused_once_its_files_go(
    data_home: Path, tmp_path: Path, capsys
) -> None:
    folder = _linked_copy(model_path("tiny.en"), tmp_path / "clinic-whisper")
    assert main(["models", "add", str(tmp_path), "--name", "x"]) == 1
    assert "not a CTranslate2 Whisper model" in capsys.readouterr().err
    assert main(["models", "add", str(folder), "--name", "clinic", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["name"] == "clinic" and added["source"] == "added"
    assert added["multilingual"] is False  # told from its vocabulary, not from its name
    assert main(["models", "add", str(folder), "--name", "clinic"]) == 1
    assert "registered already" in capsys.readouterr().err
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    assert "clinic" in listing and "English only" in listing
    assert model_path("clinic") == folder.resolve()
    with pytest.raises(TranscriptionError, match="clinic understands English only"):
        check_language("ar", "clinic")

    path = tmp_path / "t.dyad"
    study_from_the_command_line(path, [("P1", "patient")], ["I1", "I2"])
    argv = ["transcribe", str(path), "I1", str(AUDIO / "jfk.flac"), "--model", "clinic"]
    assert main([*argv, "--no-language-check"]) == 0
    assert "with clinic" in capsys.readouterr().out
    assert main(["text", str(path), "I1", "--json"]) == 0
    text = " ".join(r["text"] for r in json.loads(capsys.readouterr().out)).lower()
    assert "fellow americans" in text and "your country" in text

    (folder / "model.bin").unlink()
    argv = ["transcribe", str(path), "I2", str(AUDIO / "jfk.flac"), "--model", "clinic"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "the model 'clinic' cannot be used" in err and "lacks model.bin" in err
    assert main(["text", str(path), "I2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["models", "list", "--json"]) == 0
    (clinic,) = [m for m in json.loads(capsys.readouterr().out) if m["name"] == "clinic"]
    assert "lacks model.bin" in clinic["problem"]
    assert main(["models", "remove", "clinic"]) == 0
    assert "removed the model 'clinic'" in capsys.readouterr().out
    assert (folder / "config.json").exists()  # an added folder is the user's: it stays
    assert main(["models", "list", "--json"]) == 0
    assert "clinic" not in capsys.readouterr().out


def test_a_fetched_model_is_checked_moved_into_place_and_transcribes_by_name(
    data_home: Path, tmp_path: Path, capsys
) -> None:
    """From a hub on a local port (this computer has no internet): the packaged tiny.en
    files as ``test/tiny``, a hub that fails to deliver model.bin, and a repo that holds
    no Whisper model. Only the complete one is kept, under the models folder."""
    tiny = model_path("tiny.en")
    not_whisper = tmp_path / "not-whisper"
    not_whisper.mkdir()
    (not_whisper / "config.json").write_text('{"architectures": ["BertModel"]}')
    (not_whisper / "tokenizer.json").write_text("{}")
    (not_whisper / "model.bin").write_bytes(b"\0" * 1024)
    repos = {"test/tiny": tiny, "test/broken": tiny, "test/bert": not_whisper}
    with local_hub(repos) as (endpoint, requests):
        os.environ["HF_ENDPOINT"] = endpoint
        try:
            assert main(["models", "fetch", "test/broken"]) == 1
            err = capsys.readouterr().err
            assert "cannot fetch test/broken: the model hub answered 404 for model.bin" in err
            assert "nothing was kept" in err
            assert _leftovers(data_home) == []
            assert main(["models", "fetch", "test/nothing"]) == 1
            assert "cannot fetch test/nothing: the model hub has no such model" in (
                capsys.readouterr().err
            )
            assert main(["models", "fetch", "test/bert"]) == 1
            err = capsys.readouterr().err
            assert "test/bert is not a CTranslate2 Whisper model" in err
            assert "not a Whisper one" in err
            assert _leftovers(data_home) == []
            assert main(["models", "fetch", "test/tiny", "--as", "hub-tiny", "--json"]) == 0
        finally:
            del os.environ["HF_ENDPOINT"]
    fetched = json.loads(capsys.readouterr().out)
    assert fetched["source"] == "fetched:test/tiny" and fetched["multilingual"] is False
    assert any("model.bin" in r for r in requests)
    folder = data_home / "hub-tiny"
    assert Path(fetched["path"]) == folder
    assert _leftovers(data_home) == ["hub-tiny", "models.json"]  # no temporary folder left
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in tiny.iterdir())
    assert (folder / "model.bin").read_bytes() == (tiny / "model.bin").read_bytes()
    assert main(["models", "fetch", "test/tiny", "--as", "hub-tiny"]) == 1
    assert "registered already" in capsys.readouterr().err

    path = tmp_path / "t.dyad"
    study_from_the_command_line(path, [("P1", "patient")], ["I1"])
    argv = ["transcribe", str(path), "I1", str(AUDIO / "jfk.flac"), "--model", "hub-tiny"]
    assert main([*argv, "--no-language-check"]) == 0
    capsys.readouterr()
    assert main(["text", str(path), "I1", "--json"]) == 0
    text = " ".join(r["text"] for r in json.loads(capsys.readouterr().out)).lower()
    assert "fellow americans" in text
    assert main(["models", "remove", "hub-tiny"]) == 0
    assert not folder.exists()  # a fetched model's files go with it
