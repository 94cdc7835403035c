"""The multilingual model, joined once per test session into a throwaway data folder (every
transcription test uses it: it also checks the language under the English-only model)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def base_model_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The multilingual model is joined from its two wheels into a throwaway data folder."""
    home = tmp_path_factory.mktemp("data-home")
    previous = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = previous
