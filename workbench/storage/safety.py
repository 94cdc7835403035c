"""Warnings about where a project file lives: cloud-sync folders and network file systems.

SQLite's locking and WAL assume a local disk. A sync client that copies the file mid-write, or a
network mount that fakes locks, can corrupt a project or split it into "conflicted copies".
"""

from __future__ import annotations

import os
from pathlib import Path

_SYNC_FOLDER_NAMES = (
    "dropbox",
    "onedrive",
    "google drive",
    "googledrive",
    "my drive",
    "icloud drive",
    "icloud",
    "mobile documents",
    "cloudstorage",
    "nextcloud",
    "owncloud",
    "box",
    "box sync",
    "pcloud",
    "pclouddrive",
    "mega",
    "megasync",
    "seafile",
    "sync",
    "tresorit",
)
_NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "fuse.sshfs",
    "fuse.rclone",
    "fuse.gvfsd-fuse",
    "davfs",
    "fuse.davfs2",
    "afs",
    "9p",
    "fuse.s3fs",
    "glusterfs",
    "ceph",
    "lustre",
}


def sync_folder(path: Path) -> str | None:
    """The name of a cloud-sync folder the path lies in, if any."""
    for part in Path(os.path.abspath(path)).parts[:-1]:
        lowered = part.lower()
        if lowered in _SYNC_FOLDER_NAMES or lowered.startswith(("onedrive -", "dropbox (")):
            return part
    return None


def network_filesystem(path: Path, mounts_file: Path = Path("/proc/mounts")) -> str | None:
    """The network file system type the path lies on (Linux), if any."""
    target = os.path.realpath(path)
    if target.startswith("\\\\"):
        return "a network share"
    try:
        lines = mounts_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best, best_type = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, fields[2]
    return best_type if best_type in _NETWORK_FS else None


def storage_warnings(path: Path) -> list[str]:
    warnings = []
    folder = sync_folder(path)
    if folder:
        warnings.append(
            f"{path.name} is inside the cloud-sync folder '{folder}': sync clients can corrupt an "
            "open project or leave conflicting copies; keep projects on a local disk and back "
            "them up instead (and mind that health data may not belong in that cloud)"
        )
    fs = network_filesystem(path)
    if fs:
        warnings.append(
            f"{path.name} is on a network file system ({fs}): its locking is not safe for a "
            "project file; copy it to a local disk, or use a PostgreSQL team project"
        )
    return warnings
