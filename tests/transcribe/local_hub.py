"""A model hub on a local port, for fetch tests on a computer without the internet: it answers
the Hugging Face API calls ``snapshot_download`` makes (revision, file tree, resolve) from
folders on disk. Repo ``test/broken`` lists ``model.bin`` but fails to deliver it (after the small files)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _handler(repos: dict[str, Path], requests: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            requests.append(f"{self.command} {self.path}")

        def _send(self, body: bytes, head: bool, content_type: str, **headers: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            for key, value in headers.items():
                self.send_header(key.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _answer(self, head: bool) -> None:
            path = self.path.split("?")[0]
            for repo, folder in repos.items():
                files = sorted(f for f in folder.iterdir() if f.is_file())
                if path.startswith(f"/api/models/{repo}/tree/"):
                    tree = [
                        {"type": "file", "path": f.name, "size": f.stat().st_size, "oid": "0"}
                        for f in files
                    ]
                    return self._send(json.dumps(tree).encode(), head, "application/json")
                if path.startswith(f"/api/models/{repo}/revision/"):
                    info = {
                        "id": repo,
                        "sha": COMMIT,
                        "siblings": [{"rfilename": f.name} for f in files],
                    }
                    return self._send(json.dumps(info).encode(), head, "application/json")
                if path.startswith(f"/{repo}/resolve/"):
                    file = folder / path.rsplit("/", 1)[1]
                    if not file.is_file():
                        break
                    data = file.read_bytes()
                    etag = hashlib.sha1(data).hexdigest()
                    if repo == "test/broken" and file.name == "model.bin" and not head:
                        break  # announced, then gone: the download fails after other files
                    return self._send(
                        data,
                        head,
                        "application/octet-stream",
                        X_Repo_Commit=COMMIT,
                        ETag=f'"{etag}"',
                    )
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None

        def do_GET(self) -> None:
            self._answer(False)

        def do_HEAD(self) -> None:
            self._answer(True)

    return Handler


@contextmanager
def local_hub(repos: dict[str, Path]) -> Iterator[tuple[str, list[str]]]:
    """``(endpoint URL, the requests it received)`` while the hub runs."""
    requests: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(repos, requests))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
