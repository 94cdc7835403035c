"""Languages with the multilingual model (Whisper base, real): each turn in its own language,
a speaker's own language, translation as a machine layer beside the original; devices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.transcribe.audio import TranscriptionError
from workbench.transcribe.engine import transcribe_file
from workbench.transcribe.model_files import device_for

from ..conftest import DATA
from ..helpers import study_from_the_command_line

AUDIO = DATA / "audio"


def test_an_interpreted_interview_is_transcribed_turn_by_turn_with_a_machine_translation(
    base_model_home: Path, tmp_path: Path, capsys
) -> None:
    """English for 29 s, then German: with --language auto each turn is heard in its own
    language (not translated or mangled into the first one), and --translate stores Whisper's
    English beside the German as a machine layer, never in its place."""
    path = tmp_path / "t.dyad"
    study_from_the_command_line(path, [("P1", "patient")], ["I1"])
    audio = AUDIO / "fw_multilingual_en_de.mp3"
    argv = ["transcribe", str(path), "I1", str(audio), "--model", "base", "--language", "auto"]
    assert main([*argv, "--translate"]) == 0
    capsys.readouterr()
    assert main(["text", str(path), "I1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    english = [r for r in rows if r["text"] and r["end_ms"] <= 29_500]
    german = [r for r in rows if r["text"] and r["start_ms"] >= 29_500]
    assert english and german
    assert {r["language"] for r in english} == {"en"}
    assert {r["language"] for r in german} == {"de"}
    assert "permission is hereby granted" in " ".join(r["text"] for r in english).lower()
    german_text = " ".join(r["text"] for r in german).lower()
    assert "software" in german_text and "dokumentationsdateien" in german_text
    assert all(r["translations"] == [] for r in english)
    translated = [r for r in german if r["translations"]]
    # Seen once under heavy load: one German row came back without a layer (Whisper's translate
    # pass returned no text for it). Every layer there is must be right, and most rows have one.
    assert len(translated) >= max(1, len(german) - 1)
    for row in translated:
        (layer,) = row["translations"]
        assert layer["method"] == "machine" and layer["language"] == "en"
        assert layer["text"] and layer["text"] != row["text"]
    assert "software" in " ".join(r["translations"][0]["text"] for r in translated).lower()


def test_a_speakers_own_language_is_used_and_checked(base_model_home: Path) -> None:
    """Channel 2 is said to speak German but speaks English: its output is flagged, never
    presented as a German transcript; channel 1 (English, as said) is not."""
    result = transcribe_file(
        AUDIO / "fw_stereo_diarization.wav",
        model="base",
        channels_as_speakers=True,
        speaker_languages={"channel 1": "en", "channel 2": "de"},
    )
    first = [s for s in result.segments if s.speaker == "channel 1" and s.text]
    second = [s for s in result.segments if s.speaker == "channel 2" and s.text]
    assert first and second
    assert all(s.language == "en" and not s.needs_review for s in first)
    assert "wizard" in " ".join(s.text for s in first).lower()
    assert all(s.needs_review and "unexpected language" in s.reasons for s in second)
    assert "expected de but the model heard en" in result.warnings


def test_languages_whisper_cannot_do_are_refused_per_speaker_too(base_model_home: Path) -> None:
    with pytest.raises(TranscriptionError, match="no model for Kurdish"):
        transcribe_file(
            AUDIO / "fw_stereo_diarization.wav",
            model="base",
            channels_as_speakers=True,
            speaker_languages={"channel 1": "ku"},
        )
    with pytest.raises(TranscriptionError, match="cannot translate"):
        transcribe_file(AUDIO / "jfk.flac", model="tiny.en", translate=True)
    with pytest.raises(TranscriptionError, match="--channels-as-speakers"):
        transcribe_file(AUDIO / "jfk.flac", speaker_languages={"channel 1": "en"})


def test_the_device_is_detected_and_the_cpu_uses_int8() -> None:
    import ctranslate2

    assert device_for("cpu") == ("cpu", "int8")
    if ctranslate2.get_cuda_device_count():  # pragma: no cover - a machine with a GPU
        assert device_for("auto") == ("cuda", "float16")
    else:
        assert device_for("auto") == ("cpu", "int8")
        with pytest.raises(TranscriptionError, match="no CUDA device"):
            device_for("cuda")
