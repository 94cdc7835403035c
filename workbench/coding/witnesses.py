"""What the export gate keeps beside its verdict, to judge changed rows without reading the rest.

A capitalised word inside a sentence is a suggested name unless, among other reasons, the
project also writes it in lower case somewhere ("Sleep" beside "sleep":
``identifiers._may_be_name``). So whether a change makes a name of a word can depend on texts the
change did not touch: an edit that takes out the last lower-case "sleep" makes a name of every
"Sleep" elsewhere. The gate's whole pass keeps, for each word a capitalised run leans on that
way, the rows that write it in lower case, or, past ``FEW`` of them, only how many. A later
pass that reads only the rows changed since (``storage.text_changes.since``) updates those rows
from what it read and knows whether each word still has a lower-case spelling somewhere; a word
it cannot judge sends it back to reading everything. A word with many rows is trusted while fewer
rows than it had have changed since the whole pass (``spent``).

Words are kept as keyed digests (HMAC-SHA256 under a random key kept beside them, 16 hex
digits), never as words: a redaction or a withdrawal has nothing to find here, and the file's
bytes hold no word of them.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

VERSION = 2
"""What is kept, and how: change it when that changes (2: a lower-case word after a quote or a
hyphen is kept as the name finder reads it)."""
FEW = 128
"""Up to this many rows a word's lower-case rows are kept one by one; past it, only how many."""

_LOWER = re.compile(r"\b[a-z][\w'’-]*")
"""A word written in lower case (``identifiers._LOWER``: what the identifier finder reads as
one)."""
_WORD_GOES_ON = re.compile(r"[\w'’-]")


@dataclass(slots=True)
class Witnesses:
    secret: bytes
    rows: dict[str, set[str]] = field(default_factory=dict)
    """A word's digest -> the rows (``table:id``) writing it in lower case."""
    many: dict[str, int] = field(default_factory=dict)
    """A word's digest -> how many rows wrote it in lower case at the whole pass (more than
    ``FEW``)."""
    spent: int = 0
    """Rows changed since the whole pass."""
    sources: str = ""
    """A digest of what suggestions are judged against besides the texts (the study's ids, the
    participant list's names, the dismissed words: ``print_of``), as the whole pass found it."""

    @classmethod
    def start(cls) -> Witnesses:
        return cls(os.urandom(16))

    def digest(self, word: str) -> str:
        return hmac.new(self.secret, word.encode(), hashlib.sha256).hexdigest()[:16]

    def print_of(self, *parts: Iterable[str]) -> str:
        """A digest of these lists of words, each in any order."""
        return self.digest(json.dumps([sorted(part) for part in parts], ensure_ascii=False))

    def known(self, word: str) -> bool:
        """Whether the project writes ``word`` in lower case in a row kept here."""
        found = self.digest(word)
        return found in self.rows or found in self.many

    def dumps(self) -> str:
        return json.dumps(
            {
                "version": VERSION,
                "secret": self.secret.hex(),
                "rows": {d: sorted(r) for d, r in sorted(self.rows.items())},
                "many": dict(sorted(self.many.items())),
                "spent": self.spent,
                "sources": self.sources,
            }
        )

    @classmethod
    def loads(cls, text: str | None) -> Witnesses | None:
        if not text:
            return None
        try:
            kept = json.loads(text)
            if kept.get("version") != VERSION:
                return None  # kept by another version's rules: not to be trusted
            return cls(
                bytes.fromhex(kept["secret"]),
                {d: set(r) for d, r in kept["rows"].items()},
                {d: int(n) for d, n in kept["many"].items()},
                int(kept["spent"]),
                str(kept["sources"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def record(self, rows: Sequence[str], bodies: Sequence[str], words: set[str]) -> bool:
        """Keep, for each of ``words`` (in lower case, each a word ``_LOWER`` finds in
        ``bodies``), the rows of ``bodies`` writing it in lower case; ``rows[i]`` names
        ``bodies[i]``. False when a word was found in no row (nothing kept can then be
        trusted)."""
        joined = "\x00" + "\x00".join(bodies)
        starts: list[int] = []
        at = 1
        for body in bodies:
            starts.append(at)
            at += len(body) + 1
        tokens: dict[int, set[str]] = {}
        """A row's lower-case words, read whole when a match there is not plain to see."""
        for word in words:
            found: set[str] = set()
            # The word first (a fast search for it), what stands before it checked after.
            for match in re.finditer(rf"{re.escape(word)}(?![\w'’-])", joined):
                row = bisect.bisect_right(starts, match.start()) - 1
                before = joined[match.start() - 1]
                if _WORD_GOES_ON.match(before):
                    if before not in "'’-":
                        continue  # after a letter or a digit: inside another word
                    # After an apostrophe or a hyphen: the word's own ('mansaf, -mansaf) or
                    # inside another (x'mansaf, more-mansaf); the row's words tell.
                    if row not in tokens:
                        tokens[row] = set(_LOWER.findall(bodies[row]))
                    if word not in tokens[row]:
                        continue
                found.add(rows[row])
                if len(found) > FEW:
                    break
            if len(found) > FEW:
                self.many[self.digest(word)] = len(found)
            elif found:
                self.rows[self.digest(word)] = found
            else:
                return False
        return True
