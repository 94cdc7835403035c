"""What a .qdpx import stages in memory before anything is written: the report, the staged
sources, selections and notes, and the small XML helpers the staging reads with.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import uuid
from dataclasses import dataclass, field

from lxml import etree

MAX_TEXT = 256 * 1024**2
MAX_SIDECAR = 512 * 1024**2
_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_COLOR = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
MODES = ("codepoints-crlf2", "codepoints-crlf1", "utf16-crlf2", "utf16-crlf1")


@dataclass(frozen=True, slots=True)
class QdpxImport:
    project: str
    origin: str
    sources: int
    participants: int
    codes: int
    codings: int
    memos: int
    journal: int
    themes: int
    positions: str
    """How the file's positions were read (e.g. ``codepoints-crlf2``; per source when mixed)."""
    not_carried: tuple[str, ...]
    warnings: tuple[str, ...]
    inferred: tuple[str, ...] = ()
    coding_memos: int = 0
    """What was read from the text itself for want of our side file (speaker turns)."""


# --- staging -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Selection:
    guid: str
    name: str | None
    start: int
    end: int
    user: str | None
    created: dt.datetime | None
    codings: list[tuple[str, str, str | None, dt.datetime | None]]
    """(coding guid, code guid, user guid, date)"""
    notes: list[str]
    description: str | None = None
    """The selection's ``<Description>``: a memo on its coding (QualCoder reads and writes it)."""


@dataclass
class _Source:
    guid: str
    name: str
    raw: str
    variables: dict[str, str]
    selections: list[_Selection]
    notes: list[str]
    text: str = ""
    utterances: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    """For each utterance, its (start, end) in the normalised source text."""
    own: bool = False
    heads: list[str | None] = field(default_factory=list)
    """Without our side file: each utterance's speaker label, read from ``Label: text``."""
    times: list[int | None] = field(default_factory=list)


@dataclass
class _Staged:
    origin: str
    name: str
    users: dict[str, str] = field(default_factory=dict)
    codes: list[tuple[str, str | None, str, str | None, str | None]] = field(default_factory=list)
    """(guid, parent guid, name, colour, description), parents first"""
    code_notes: dict[str, list[str]] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    cases: list[tuple[str, str, dict[str, str], list[str]]] = field(default_factory=list)
    sources: list[_Source] = field(default_factory=list)
    notes: dict[str, tuple[str, str, str | None, dt.datetime | None]] = field(default_factory=dict)
    """guid -> (name, text, user guid, date)"""
    project_notes: list[str] = field(default_factory=list)
    sets: list[tuple[str, str, str | None, list[str], list[str]]] = field(default_factory=list)
    sidecar: dict = field(default_factory=dict)
    not_carried: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)
    uncodable: set[str] = field(default_factory=set)
    """GUIDs of codes marked ``isCodable="false"`` (categories)."""
    """What was read from the files themselves for want of our side file (speaker turns)."""
    warnings: list[str] = field(default_factory=list)
    modes: set[str] = field(default_factory=set)


def _local(element: etree._Element) -> str:
    """The element's name without its namespace (``{urn:…}Code`` → ``Code``); "" for a comment
    or processing instruction. The string split, not ``etree.QName``: this runs for every
    element of a large file (a sixteenth of the import's time built a QName each time)."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if _local(c) == name]


def _kinds(element: etree._Element) -> dict[str, list[etree._Element]]:
    """The element's children by local name, each kind in document order: one pass where
    several ``_children`` calls would walk the children once each (per selection, per source)."""
    found: dict[str, list[etree._Element]] = {}
    for c in element:
        tag = c.tag
        if isinstance(tag, str):
            found.setdefault(tag.rpartition("}")[2], []).append(c)
    return found


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    value = "".join(element.itertext())
    return value if value.strip() else None


def _date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


class _Guids:
    """GUIDs as this project stores them: lower case, no braces; other ids get a new one."""

    def __init__(self) -> None:
        self.mapped: dict[str, str] = {}
        self.taken: set[str] = set()
        self.remapped = 0

    def ref(self, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        match = _GUID.match(value.strip())
        if match:
            return sys.intern(match.group(1).lower())  # one string per GUID, however often named
        return self.mapped.get(value.strip())

    def define(self, value: str | None) -> str:
        """The GUID for an element's own id (new when missing, not a GUID, or taken)."""
        guid = self.ref(value)
        if guid is None or guid in self.taken:
            guid = str(uuid.uuid4())
            self.remapped += 1
            if value and value.strip():
                self.mapped.setdefault(value.strip(), guid)
        self.taken.add(guid)
        return guid


def _decode(data: bytes, what: str, warnings: list[str]) -> str:
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(f"{what} is not UTF-8: read as Windows-1252")
        return data.decode("cp1252", errors="replace")
