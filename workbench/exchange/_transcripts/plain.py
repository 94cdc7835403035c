"""Plain-text and Word transcripts: speaker-labelled lines, or paragraphs when there are none."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from workbench.domain.transcript import UtteranceDraft
from workbench.exchange._transcripts.common import fail, fill_end_times, normalise_newlines
from workbench.exchange._transcripts.labels import LineHead, accepted_labels, read_line_head

MAX_DOCX_MEMBERS = 2_000
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

NO_LABELS_WARNING = "no speaker labels found; each paragraph became one utterance without a speaker"


@dataclass(slots=True)
class _Turn:
    speaker: str | None
    start_ms: int | None
    parts: list[str] = field(default_factory=list)


def parse_plain_text(
    text: str, known: frozenset[str] = frozenset()
) -> tuple[list[UtteranceDraft], list[str]]:
    """Utterances and warnings from transcript text (LF line endings).

    With speaker labels: a labelled line starts an utterance and unlabelled lines continue it,
    blank lines included. Without: each blank-line-separated paragraph is one utterance, and a
    line starting with a timestamp also starts one. Lines of one utterance are joined with a
    single space (each line trimmed first: line breaks are layout, not content). A ``known``
    label (one the user mapped to a participant) is a label even where it occurs only once.
    """
    lines = [line.strip() for line in text.split("\n")]
    heads: list[LineHead | None] = [read_line_head(line) if line else None for line in lines]
    labels = accepted_labels(h for h in heads if h is not None) | {
        h.label for h in heads if h is not None and h.label in known
    }
    warnings: list[str] = []

    turns: list[_Turn] = []
    if labels:
        current: _Turn | None = None
        for line, head in zip(lines, heads, strict=True):
            if head is None:
                continue
            if head.label in labels:
                current = _Turn(head.label, head.start_ms, [head.rest] if head.rest else [])
                turns.append(current)
            elif current is None:
                current = _Turn(None, None, [line])
                turns.append(current)
            else:
                current.parts.append(line)
    else:
        warnings.append(NO_LABELS_WARNING)
        paragraph: _Turn | None = None
        for line, head in zip(lines, heads, strict=True):
            if head is None:
                paragraph = None
            elif head.lead_ms is not None:
                # Only a timestamp at the very start of a line starts a paragraph; the words
                # after it, rejected label candidate included, are all text.
                parts = [head.after_lead] if head.after_lead else []
                paragraph = _Turn(None, head.lead_ms, parts)
                turns.append(paragraph)
            elif paragraph is None:
                paragraph = _Turn(None, None, [line])
                turns.append(paragraph)
            else:
                paragraph.parts.append(line)

    drafts = [UtteranceDraft(t.speaker, t.start_ms, None, " ".join(t.parts).strip()) for t in turns]
    kept = [d for d in drafts if d.text]
    if len(kept) < len(drafts):
        skipped = len(drafts) - len(kept)
        warnings.append(f"{skipped} speaker label(s) without any text were skipped")
    filled, backwards = fill_end_times(kept)
    if backwards:
        warnings.append("timestamps go back in time somewhere; those utterances have no end time")
    return filled, warnings


def read_docx_text(path: Path, name: str) -> tuple[str, list[str]]:
    """The text of a Word .docx file, one line per paragraph (soft line breaks split lines too;
    paragraphs are separated by a blank line), and warnings (text in tables is not read).

    Checks that it really is a reasonable zip before python-docx opens it: a renamed text file
    or damaged zip gets a clear message, and a zip bomb never gets decompressed.
    """
    import docx  # python-docx pulls in lxml; only pay for it when a .docx is read

    not_docx = "is not a Word .docx file (it may be damaged, or another kind of file renamed)"
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as e:
        raise fail(name, f"cannot open the file ({e.strerror or e})") from None
    if head.startswith(_OLE_SIGNATURE):
        raise fail(name, "is an old Word .doc file, not .docx; open it in Word and save as .docx")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise fail(name, not_docx) from None
    # The declared sizes bound what zipfile will decompress, so checking them is enough.
    if len(members) > MAX_DOCX_MEMBERS or (
        sum(m.file_size for m in members) > MAX_DOCX_UNCOMPRESSED
    ):
        raise fail(name, "is not a plausible Word document (the zip inside is far too large)")
    _guard_parts(path, members, name)
    try:
        document = docx.Document(str(path))
        paragraphs = [p.text for p in document.paragraphs]
        n_tables = len(document.tables)
    except Exception:  # python-docx raises many kinds (KeyError, ValueError, lxml errors)
        raise fail(name, not_docx) from None
    # A Word paragraph is a paragraph: a blank line between them gives unlabelled documents one
    # utterance per paragraph, and changes nothing for labelled ones (blank lines separate
    # nothing there). Soft line breaks inside a paragraph stay single newlines.
    text = normalise_newlines("\n\n".join(paragraphs))
    if n_tables and not text.strip():
        raise fail(
            name, "has its text only in tables, which cannot be read; copy it into paragraphs"
        )
    if not text.strip():
        raise fail(name, "the document is empty")
    warnings = [f"the document has {n_tables} table(s); text inside tables was not read"]
    return text, warnings if n_tables else []


def _guard_parts(path: Path, members: list[zipfile.ZipInfo], name: str) -> None:
    """Every XML part of the document through the one XML-safety check before python-docx
    parses it: a DTD or entity declaration refuses the file."""
    from workbench.domain.study import StudyError
    from workbench.exchange.safe_archive import guard_xml

    try:
        with zipfile.ZipFile(path) as archive:
            for m in members:
                if m.filename.endswith((".xml", ".rels")):
                    with archive.open(m) as stream:
                        guard_xml(stream, m.filename)
    except StudyError as exc:
        raise fail(name, f"is refused: {exc}") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise fail(name, "is not a Word .docx file (it may be damaged)") from None
