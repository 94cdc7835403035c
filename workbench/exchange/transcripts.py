"""Read interview transcripts from the files researchers actually have.

Formats: plain text (``.txt``/``.text``) and Word (``.docx``) with speaker labels, SubRip
(``.srt``), WebVTT (``.vtt``) and Praat TextGrid (``.TextGrid``). Several files of one
conversation (say one TextGrid per speaker, transcribed apart) merge into one transcript by time.

Everything a reader cannot make sense of is refused with :class:`TranscriptFormatError`, whose
message is one line naming the file; text is never re-normalised or silently dropped, and a
legacy encoding is only accepted when it decodes strictly into credible text.

Behaviour in brief (details in each function's docstring):

* Text is kept exactly, code point for code point: line endings become LF, each utterance is
  trimmed, and lines of one utterance are joined with a single space; no Unicode normalisation,
  and transcription markup such as ``<UNSURE>…</UNSURE>``, ``<UNIN/>`` or ``(..)`` is kept.
* Speaker labels (``Doctor:``, ``[P1]``, ``Interviewer –``, ``DR. SMITH:``,
  ``Interpreter (Arabic):``, in any script) are at most 4 words / 40 characters and count only
  if they recur or the file has two or more distinct labels.
* Times are integer milliseconds; seconds are rounded half away from zero.
* Several files merge by start time; a single-speaker file whose speaker name is missing or
  shared with another file (PriMock57 names both tiers "Speaker") is named after the part of
  its file name that differs (``…_doctor.TextGrid`` → ``Doctor``), with a warning.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from workbench.domain.transcript import ParsedTranscript, TranscriptFormatError, UtteranceDraft
from workbench.exchange._transcripts.common import fail, one_line
from workbench.exchange._transcripts.decoding import decode_text
from workbench.exchange._transcripts.plain import parse_plain_text, read_docx_text
from workbench.exchange._transcripts.subtitles import parse_srt, parse_vtt
from workbench.exchange._transcripts.textgrid import parse_textgrid

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ParsedTranscript",
    "TranscriptFormatError",
    "UtteranceDraft",
    "decode_text",
    "read_transcript",
    "read_transcripts",
]

SUPPORTED_SUFFIXES = (".txt", ".text", ".docx", ".srt", ".vtt", ".textgrid")
"""File name endings read by format (compared case-insensitively); others are sniffed."""

_Parser = Callable[[str, str], tuple[list[UtteranceDraft], list[str]]]

_NAME_SEPARATORS = "_-. "

_SRT_START_RE = re.compile(r"\s*\d+[ \t]*\n[ \t]*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}[ \t]*-->")
_TEXTGRID_START_RE = re.compile(r'\s*File\s+type\s*=\s*"ooTextFile"')


def read_transcript(
    path: Path, labels: frozenset[str] = frozenset(), encoding: str | None = None
) -> ParsedTranscript:
    """Read one transcript file, choosing the reader by its extension (case-insensitive).

    ``.txt``/``.text`` and ``.docx`` (one line per paragraph): a line starting with a speaker
    label (optionally with a timestamp before or after it) starts an utterance, and the lines
    after it continue it, joined with single spaces; text before the first label is an
    utterance without speaker; with no labels at all, each paragraph is an utterance and a
    warning says so. A ``.txt`` holding WebVTT, SRT or TextGrid text is read as that.
    ``.srt``/``.vtt``: one utterance per cue, speaker from a ``<v Name>`` voice or a label.
    ``.textgrid``: one interval tier per speaker. Any other extension: the content is sniffed
    for a WebVTT header, SRT numbering plus arrow, or a Praat text header.

    ``labels`` are speaker labels the caller names (an explicit mapping): they count as labels
    in plain text even when they occur once.

    Raises TranscriptFormatError (one line, naming the file) when the file cannot be read,
    including when it cannot be opened at all or holds no utterance.
    """
    path = Path(path)
    name = _display_name(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        text, warnings = read_docx_text(path, name)
        utterances, more = parse_plain_text(text, labels)
        return _finish(name, utterances, "utf-8", "docx", warnings + more)

    data = _read_bytes(path, name)
    if data.startswith(b"ooBinaryFile"):
        raise fail(name, "is a binary Praat file; in Praat use Save as text file, then import that")
    parsers: dict[str, _Parser] = {
        "srt": parse_srt,
        "vtt": parse_vtt,
        "textgrid": parse_textgrid,
    }
    if suffix in (".txt", ".text"):
        text, encoding = decode_text(data, name, encoding)
        # Subtitles and TextGrids saved as .txt are common; their headers never start prose.
        fmt = _sniff_format(text) or "txt"
        if fmt == "txt":
            utterances, warnings = parse_plain_text(text, labels)
            return _finish(name, utterances, encoding, "txt", warnings)
    elif suffix in (".srt", ".vtt", ".textgrid"):
        text, encoding = decode_text(data, name, encoding)
        fmt = suffix[1:]
    else:
        text, encoding, fmt = _sniff(data, name, encoding)
    utterances, warnings = parsers[fmt](text, name)
    return _finish(name, utterances, encoding, fmt, warnings)


def read_transcripts(
    paths: Sequence[Path], labels: frozenset[str] = frozenset(), encoding: str | None = None
) -> ParsedTranscript:
    """Read the files of one conversation as one transcript.

    One file: exactly :func:`read_transcript`. Several (e.g. one TextGrid per speaker): every
    utterance of every file must have a start time; all utterances are merged by start time,
    stably (equal starts keep file order, then order within the file). Utterances of different
    files may overlap in time. ``format`` is ``"merged"``; ``encoding`` is the files' encodings,
    joined with ``", "`` when they differ; warnings are prefixed with their file's name.
    """
    if not paths:
        raise TranscriptFormatError("No transcript file was chosen.")
    if len(paths) == 1:
        return read_transcript(paths[0], labels, encoding)

    seen: dict[str, Path] = {}
    for p in paths:
        key = os.path.normcase(os.path.abspath(p))
        if key in seen:
            raise fail(_display_name(Path(p)), "was chosen twice for the same interview")
        seen[key] = Path(p)

    parts: list[ParsedTranscript] = []
    names = [_display_name(Path(p)) for p in paths]
    for path, name in zip(paths, names, strict=True):
        part = read_transcript(Path(path), labels, encoding)
        if any(u.start_ms is None for u in part.utterances):
            raise fail(
                name,
                "has utterances without times, so it cannot be merged with other files "
                "by time; import it on its own",
            )
        parts.append(part)

    warnings: list[str] = []
    parts = _name_channels(parts, [Path(p) for p in paths], names, warnings)
    merged: list[UtteranceDraft] = []
    encodings: dict[str, None] = {}
    for part in parts:
        merged.extend(part.utterances)
        encodings.setdefault(part.encoding, None)
    file_warnings = [
        one_line(f"{name}: {w}")
        for part, name in zip(parts, names, strict=True)
        for w in part.warnings
    ]
    # list.sort is stable, and ``merged`` is already in file order, then in-file order.
    merged.sort(key=lambda u: u.start_ms if u.start_ms is not None else 0)
    return ParsedTranscript(
        utterances=tuple(merged),
        encoding=", ".join(encodings),
        format="merged",
        warnings=tuple(file_warnings + warnings),
    )


def _name_channels(
    parts: list[ParsedTranscript], paths: list[Path], names: list[str], warnings: list[str]
) -> list[ParsedTranscript]:
    """Give single-speaker files whose speaker is missing or shared a name from their file.

    Per-speaker recordings are often transcribed with a generic tier name ("Speaker" in both
    PriMock57 ``…_doctor`` and ``…_patient`` TextGrids); merged as is, the two people would
    become one. Such a file's speaker is then named by what sets its file name apart from the
    others (``Doctor``, ``Patient``). Shared labels in multi-speaker files are left alone with
    a warning, as there is no way to tell which is which.
    """
    files_per_label: Counter[str] = Counter()
    for part in parts:
        files_per_label.update(part.speakers)
    channels: list[str] | None = None
    out = []
    for i, part in enumerate(parts):
        speakers = part.speakers
        unnamed = not speakers or files_per_label[speakers[0]] > 1
        if len(speakers) <= 1 and unnamed:
            channels = channels or _channel_names(paths)
            new = channels[i]
            old = f"“{speakers[0]}”" if speakers else "not named"
            warnings.append(
                one_line(f"{names[i]}: the speaker ({old}) is called “{new}” after the file name")
            )
            utterances = tuple(replace(u, speaker=new) for u in part.utterances)
            part = replace(part, utterances=utterances)
        else:
            for label in speakers:
                if files_per_label[label] > 1:
                    warnings.append(
                        one_line(f"{names[i]}: speaker “{label}” also appears in another file")
                    )
        out.append(part)
    return out


def _channel_names(paths: Sequence[Path]) -> list[str]:
    """What sets each file name apart (``day2_c03_doctor`` / ``day2_c03_patient`` → Doctor,
    Patient); whole stems when nothing shorter does. All-lower-case names get a capital, since
    file names are lower case by habit, not because the researcher wrote the speaker so.
    """
    stems = [p.name.rsplit(".", 1)[0] if "." in p.name[1:] else p.name for p in paths]
    prefix = _common_prefix(stems)
    suffix = _common_prefix([s[::-1] for s in stems])[::-1]
    # Cut only at separators, so "doctor" and "dentist" keep their shared "d".
    front = max((prefix.rfind(c) for c in _NAME_SEPARATORS), default=-1) + 1
    back_at = [i for i, c in enumerate(suffix) if c in _NAME_SEPARATORS]
    back = len(suffix) - back_at[0] if back_at else 0
    cores = [
        s[front : len(s) - back].strip(_NAME_SEPARATORS) if front + back < len(s) else ""
        for s in stems
    ]
    if any(not c for c in cores) or len(set(cores)) < len(cores):
        cores = stems
    return [c[0].upper() + c[1:] if c.islower() else c for c in cores]


def _common_prefix(strings: Sequence[str]) -> str:
    shortest = min(strings, key=len)
    for i, ch in enumerate(shortest):
        if any(s[i] != ch for s in strings):
            return shortest[:i]
    return shortest


def _display_name(path: Path) -> str:
    return one_line(path.name) or one_line(str(path))


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise fail(name, "is a folder, not a transcript file") from None
    except OSError as e:
        raise fail(name, f"cannot open the file ({e.strerror or e})") from None


def _sniff(data: bytes, name: str, encoding: str | None) -> tuple[str, str, str]:
    """Text, encoding and format of a file whose extension says nothing we know."""
    unknown = (
        "is not a transcript format Dyad Workbench reads "
        "(.txt, .docx, .srt, .vtt or Praat .TextGrid)"
    )
    try:
        text, encoding = decode_text(data, name, encoding)
    except TranscriptFormatError:
        raise fail(name, unknown) from None
    fmt = _sniff_format(text)
    if fmt is None:
        raise fail(name, unknown)
    return text, encoding, fmt


def _sniff_format(text: str) -> str | None:
    head = text[:2000]
    if head.startswith("WEBVTT"):
        return "vtt"
    if _TEXTGRID_START_RE.match(head):
        return "textgrid"
    if _SRT_START_RE.match(head):
        return "srt"
    return None


def _finish(
    name: str, utterances: list[UtteranceDraft], encoding: str, fmt: str, warnings: list[str]
) -> ParsedTranscript:
    if not utterances:
        raise fail(name, "contains no transcribed text")
    if not encoding.startswith("utf-"):
        # A detected legacy code page is a well-founded guess, not a certainty: say so.
        warnings = [
            f"the text encoding was detected as {encoding}, not Unicode; "
            "check that accented and non-Latin letters look right",
            *warnings,
        ]
    return ParsedTranscript(
        utterances=tuple(utterances),
        encoding=encoding,
        format=fmt,
        warnings=tuple(one_line(w) for w in warnings),
    )
