"""A language per clustered speaker (the [diarize] extra with the multilingual model, real): an
interpreted interview gets each voice in its own language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.transcribe.audio import SAMPLE_RATE, TranscriptionError
from workbench.transcribe.diarize import Turn
from workbench.transcribe.engine import transcribe_file
from workbench.transcribe.scoring import word_error_rate
from workbench.transcribe.speakers import speaker_language_runs

from ..conftest import DATA
from ..helpers import study_from_the_command_line
from .long_audio import write_recording

AUDIO = DATA / "audio"
RUSSIAN = ["бедняга", "ребят", "на", "его", "месте", "должен", "был", "быть", "я"]
ENGLISH = [
    "and",
    "so",
    "my",
    "fellow",
    "americans",
    "ask",
    "not",
    "what",
    "your",
    "country",
    "can",
    "do",
    "for",
    "you",
    "ask",
    "what",
    "you",
    "can",
    "do",
    "for",
    "your",
    "country",
]


def test_language_runs_follow_the_clustered_speakers() -> None:
    turns = [
        Turn(0.5, 4.0, "speaker 1"),
        Turn(5.0, 9.0, "speaker 2"),
        Turn(9.0, 9.4, "speaker 1"),  # a flicker inside speaker 2's turn: too short to switch
        Turn(9.4, 12.0, "speaker 2"),
        Turn(14.0, 18.0, "speaker 1"),
        Turn(18.5, 20.0, "speaker 3"),  # no language of their own: the interview's
    ]
    languages = {"speaker 1": "ar", "speaker 2": "da"}
    runs = speaker_language_runs(turns, languages, None, 0.0, 20 * SAMPLE_RATE)
    seconds = [(a / SAMPLE_RATE, b / SAMPLE_RATE, lang) for a, b, lang in runs]
    assert seconds == [(0, 4.5, "ar"), (4.5, 13.0, "da"), (13.0, 18.25, "ar"), (18.25, 20, None)]
    # A window later in the recording: only the turns inside it, cut at its edges.
    later = speaker_language_runs(turns, languages, "en", 10.0, 6 * SAMPLE_RATE)
    assert [(a / SAMPLE_RATE, b / SAMPLE_RATE, lang) for a, b, lang in later] == [
        (0, 3.0, "da"),
        (3.0, 6, "ar"),
    ]
    assert speaker_language_runs([], languages, "en", 0.0, 100) == [(0, 100, "en")]


def test_speaker_languages_need_a_multilingual_model_and_known_speakers() -> None:
    audio = AUDIO / "jfk.flac"
    with pytest.raises(TranscriptionError, match=r"English only.*--model base"):
        transcribe_file(audio, model="tiny.en", speakers=2, speaker_languages={"speaker 1": "ar"})
    with pytest.raises(TranscriptionError, match="no speaker 'speaker 3' among 2"):
        transcribe_file(audio, model="base", speakers=2, speaker_languages={"speaker 3": "ar"})
    with pytest.raises(TranscriptionError, match="--channels-as-speakers or --speakers N"):
        transcribe_file(audio, model="base", speaker_languages={"speaker 1": "ar"})


def test_each_clustered_speaker_is_transcribed_in_their_own_language(
    base_model_home: Path, tmp_path: Path, capsys
) -> None:
    """Russian, English, Russian again (two voices): with --speakers 2 and a language for
    each speaker, every utterance of the Russian voice is Russian (the reference words
    recovered) and every one of the English voice is English."""
    audio = tmp_path / "interpreted.flac"
    write_recording(
        audio,
        None,
        [],
        27,
        clips=[(AUDIO / "ds_ru.wav", 0.5), (AUDIO / "jfk.flac", 7.5), (AUDIO / "ds_ru.wav", 20.5)],
    )
    path = tmp_path / "t.dyad"
    study_from_the_command_line(path, [("P1", "patient"), ("C1", "clinician")], ["I1"])
    argv = ["transcribe", str(path), "I1", str(audio), "--model", "base", "--speakers", "2"]
    argv += ["--speaker-language", "speaker 1=ru", "--speaker-language", "speaker 2=en"]
    assert main([*argv, "--speaker", "speaker 1=P1", "--speaker", "speaker 2=C1"]) == 0
    capsys.readouterr()
    assert main(["text", str(path), "I1", "--json"]) == 0
    rows = [r for r in json.loads(capsys.readouterr().out) if r["text"]]
    by_speaker: dict[str, list[dict]] = {}
    for row in rows:
        by_speaker.setdefault(row["speaker"], []).append(row)
    assert set(by_speaker) == {"P1", "C1"}
    assert {r["language"] for r in by_speaker["P1"]} == {"ru"}
    assert {r["language"] for r in by_speaker["C1"]} == {"en"}
    assert not any("unexpected language" in r["flags"] for r in rows)
    early = [r for r in by_speaker["P1"] if r["end_ms"] < 7_500]
    late = [r for r in by_speaker["P1"] if r["start_ms"] > 18_500]
    for said in (early, late):
        heard = " ".join(r["text"] for r in said)
        assert word_error_rate(RUSSIAN, heard) <= 0.3, heard
    english = " ".join(r["text"] for r in by_speaker["C1"])
    assert word_error_rate(ENGLISH, english) <= 0.15, english
