"""The one export gate: every format the registry writes passes through it.

An export is written into a staging folder beside its destination, then every file it wrote is
read back as text (inside a .docx, .xlsx or .qdpx archive too: element text and attribute values)
and searched, as whole words, for

(a) a redacted original or an identifier the analyst accepted (from the key, any case), and
(b) a suggested identifier nobody has reviewed — a name, a listed word or a name the participant
    list holds that was neither accepted nor dismissed (``workbench pseudonyms dismiss``).

Found, the export is refused with one line naming the word, why it counts, where the project holds
it and where the file would have had it; nothing reaches the destination. With
``--override-pseudonym-check`` the file is written and states so in its own text.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.coding.identifiers import BLOCKING_KINDS, standing_identifiers, still_clear
from workbench.coding.keystore import KeyLocation, KeyMissing, KeyStore
from workbench.coding.words import (
    alternation,
    loose_key,
    loose_keys,
    loose_word,
    shown,
    visible,
    whole_word,
)
from workbench.domain.study import StudyError
from workbench.storage import inventory, text_changes
from workbench.storage.project import Project

OVERRIDE_STATEMENT = (
    "The analyst overrode the pseudonymisation check (--override-pseudonym-check): this export "
    "was written although it may hold identifying text."
)
NO_KEY_NOTE = (
    "No pseudonymisation key was found: the export was checked against the reviewed "
    "suggestions only (not the key's redacted originals, accepted identifiers or watch list)."
)
RULES = 3
"""The version of what the whole-project pass looks for: change it when that changes, and every
project's earlier verdict is set aside (``storage.text_changes``). 3: what does not show
(``words.visible``)."""


class ExportRefused(StudyError):
    """The gate's refusal. ``in_project``: what stands in the way is in the project's own text
    (reviewing the suggestions, or redacting, clears it), not only in the file being written."""

    def __init__(self, message: str, *, in_project: bool) -> None:
        super().__init__(message)
        self.in_project = in_project


@dataclass(frozen=True, slots=True)
class Watched:
    word: str
    why: str
    folded: bool
    """Matched in any case (key words) or as written (suggestions: capitals make them names)."""
    where: str = ""
    """Where the project holds it, when it does (``coding memo 486a61d6``)."""


@dataclass(frozen=True, slots=True)
class Finding:
    watched: Watched
    part: str
    """The file (and archive member) where the export would write it."""


@dataclass(frozen=True, slots=True)
class Precheck:
    watched: tuple[Watched, ...]
    """Every word the written files are searched for."""
    standing: tuple[Watched, ...]
    """What the project itself still holds: identifiers left in its text (``pseudonyms check``)
    and suggestions nobody reviewed. Any of them refuses every export."""
    notes: tuple[str, ...]
    kept: bool = False
    """This pass found nothing in the way and wrote so into the project (a commit of its own:
    a window watching the file for colleagues' commits knows it for its own)."""
    in_names: tuple[Watched, ...] = ()
    """Words the file's name is also searched for: the key's watch list (a name nobody wrote
    into the project yet can still be typed into a file name)."""


def precheck(project: Project, key: KeyLocation) -> Precheck:
    """What the gate looks for, what already stands in the way, and notes on how it looked."""
    notes: list[str] = []
    try:
        store: KeyStore | None = KeyStore.open(project, key)
    except KeyMissing:
        if key is not None:
            raise  # a key named but not found is an error, never a silently skipped check
        store = None
        notes.append(NO_KEY_NOTE)
    key_print = text_changes.NO_KEY if store is None else store.fingerprint()
    in_names = tuple(
        Watched(w, "a watched word", True)
        for w in (store.watched() if store is not None else [])
        if visible(w).strip()
    )
    if key_print is not None and text_changes.cleared(project, key_print, RULES):
        return Precheck(tuple(_key_words(store)), (), tuple(notes), in_names=in_names)
    seen = text_changes.look(project)
    if key_print is not None and seen is not None:
        # Only the rows changed since the last clear pass, when the database can name them.
        since = text_changes.since(project, key_print, RULES)
        if since is not None:
            witnesses = still_clear(project, store, since.rows, since.witnesses)
            if witnesses is not None:
                kept = text_changes.clear(project, seen, key_print, RULES, witnesses)
                return Precheck(tuple(_key_words(store)), (), tuple(notes), kept, in_names)
    found, witnesses = _look_through(project, store)
    kept = False
    if key_print is not None and seen is not None and not found.standing:
        kept = text_changes.clear(project, seen, key_print, RULES, witnesses)
    return Precheck(found.watched, found.standing, tuple(notes), kept, in_names)


_UNREVIEWED = {
    "listed": "a watched word nobody reviewed",
    "participant": "a name from the participant list nobody reviewed",
}
"""Why an unreviewed suggestion refuses, by its kind (a name: "a suggested identifier…")."""


def _key_words(store: KeyStore | None) -> list[Watched]:
    """The originals and accepted identifiers of the key, each watched in any case."""
    originals = set(store.originals()) if store else set()
    accepted = set(store.identifiers()) if store else set()
    watched = [
        Watched(w, "a redacted original", True) for w in sorted(originals) if visible(w).strip()
    ]
    watched += [
        Watched(w, "an accepted identifier", True)
        for w in sorted(accepted - originals)
        if visible(w).strip()
    ]
    return watched


def _look_through(project: Project, store: KeyStore | None) -> tuple[Precheck, str | None]:
    """The whole pass: the key's words left anywhere in the project, and every suggested name
    nobody reviewed (``standing_identifiers``: what ``pseudonyms check`` and ``pseudonyms
    suggest`` would find, each text read once); and, when nothing stands, what a later pass
    over changed rows only needs (``coding.witnesses``)."""
    watched = _key_words(store)
    standing: list[Watched] = []
    found = standing_identifiers(project, store, witnessed=True)
    leaks, unreviewed = found.leaks, found.unreviewed
    if store is not None:
        first: dict[str, str] = {}
        for leak in leaks:
            written = "" if leak.written == leak.found else f", written {shown(leak.written)}"
            first.setdefault(leak.found, leak.where + written)
        standing += [
            Watched(w.word, w.why, True, first[w.word]) for w in watched if w.word in first
        ]
    seen = {w.word.casefold() for w in watched}
    for candidate in unreviewed:
        if candidate.kind not in BLOCKING_KINDS or candidate.reviewed:
            continue
        if candidate.text.casefold() in seen:
            continue
        seen.add(candidate.text.casefold())
        unreviewed_word = Watched(
            candidate.text,
            _UNREVIEWED.get(candidate.kind, "a suggested identifier nobody reviewed"),
            False,
            ", ".join(candidate.interviews[:3]),
        )
        watched.append(unreviewed_word)
        standing.append(unreviewed_word)
    return Precheck(tuple(watched), tuple(standing), ()), found.witnesses


def standing_refusal(standing: Sequence[Watched]) -> str:
    first = standing[0]
    more = f" (and {len(standing) - 1} more)" if len(standing) > 1 else ""
    remedy = (
        "redact it (workbench redact --all; workbench pseudonyms check lists every place)"
        if first.folded
        else "accept and redact it, or dismiss it (workbench pseudonyms dismiss PROJECT WORD)"
    )
    return (
        f"refused: the project still holds '{shown(first.word)}' ({first.why}, in "
        f"{first.where}){more}; {remedy}, or export with --override-pseudonym-check"
    )


_XML_TEXT = re.compile(r">([^<]+)<")
_XML_ATTRIBUTE = re.compile(r"=\s*\"([^\"]*)\"|=\s*'([^']*)'")
_SKIPPED_MEMBERS = re.compile(r"(^|/)(docProps/|_rels/|\[Content_Types\]\.xml$)|\.rels$|\.odttf$")
"""Not read: package plumbing, and the fonts a Word file carries (``_docx_fonts``: bundled font
files, no project text, whose bytes read as text would match short words by chance)."""


def _xml_texts(xml: str) -> Iterator[str]:
    """Element text (joined with spaces, and joined as is: Word splits words across runs) and
    attribute values (REFI-QDA keeps names there)."""
    pieces = [html.unescape(m) for m in _XML_TEXT.findall(xml)]
    yield " ".join(pieces)
    yield "".join(pieces)
    yield " ".join(html.unescape(a or b) for a, b in _XML_ATTRIBUTE.findall(xml))


def file_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(part, text) of everything a written file says, for the gate to search."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith("/") or _SKIPPED_MEMBERS.search(name):
                    continue
                body = z.read(name).decode("utf-8", errors="ignore")
                part = f"{path.name}:{name}"
                if body.lstrip().startswith("<"):
                    for piece in _xml_texts(body):
                        yield part, piece
                else:
                    yield part, body
        return
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        return  # an image: nothing to read as text (charts are checked as SVG)
    body = data.decode("utf-8", errors="ignore")
    if path.suffix.lower() in (".svg", ".qdc", ".xml"):
        for piece in _xml_texts(body):
            yield path.name, piece
    else:
        yield path.name, body


def scan(
    files: Sequence[Path],
    watched: Sequence[Watched],
    *,
    names: Sequence[str] = (),
    in_names: Sequence[Watched] = (),
) -> list[Finding]:
    """Every watched word the files would carry (the first place each is found); ``names``:
    file names the project will record (an export's audit row keeps its file's name), searched
    for ``in_names`` too, with underscores and digits taken for spaces (Samer_notes.csv,
    Samer2.csv)."""
    found: dict[str, Finding] = {}
    spelled = [(f"the file name {n}", piece) for n in names for piece in _name_pieces(n)]
    for finding in _scan(spelled, [*watched, *in_names]):
        found.setdefault(finding.watched.word, finding)
    for finding in _scan(itertools.chain(*(file_texts(path) for path in files)), watched):
        found.setdefault(finding.watched.word, finding)
    return list(found.values())


def _name_pieces(name: str) -> list[str]:
    """A file name as written, and with its underscores and the seams between letters and
    digits taken for spaces."""
    spaced = _SEAMS.sub(" ", name.replace("_", " "))
    return [name] if spaced == name else [name, spaced]


_SEAMS = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def _scan(parts: Iterable[tuple[str, str]], watched: Sequence[Watched]) -> list[Finding]:
    folded: dict[str, Watched] = {}
    for w in watched:
        if w.folded:
            for key in loose_keys(w.word):
                folded.setdefault(key, w)  # the first as written (Samer before Sa\u00admer)
    exact = {w.word: w for w in watched if not w.folded}
    patterns = [
        (p, table, key)
        for p, table, key in (
            (alternation([w.word for w in watched if w.folded], loose=True), folded, loose_key),
            (alternation(list(exact), 0), exact, str),
        )
        if p is not None
    ]
    found: dict[str, Finding] = {}
    for part, body in parts:
        for pattern, table, normal in patterns:
            for match in pattern.finditer(body):
                hit = table.get(normal(match.group(0))) or _watched_as(match.group(0), watched)
                found.setdefault(hit.word, Finding(hit, part))
    return list(found.values())


def _watched_as(spelling: str, watched: Sequence[Watched]) -> Watched:
    """The watched word a spelling the search found is one of (when its key is not the word's:
    case folding is not always one letter for one)."""
    for w in watched:
        pattern = loose_word(w.word) if w.folded else whole_word(w.word)
        if pattern.fullmatch(spelling):
            return w
    return Watched(spelling, "a watched word", True)


def where_in_project(project: Project, word: str) -> str:
    """The first inventoried text holding ``word`` (``coding memo 486a61d6``,
    ``interview:I1 #3``)."""
    from workbench.coding.identifiers import located_texts

    pattern = loose_word(word)
    with project.session(write=False) as s:
        for item in inventory.walked(inventory.TRANSCRIPT, inventory.PROSE, inventory.LABEL):
            if (item.table, item.column) == inventory.UTTERANCES:
                for where, body in located_texts(s, (inventory.TRANSCRIPT,), words=False):
                    if pattern.search(body):
                        return where
                continue
            for _, _, body, where in inventory.iter_texts(s, (item,), containing=word):
                if pattern.search(body):
                    return inventory.named_all(s, [where])[0]
        # Not as typed (Sa\u00admer, another case): every text, each read (a refusal's cost).
        for item in inventory.walked(inventory.TRANSCRIPT, inventory.PROSE, inventory.LABEL):
            if (item.table, item.column) == inventory.UTTERANCES:
                continue  # looked through whole above
            for _, _, body, where in inventory.iter_texts(s, (item,)):
                if pattern.search(body):
                    return inventory.named_all(s, [where])[0]
    return "the project"


def refusal(project: Project, findings: Sequence[Finding]) -> str:
    first = findings[0]
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return (
        f"refused: the export would write '{shown(first.watched.word)}' ({first.watched.why}, in "
        f"{where_in_project(project, first.watched.word)}) into {first.part}{more}; redact it "
        "(workbench redact --all), review it (workbench pseudonyms accept|dismiss), or export "
        "with --override-pseudonym-check"
    )


# --- saying so in the file itself -----------------------------------------------------------


def _xml_comment(xml: bytes) -> bytes:
    said = OVERRIDE_STATEMENT.replace("--", "")  # "--" may not appear inside an XML comment
    comment = f"<!-- {said} -->".encode()
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + b"\n" + comment + xml[end:]
    return comment + b"\n" + xml


def stamp(path: Path) -> None:
    """Write the override statement into the exported file's own text."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        import docx

        from workbench.exchange._docx import save

        document = docx.Document(str(path))
        document.add_paragraph(OVERRIDE_STATEMENT)
        save(document, path)
    elif suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path)
        sheet = book["About"] if "About" in book.sheetnames else book.create_sheet("About")
        sheet.append([OVERRIDE_STATEMENT])
        book.save(path)
    elif suffix == ".qdpx":
        staged = path.with_name(path.name + ".stamp")
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(staged, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                dst.writestr(info, _xml_comment(data) if info.filename == "project.qde" else data)
        staged.replace(path)
    elif suffix in (".qdc", ".svg", ".xml"):
        path.write_bytes(_xml_comment(path.read_bytes()))
    elif suffix == ".vtt":
        body = path.read_text(encoding="utf-8")
        head, _, rest = body.partition("\n\n")
        path.write_text(f"{head}\n\nNOTE {OVERRIDE_STATEMENT}\n\n{rest}", encoding="utf-8")
    elif suffix == ".srt":
        body = path.read_text(encoding="utf-8").rstrip("\n")
        count = body.count("\n\n") + 2 if body else 1
        cue = f"{count}\n99:59:59,000 --> 99:59:59,999\n{OVERRIDE_STATEMENT}\n"
        path.write_text(f"{body}\n\n{cue}" if body else cue, encoding="utf-8")
    elif suffix == ".csv":
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f'"# {OVERRIDE_STATEMENT}"\n')
    elif suffix in (".txt", ".md"):
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"\n[{OVERRIDE_STATEMENT}]\n")


# --- running an export through the gate --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gated:
    files: tuple[Path, ...]
    """Where the export's files now are."""
    notes: tuple[str, ...]


class Staging:
    """A folder beside the destination that the exporter writes into; the files move to the
    destination only when the gate lets them through, and the folder always goes."""

    def __init__(self, out: Path) -> None:
        if not out.parent.is_dir():
            raise StudyError(f"no folder {out.parent} to write {out.name} into")
        self.out = out
        self.folder = Path(tempfile.mkdtemp(prefix=".export-", dir=out.parent))
        self.path = self.folder / out.name

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def let_through(
        self,
        project: Project,
        watched: Sequence[Watched],
        *,
        override: bool,
        in_names: Sequence[Watched] = (),
    ) -> Gated:
        files = sorted(p for p in self.folder.rglob("*") if p.is_file())
        findings = scan(files, watched, names=[self.out.name], in_names=in_names)
        notes: list[str] = []
        if findings and not override:
            raise ExportRefused(refusal(project, findings), in_project=False)
        if override:
            for f in files:
                stamp(f)
            notes.append(OVERRIDE_STATEMENT)
            notes += [
                f"written although it holds {f.watched.word!r} ({f.watched.why}) in {f.part}"
                for f in findings
            ]
        moved = []
        for f in files:
            target = self.out.parent / f.relative_to(self.folder)
            f.replace(target)
            moved.append(target)
        return Gated(tuple(moved), tuple(notes))
