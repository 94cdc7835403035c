"""The transcription job's child process: transcribe and stream every segment back.

Kept apart from ``job`` so the child (spawned: a fresh interpreter) imports only the engine,
not the storage and coding layers the job's own process needs (about 0.6 s less before the
first window, issue 17)."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from pathlib import Path
from typing import Any


def work(audio: str, options: dict[str, Any], out: Any) -> None:
    """Transcribe ``audio`` and put every segment, progress, and the end (or the error) on
    ``out``; end when the job's process is gone (killed: nobody would read what it sends)."""
    from workbench.transcribe.audio import TranscriptionError
    from workbench.transcribe.engine import transcribe_file

    threading.Thread(target=_orphaned, args=(os.getppid(),), daemon=True).start()
    try:
        result = transcribe_file(
            Path(audio),
            on_segment=lambda seg: out.put(("segment", dataclasses.asdict(seg))),
            progress=lambda done, total: out.put(("progress", done, total)),
            **options,
        )
        out.put(("done", {"language": result.language, "warnings": result.warnings}))
    except TranscriptionError as exc:
        out.put(("error", str(exc)))
    except Exception as exc:  # anything else still ends the job with a reason
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def _orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
