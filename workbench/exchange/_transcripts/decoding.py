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


def decode_text(data: bytes, name: str, given: str | None = None) -> tuple[str, str]:
    """Decode a transcript file's bytes; returns ``(text, encoding)``.

    * a byte-order mark decides: UTF-8 → ``"utf-8-sig"``, UTF-16 LE/BE → ``"utf-16"``
      (UTF-32 → ``"utf-32"``); the mark is not part of the text;
    * else valid UTF-8 → ``"utf-8"``;
    * else the best of charset-normalizer's candidates, re-ranked against mojibake by
      :mod:`.legacy` and decoded strictly (reported under Python's codec name, e.g.
      ``"cp1256"``).

    Text that is mostly UTF-8 with a few invalid bytes is damaged UTF-8, not a legacy
    encoding: it is refused with the offset of the first bad byte. ``given`` (the user's
    ``--encoding``) decodes strictly with that codec instead of all of the above.

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
    if given:
        text, encoding = _decode_as(data, name, given), given
    for bom, codec, label in _BOMS if text is None else ():
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
        except UnicodeDecodeError as exc:
            text = None
            _refuse_damaged_utf8(data, name, exc.start)
        # Mostly-ASCII UTF-16 without a BOM is valid UTF-8 full of NULs; let detection see it.
        if text is None or "\x00" in text:
            text, encoding = _guess_legacy(data, name)

    if not text.strip():
        raise fail(name, "the file is empty (it holds only blank space)")
    if not _looks_like_text(text):
        raise fail(name, _CANNOT_TELL)
    return normalise_newlines(text), encoding


def _decode_as(data: bytes, name: str, given: str) -> str:
    try:
        text = data.decode(given)
    except LookupError:
        raise fail(name, f"'{given}' is not a text encoding this workbench knows") from None
    except UnicodeDecodeError as exc:
        raise fail(name, f"is not valid {given} at byte {exc.start}") from None
    return text[1:] if text.startswith("\ufeff") else text


def _refuse_damaged_utf8(data: bytes, name: str, first_bad: int) -> None:
    """Refuse UTF-8 with a few invalid bytes: more well-formed multi-byte characters than bad
    bytes means the file is UTF-8 that got damaged, and guessing would garble it."""
    loose = data.decode("utf-8", "replace")
    bad = loose.count("\ufffd")
    good = sum(1 for ch in loose if ord(ch) > 0x7F and ch != "\ufffd")
    if good > bad:
        raise fail(
            name,
            f"is not valid UTF-8 at byte {first_bad} ({bad} bad byte(s); the file may be "
            "damaged); nothing was imported — give --encoding if it is in another encoding",
        )


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
