"""The transcription job's child process: transcribe and stream every segment back.

Kept apart from ``job`` so the child (spawned: a fresh interpreter) imports only the engine,
not the storage and coding layers the job's own process needs (about 0.6 s less before the
first window, issue 17)."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Warm:
    """A child started before the job is known, loading its model while the job's own process
    imports, opens the project and checks the audio; it transcribes the one job it is sent."""

    process: Any
    jobs: Any
    out: Any
    model: str
    device: str

    def fits(self, model: str, device: str) -> bool:
        return self.model == model and self.device == device and self.process.is_alive()

    def send(self, audio: str, options: dict[str, Any]) -> None:
        self.jobs.put((audio, options))

    def close(self) -> None:
        """End it if it still runs (a refused job, an error before the audio was sent: it holds
        nothing worth waiting for; a job that took it has stopped it already)."""
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1.0)


def start_warm(model: str, device: str = "auto") -> Warm:
    """Start the transcribing child now (first thing a command does), so its imports and model
    load overlap the job's own (issue 17: the fixed cost of a short file)."""
    context = multiprocessing.get_context("spawn")
    jobs, out = context.Queue(), context.Queue()
    process = context.Process(target=serve, args=(model, device, jobs, out), daemon=True)
    process.start()
    return Warm(process, jobs, out, model, device)


def serve(model: str, device: str, jobs: Any, out: Any) -> None:
    """The warm child: load the model, then transcribe the job sent (None: nothing to do)."""
    _detach()
    loaded = None
    try:
        from workbench.transcribe.model_files import load_model

        loaded = load_model(model, device=device)
    except Exception:  # the job loads it again and reports why it cannot
        loaded = None
    message = jobs.get()
    if message is None:
        return
    audio, options = message
    work(audio, options, out, loaded=loaded, watched=True)


def work(
    audio: str, options: dict[str, Any], out: Any, *, loaded: Any = None, watched: bool = False
) -> None:
    """Transcribe ``audio`` and put every segment, progress, and the end (or the error) on
    ``out``; end when the job's process is gone (killed: nobody would read what it sends)."""
    from workbench.transcribe.audio import TranscriptionError
    from workbench.transcribe.engine import transcribe_file

    if not watched:
        _detach()
    try:
        result = transcribe_file(
            Path(audio),
            loaded=loaded,
            on_segment=lambda seg: out.put(("segment", dataclasses.asdict(seg))),
            progress=lambda done, total: out.put(("progress", done, total)),
            **options,
        )
        out.put(("done", {"language": result.language, "warnings": result.warnings}))
    except TranscriptionError as exc:
        out.put(("error", str(exc)))
    except Exception as exc:  # anything else still ends the job with a reason
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def _detach() -> None:
    """Ctrl-C is the job's to handle (it cancels and stops this child); and a child whose job
    was killed ends itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_orphaned, args=(os.getppid(),), daemon=True).start()


def _orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
