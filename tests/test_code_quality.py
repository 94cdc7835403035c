"""The layer arrows of DESIGN.md, lint and types: checked by the suite, not by review."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: install the [test] extra")
    return path


def _run(*args: str) -> None:
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_import_contracts_hold() -> None:
    _run(_tool("lint-imports"), "--no-cache")


def test_ruff_is_clean() -> None:
    _run(_tool("ruff"), "check", ".")
    _run(_tool("ruff"), "format", "--check", ".")


def test_mypy_is_clean() -> None:
    _run(_tool("mypy"))


def test_core_runs_without_qt() -> None:
    """The core imports and works in a process where PySide6 cannot be imported at all."""
    code = (
        "import sys; sys.modules['PySide6'] = None\n"
        "import workbench.cli, workbench.coding.study, workbench.coding.withdraw\n"
        "import workbench.exchange.transcript_import, workbench.storage.search\n"
        "import workbench.storage.check\n"
        "assert workbench.cli.main(['--help']) == 0\n"
    )
    _run(sys.executable, "-c", code)
