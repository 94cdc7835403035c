"""Whisper's random draws made the same for a window whatever came before it (issue 17: a
resumed job equals an uninterrupted one; a file transcribed twice reads the same).

When its beam-search result fails its checks, Whisper decodes again at a raised temperature,
drawing at random. CTranslate2 draws from a generator of each of a model's worker threads, seeded
once, at that thread's first draw, from the seed then set: setting the seed again before each
window changes nothing for a model that has drawn before. A window after a fallback then drew
what the earlier draws left, and a resumed job (a fresh process) or a second run drew otherwise.
So a model that has drawn is made anew (new worker threads) before the next window, and every
window's first draw is seeded by where the window starts.
"""

from __future__ import annotations

from typing import Any


def loaded_anew(path: str, device: str, compute_type: str, threads: int) -> Any:
    """A CTranslate2 Whisper model loaded from ``path`` (with worker threads of its own)."""
    import ctranslate2

    return ctranslate2.models.Whisper(
        path, device=device, compute_type=compute_type, intra_threads=threads
    )


class Drawing:
    """A CTranslate2 Whisper model (loaded from ``path`` with these settings) that notes whether
    it has drawn at random, and is made anew once it has (0.2–0.4 s, before the next window)."""

    def __init__(self, model: Any, path: str, device: str, compute_type: str, threads: int) -> None:
        self._model, self._loaded_as = model, (path, device, compute_type, threads)
        self.drawn = False

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("sampling_topk", 1) != 1:  # (faster-whisper's fallback: 0, sampling)
            self.drawn = True
        return self._model.generate(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # (not set yet: a copy being made)
            raise AttributeError(name)
        return getattr(self._model, name)

    def make_anew(self) -> None:
        """Before a window: a model that has drawn is replaced by a new one (no draws yet)."""
        if self.drawn:
            self._model = loaded_anew(*self._loaded_as)
            self.drawn = False

    def on_one_thread(self) -> Drawing | None:
        """The same model loaded again on one CPU thread (None for a model on a GPU)."""
        path, device, compute_type, _ = self._loaded_as
        if device != "cpu":
            return None
        return Drawing(loaded_anew(path, device, compute_type, 1), path, device, compute_type, 1)
