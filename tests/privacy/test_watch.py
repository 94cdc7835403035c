"""The analyst's watch list: identifying words no capital gives away (names in Arabic script,
towns, camps), kept in the key and never in the project; while the text holds one nobody
reviewed, every export is refused. On SQLite with a key file, and on PostgreSQL with a key
holder's schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from workbench.cli import main
from workbench.coding.keystore import KeyStore
from workbench.coding.memos import add_memo
from workbench.coding.redaction import dismiss_identifier, redact, suggest_identifiers
from workbench.coding.study import new_study
from workbench.coding.transcripts import interview_text
from workbench.coding.undo import undo
from workbench.coding.watchlist import unwatch_words, watch_words, watched_words
from workbench.coding.words import whole_word
from workbench.domain.study import StudyError
from workbench.exchange.registry import ExportOptions, export
from workbench.storage.project import Project, open_project

from ..coding.test_redaction_pg import Team, _project_texts, team  # noqa: F401 (fixture)
from ..helpers import interview_with

RANA = "رنا"  # Rana, written in Arabic: no capital gives it away
SAMER = "سامر"
LINA = "لينا"  # watched, but written nowhere in the project
LINES = [
    ("P01", "الأولاد بيروحوا عالمدرسة، ورنا بتروح عالكورس. صرنا أصحاب مع جارنا."),
    ("R01", "So you came by boat, and now the children go to school."),
    ("P01", "أخي بعده بالسجن."),
]


def _study(p: Project) -> None:
    interview_with(p, "I1", LINES)
    add_memo(p, f"He called her {RANA} twice; check the consent form.", about="interview:I1")


def _refused(p: Project, out: Path, key: str | None = None) -> str:
    with pytest.raises(StudyError) as refused:
        export(p, "csv", out, ExportOptions(key=key))
    assert not out.exists()
    return str(refused.value)


def test_a_watched_arabic_name_refuses_exports_until_redacted(tmp_path: Path) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path, title="Watch") as p:
        _study(p)
        redact(p, "[vessel]", everywhere="boat")  # a key beside the project, as most have
        assert RANA not in {c.text for c in suggest_identifiers(p)}  # nothing else finds it
        export(p, "csv", tmp_path / "before.csv", ExportOptions())

        report = watch_words(p, [RANA, LINA, f" {RANA} "])
        assert report.added == (RANA, LINA) and report.unchanged == ()
        assert watch_words(p, [LINA]).unchanged == (LINA,)
        assert [(c.text, c.kind, c.count) for c in report.standing] == [(RANA, "listed", 2)]
        assert watched_words(p)[0] == sorted([RANA, LINA])
        said = _refused(p, tmp_path / "after.csv")
        assert f"{RANA!r} (a watched word nobody reviewed" in said

        before = interview_text(p, "I1")
        redact(p, "[P01's wife]", everywhere=RANA)
        after = interview_text(p, "I1")
        assert "و[P01's wife] بتروح" in after  # "and" stays, the name goes
        assert "صرنا أصحاب مع جارنا" in after  # words that merely end in its letters stay
        export(p, "csv", tmp_path / "redacted.csv", ExportOptions())
        assert RANA not in (tmp_path / "redacted.csv").read_text(encoding="utf-8")
        undo(p)
        assert interview_text(p, "I1") == before
    # The watch list is in the key only: the project file and its WAL never hold a word of it.
    for part in (path, path.with_name(path.name + "-wal")):
        if part.exists():
            assert LINA.encode() not in part.read_bytes()
    with sqlite_key(path) as words:
        assert words == {RANA, LINA}


class sqlite_key:
    def __init__(self, project: Path) -> None:
        import sqlite3

        self.con = sqlite3.connect(project.with_suffix(".dyadkey"))

    def __enter__(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT text FROM watch")}

    def __exit__(self, *_: object) -> None:
        self.con.close()


def test_watching_sets_an_earlier_clean_verdict_aside_and_dismissing_clears_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path, title="Watch") as p:
        interview_with(p, "I1", [*LINES, ("P01", f"وقال {SAMER} إنو رح يجي.")])
        redact(p, "[vessel]", everywhere="boat")
        export(p, "csv", tmp_path / "one.csv", ExportOptions())  # a clean pass, remembered
        print_before = KeyStore.open(p, None).fingerprint()
        watch_words(p, [SAMER])
        assert KeyStore.open(p, None).fingerprint() != print_before
        assert repr(SAMER) in _refused(p, tmp_path / "two.csv")
        unwatch_words(p, [SAMER])
        export(p, "csv", tmp_path / "three.csv", ExportOptions())
        watch_words(p, [SAMER])
        dismiss_identifier(p, SAMER)  # reviewed: not identifying after all
        export(p, "csv", tmp_path / "four.csv", ExportOptions())


def test_an_older_key_without_a_watch_list_reads_as_empty(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "study.dyad"
    with new_study(path, title="Watch") as p:
        _study(p)
        redact(p, "[vessel]", everywhere="boat")
        con = sqlite3.connect(path.with_suffix(".dyadkey"))
        with con:
            con.execute("DROP TABLE watch")  # as a key made before there was a watch list
        con.close()
        assert KeyStore.open(p, None).watched() == []
        export(p, "csv", tmp_path / "ok.csv", ExportOptions())
        assert watch_words(p, [RANA]).added == (RANA,)
        assert repr(RANA) in _refused(p, tmp_path / "no.csv")


def test_the_command_line_watches_lists_and_removes(tmp_path: Path, capsys) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path, title="Watch") as p:
        _study(p)
    words = tmp_path / "names.txt"
    words.write_text(f"{RANA}\n\n{LINA}\n", encoding="utf-8")
    target = str(path)
    assert main(["pseudonyms", "watch", target, "--words", str(words)]) == 0
    out = capsys.readouterr().out
    assert f"watching for 2 more word(s), kept in the key {path.with_suffix('.dyadkey')}" in out
    assert f"  {RANA}" in out and "1 of them stand in the project's text" in out
    assert main(["pseudonyms", "watch", target, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == {"key": str(path.with_suffix(".dyadkey")), "watched": sorted([RANA, LINA])}
    assert main(["export", target, "--format", "csv", "-o", str(tmp_path / "x.csv")]) != 0
    assert "a watched word nobody reviewed" in capsys.readouterr().err
    assert main(["pseudonyms", "suggest", target]) == 0
    assert "listed" in capsys.readouterr().out
    assert main(["pseudonyms", "watch", target, RANA, "Nobody", "--remove"]) == 0
    assert "no longer watched for: 1 word(s); not on the list: Nobody" in capsys.readouterr().out
    assert main(["pseudonyms", "watch", target]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [f"  {LINA}"]
    assert main(["pseudonyms", "watch", target, "  "]) != 0
    assert "give at least one word to watch for" in capsys.readouterr().err


def test_a_team_project_keeps_its_watch_list_in_the_key_holders_schema(
    team: Team,  # noqa: F811
    tmp_path: Path,
) -> None:
    with new_study(team.analyst, title="Team") as p:
        _study(p)
        with pytest.raises(StudyError, match="give --key postgresql://"):
            watch_words(p, [RANA])
        report = watch_words(p, [RANA, LINA], team.holder)
        assert [c.text for c in report.standing] == [RANA]
        said = _refused(p, tmp_path / "team.csv", key=team.holder)
        assert repr(RANA) in said
        redact(p, "[P01's wife]", everywhere=RANA, key_path=team.holder)
        export(p, "csv", tmp_path / "team.csv", ExportOptions(key=team.holder))
    dump = _project_texts(team.admin)
    assert not whole_word(RANA).search(dump) and LINA not in dump
    admin = create_engine(team.admin)
    with admin.connect() as c:
        assert set(c.scalars(text("SELECT text FROM dyad_key.watch"))) == {RANA, LINA}
    admin.dispose()
    with open_project(team.analyst) as p:
        assert watched_words(p, team.holder)[0] == sorted([RANA, LINA])


def test_every_spelling_is_found_and_listed_as_written(tmp_path: Path, capsys) -> None:
    """Found by trying the tool: محمّد (shadda), فاطمـــة (tatweel), فاطمه, احمد and للزعتري
    went through the gate when محمد, فاطمة, أحمد and الزعتري were watched, and "tessy" when
    Tessy was; now each spelling is listed as written, and redacting it clears the gate."""
    path = tmp_path / "study.dyad"
    lines = [
        ("P01", "محمّد ابني بخير، ومحمد كمان، واسمها فاطمـــة، وأختها فاطمه."),
        ("P01", "احمد رجع من للزعتري."),
        ("R01", "They called me tessy at the boat."),
    ]
    with new_study(path, title="Spellings") as p:
        interview_with(p, "I1", lines)
        report = watch_words(p, ["محمد", "فاطمة", "أحمد", "الزعتري", "Tessy", "TESSY"])
        assert report.unchanged == () and len(report.added) == 5  # TESSY is Tessy
        listed = sorted(c.text for c in report.standing)
        assert listed == sorted(["محمّد", "محمد", "فاطمـــة", "فاطمه", "احمد", "لزعتري", "tessy"])
        said = _refused(p, tmp_path / "x.csv")
        assert any(f"{spelling!r} (a watched word nobody" in said for spelling in listed)
        for spelling in listed:  # each as written, so the key puts each back exactly
            redact(p, "[a name]", everywhere=spelling)
        export(p, "csv", tmp_path / "clean.csv", ExportOptions())
        text = interview_text(p, "I1")
        assert "و[a name] كمان" in text and "من ل[a name]." in text
        assert "called me [a name] at" in text


def test_a_word_list_file_with_a_byte_order_mark_and_comments(tmp_path: Path, capsys) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path, title="Watch") as p:
        interview_with(p, "I1", [("P01", "Hassan came with Nadia.")])
    words = tmp_path / "names.txt"
    words.write_bytes("\ufeffHassan\n# from the consent forms\nNadia\n".encode())
    assert main(["pseudonyms", "watch", str(path), "--words", str(words), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["added"] == ["Hassan", "Nadia"]
    assert main(["pseudonyms", "watch", "--json", "--remove", str(path), "Nadia", "Zed"]) == 0
    assert json.loads(capsys.readouterr().out) == {"removed": ["Nadia"], "not_watched": ["Zed"]}


def test_check_says_exports_are_still_refused_and_accepting_undoes_a_dismissal(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path, title="Watch") as p:
        interview_with(p, "I1", [("P01", "Nadia came by boat.")])
        redact(p, "[vessel]", everywhere="boat")
        watch_words(p, ["Nadia"])
        dismiss_identifier(p, "Nadia")
    capsys.readouterr()
    assert main(["pseudonyms", "accept", str(path), "Nadia"]) == 0
    with open_project(path) as p, p.session(write=False) as s:
        from workbench.coding.identifiers import dismissed_words

        assert dismissed_words(s) == []  # accepted: no longer in the project's own list
    assert main(["pseudonyms", "check", str(path)]) != 0  # accepted, still in the text
    assert "interview:I1 #0: Nadia" in capsys.readouterr().out
    assert main(["redact", str(path), "--all", "Nadia", "--as", "[a woman]"]) == 0
    with open_project(path) as p:
        watch_words(p, ["Amal"])
        add_memo(p, "Amal phoned.")
    capsys.readouterr()
    assert main(["pseudonyms", "check", str(path)]) == 0  # the key's words: none left
    said = capsys.readouterr().err
    assert "note: exports are still refused: 1 suggested identifier(s) nobody reviewed" in said
    assert "'Amal'" in said
    assert main(["pseudonyms", "prune", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"originals_removed": 0, "words_removed": 0}


def test_words_may_come_after_the_options(tmp_path: Path, capsys) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path, title="Watch") as p:
        interview_with(p, "I1", [("P01", "Nadia came.")])
    assert main(["pseudonyms", "watch", str(path), "--json", "Nadia", "Zed"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == ["Nadia", "Zed"]
    assert main(["pseudonyms", "watch", str(path), "--remove", "Zed"]) == 0
    assert capsys.readouterr().out == "no longer watched for: 1 word(s)\n"
    assert main(["pseudonyms", "watch", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["watched"] == ["Nadia"]
    assert main(["pseudonyms", "watch", str(path), "--remove", "Nadia", "--bogus"]) != 0
    assert "--bogus" in capsys.readouterr().err
    assert main(["info", str(path), "extra"]) != 0  # other commands take no stray words
    assert "unrecognized arguments: extra" in capsys.readouterr().err
