"""Zip archives judged before anything in them is read, and XML parsed with entities off.

``inspect_zip`` reads only the central directory and refuses the whole archive when any member —
referenced by the project or not — has an absolute path, a ``..`` step, a drive letter, a
backslash path, is a symlink or encrypted, is named twice, or when there are too many members, or
their declared total or compression ratio is over the caps. ``read_member`` then reads a member
with its declared size as a hard limit (a lying header cannot make it read more).
"""

from __future__ import annotations

import contextlib
import io
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from lxml import etree

from workbench.domain.study import StudyError

MAX_MEMBERS = 10_000
MAX_TOTAL = 2 * 1024**3
"""Declared uncompressed bytes of all members together."""
MAX_RATIO = 200
"""Uncompressed ÷ compressed, per member bigger than RATIO_FLOOR and for the whole archive."""
RATIO_FLOOR = 1024 * 1024
MAX_XML = 512 * 1024**2

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    size: int


def inspect_zip(path: Path) -> list[Member]:
    """The archive's members, or StudyError saying why the archive is refused."""
    what = path.name
    if not path.is_file():
        raise StudyError(f"{path} does not exist")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise StudyError(f"{what} is not a readable .qdpx archive ({exc})") from exc
    if len(infos) > MAX_MEMBERS:
        raise StudyError(f"{what} has {len(infos)} members (more than {MAX_MEMBERS}): refused")
    seen: set[str] = set()
    total = compressed = 0
    members = []
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or _DRIVE.match(name):
            raise StudyError(f"{what} holds a member with an absolute path ({name!r}): refused")
        if ".." in parts:
            raise StudyError(f"{what} holds a member that climbs out ({name!r}): refused")
        if "\\" in name or "\x00" in name:
            raise StudyError(f"{what} holds a member with an unsafe name ({name!r}): refused")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise StudyError(f"{what} holds a symbolic link ({name!r}): refused")
        if info.flag_bits & 0x1:
            raise StudyError(f"{what} holds an encrypted member ({name!r}): refused")
        folded = name.casefold()
        if folded in seen:
            raise StudyError(f"{what} names {name!r} twice: refused")
        seen.add(folded)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise StudyError(
                f"{what}: member {name!r} expands more than {MAX_RATIO}-fold "
                "(a compression bomb?): refused"
            )
        total += info.file_size
        compressed += info.compress_size
        if not info.is_dir():
            members.append(Member(name, info.file_size))
    if total > MAX_TOTAL:
        raise StudyError(
            f"{what} would unpack to {total / 1024**3:.1f} GB (more than "
            f"{MAX_TOTAL // 1024**3} GB): refused"
        )
    if total > RATIO_FLOOR and total > MAX_RATIO * max(compressed, 1):
        raise StudyError(f"{what} expands more than {MAX_RATIO}-fold as a whole: refused")
    return members


def read_member(
    path: Path, member: Member, limit: int, archive: zipfile.ZipFile | None = None
) -> bytes:
    """A member's bytes, never more than its declared size (nor ``limit``). ``archive``: the
    archive at ``path`` already open (reading its directory again per member of a project with
    hundreds of source files cost seconds)."""
    if member.size > limit:
        raise StudyError(f"{member.name} is larger than allowed ({limit // 2**20} MB)")
    with contextlib.ExitStack() as stack:
        z = archive if archive is not None else stack.enter_context(zipfile.ZipFile(path))
        with z.open(member.name) as fh:
            data = fh.read(member.size + 1)
    if len(data) != member.size:
        raise StudyError(f"{member.name}: its size in the archive is wrong: refused")
    return data


class _Bounded(io.RawIOBase):
    """A member's stream that refuses to give more bytes than the member declared."""

    def __init__(self, raw: IO[bytes], size: int, name: str) -> None:
        self.raw, self.left, self.name = raw, size, name

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        want = self.left + 1 if n is None or n < 0 else min(n, self.left + 1)
        data = self.raw.read(want)
        self.left -= len(data)
        if self.left < 0:
            raise StudyError(f"{self.name}: its size in the archive is wrong: refused")
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextlib.contextmanager
def open_member(path: Path, member: Member, limit: int) -> Iterator[IO[bytes]]:
    """A member as a stream, never more than its declared size (nor ``limit``)."""
    if member.size > limit:
        raise StudyError(f"{member.name} is larger than allowed ({limit // 2**20} MB)")
    with zipfile.ZipFile(path) as z, z.open(member.name) as fh:
        yield _Bounded(fh, member.size, member.name)  # type: ignore[misc]


def guard_xml(
    stream: IO[bytes],
    what: str,
    unreadable: str = "is not readable XML",
    *,
    prolog_only: bool = False,
) -> None:
    """The one safety check for every XML we read: stream it through defusedxml's parser, which
    refuses any DTD, entity declaration or external reference, into a target that builds
    nothing, so an entity bomb is never expanded and a large file costs no memory.

    ``prolog_only``: stop once the root element has begun, for a caller whose own parser reads
    the rest with DTDs, entities and the network off and refuses a document type it meets
    (``qdpx_stage.parse``: a whole second pass over a 50 MB ``project.qde`` cost an eighth of
    its import). Everything this guard refuses can only stand in the prolog: after the root
    element begins, a DTD is a syntax error to every parser, and without a DTD so is an
    entity reference other than the five predefined ones (lxml refuses both:
    ``tests/exchange/test_qdpx_guard.py``)."""
    target = _Nothing()
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        while chunk := stream.read(1 << 16 if prolog_only else 1 << 20):
            parser.feed(chunk)
            if prolog_only and target.rooted:
                return
        parser.close()
    except DefusedXmlException as exc:
        raise StudyError(f"{what} declares a DTD or entities: refused as unsafe") from exc
    except ParseError as exc:
        raise StudyError(f"{what} {unreadable} ({exc})") from exc


class _Nothing:
    """A parser target that keeps nothing (but notes that the root element has begun)."""

    rooted = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.rooted = True

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def parse_xml(data: bytes, what: str, unreadable: str = "is not readable XML") -> etree._Element:
    """Parse XML with no DTD, no entities and no network; a DTD refuses the file.

    :func:`guard_xml` judges it first, building nothing; only then does lxml build the tree
    (entities off anyway).
    """
    guard_xml(io.BytesIO(data), what, unreadable)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise StudyError(f"{what} {unreadable} ({exc})") from exc
