"""Bytes to text for transcript files, refusing rather than guessing badly.

A transcript that silently loses or garbles characters is worse than one that is refused: the
researcher codes the garbled text and never notices. So every decode here is strict, and a
guessed legacy encoding is only accepted when the result looks like text.
"""

from __future__ import annotations

import codecs
import re

from workbench.exchange._transcripts.common import fail, normalise_newlines
from workbench.exchange._transcripts.legacy import guess

MAX_TEXT_BYTES = 100 * 1024 * 1024
"""Transcripts are kilobytes; a file this big is something else, and would only stall the app."""

_MAX_CONTROL_SHARE = 0.02
"""Share of control characters above which decoded "text" is really binary data."""

# Unicode category Cc except tab, LF, VT, FF and CR, which real text files do contain.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

_CANNOT_TELL = (
    "cannot tell the text encoding, or it is not a text file; "
    "open it in a text editor and save it as UTF-8"
)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode a transcript file's bytes; returns ``(text, encoding)``.

    * a byte-order mark decides: UTF-8 → ``"utf-8-sig"``, UTF-16 LE/BE → ``"utf-16"``
      (UTF-32 → ``"utf-32"``); the mark is not part of the text;
    * else valid UTF-8 → ``"utf-8"``;
    * else the best of charset-normalizer's candidates, re-ranked against mojibake by
      :mod:`.legacy` and decoded strictly (reported under Python's codec name, e.g.
      ``"cp1256"``).

    Line endings become LF; nothing else is changed. Raises TranscriptFormatError (naming
    ``name``) for an empty or whitespace-only file, and when no encoding fits or the result is
    not credible text (NUL characters, many control characters).
    """
    if not data:
        raise fail(name, "the file is empty")
    if len(data) > MAX_TEXT_BYTES:
        raise fail(
            name, f"the file is too large for a transcript (over {MAX_TEXT_BYTES // 2**20} MB)"
        )

    text: str | None = None
    encoding = ""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise fail(
                    name,
                    f"starts with a {label.upper()} marker but is not valid {label.upper()}; "
                    "the file may be damaged",
                ) from None
            if text.startswith("\ufeff"):
                text = text[1:]
            encoding = label
            break
    if text is None:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            text = None
        # Mostly-ASCII UTF-16 without a BOM is valid UTF-8 full of NULs; let detection see it.
        if text is None or "\x00" in text:
            text, encoding = _guess_legacy(data, name)

    if not text.strip():
        raise fail(name, "the file is empty (it holds only blank space)")
    if not _looks_like_text(text):
        raise fail(name, _CANNOT_TELL)
    return normalise_newlines(text), encoding


def _guess_legacy(data: bytes, name: str) -> tuple[str, str]:
    # NUL bytes never occur in single-byte legacy text; UTF-16 without a BOM is the one real
    # case, and charset-normalizer recognises that from the byte pattern.
    guessed = guess(data)
    if guessed is None:
        raise fail(name, _CANNOT_TELL)
    return guessed


def _looks_like_text(text: str) -> bool:
    if "\x00" in text:
        return False
    return len(_CONTROL_RE.findall(text)) <= _MAX_CONTROL_SHARE * len(text)
