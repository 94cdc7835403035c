"""What the export gate keeps beside its verdict: rows writing a word in lower case, as keyed
digests (``workbench.coding.witnesses``)."""

from __future__ import annotations

import json
import time

from workbench.coding.witnesses import FEW, Witnesses


def test_rows_are_kept_by_digest_and_many_rows_by_count() -> None:
    bodies = ["we ate mansaf.", "Mansaf at noon", "more-mansaf and x'mansaf", "mansaf's smell"]
    bodies += ["they called it 'mansaf", "a list: -mansaf"]
    bodies += ["the zaatar was fresh"] * (FEW + 5)
    rows = [f"memo:{i}" for i in range(len(bodies))]
    witnesses = Witnesses.start()
    assert witnesses.record(rows, bodies, {"mansaf", "zaatar"})
    # where the identifier finder reads mansaf as a word of its own: not capitalised, not after
    # a letter and a hyphen or apostrophe (one word), not with 's after it; after a quote or a
    # hyphen opening the word, yes
    assert witnesses.rows == {witnesses.digest("mansaf"): {"memo:0", "memo:4", "memo:5"}}
    assert witnesses.many == {witnesses.digest("zaatar"): FEW + 1}
    assert witnesses.known("mansaf") and witnesses.known("zaatar")
    assert not witnesses.known("sumac")
    # a word no row writes: nothing kept can be trusted
    assert not Witnesses.start().record(rows, bodies, {"sumac"})


def test_what_is_kept_holds_no_word_and_reads_back() -> None:
    witnesses = Witnesses.start()
    witnesses.record(["memo:1", "memo:2"], ["we ate mansaf", "knafeh"], {"mansaf", "knafeh"})
    witnesses.spent = 3
    witnesses.sources = witnesses.print_of(["P01"], ["Rania"], ["Amal"])
    kept = witnesses.dumps()
    for word in ("mansaf", "knafeh", "P01", "Rania", "Amal"):
        assert word not in kept
    again = Witnesses.loads(kept)
    assert again == witnesses
    assert again is not None and again.print_of(["Rania"], ["P01"], ["Amal"]) != again.sources
    # another secret: other digests (nothing to compare across projects)
    assert Witnesses.start().digest("mansaf") != witnesses.digest("mansaf")
    assert Witnesses.loads("not json") is None and Witnesses.loads(None) is None
    # kept by another version (the first kept no row for 'mansaf): not trusted
    older = json.loads(kept)
    del older["version"]
    assert Witnesses.loads(json.dumps(older)) is None


def test_keeping_rows_takes_linear_time_in_a_long_run_of_hyphenated_words() -> None:
    """A helper's review: every match after a hyphen read its whole run again (32 KB: 12 s)."""
    body = "x-mansaf." * 20_000  # 180 KB without a space; mansaf inside another word each time
    witnesses = Witnesses.start()
    started = time.perf_counter()
    assert not witnesses.record(["memo:1"], [body], {"mansaf"})
    assert time.perf_counter() - started < 2.0
