"""Tests for workbench.exchange.transcripts: real files from tests/data, small ones built here."""

from __future__ import annotations

import random
import re
import time
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from workbench.domain.transcript import ParsedTranscript, TranscriptFormatError
from workbench.exchange.transcripts import decode_text, read_transcript, read_transcripts

DATA = Path(__file__).resolve().parent.parent / "data" / "transcripts"
PRIMOCK = DATA / "primock57"
QUALCODER = DATA / "qualcoder_examples"
CONSULTATIONS = ["day1_consultation01", "day2_consultation03", "day3_consultation05"]


# ---------------------------------------------------------------- helpers


def _ms(seconds: str) -> int:
    """Round half up, written independently of the reader."""
    return int(Decimal(seconds) * 1000 + Decimal("0.5"))


def _scan_textgrid(path: Path) -> list[tuple[int, int, str]]:
    """(start_ms, end_ms, text) of the non-empty intervals: a deliberately naive scan."""
    content = path.read_text(encoding="utf-8")
    found = re.findall(
        r'intervals \[\d+\]:\s*xmin = (\S+)\s*xmax = (\S+)\s*text = "((?:[^"]|"")*)"', content
    )
    return [(_ms(a), _ms(b), t.replace('""', '"').strip()) for a, b, t in found if t.strip()]


def _refused(path: Path, *, match: str = "") -> str:
    with pytest.raises(TranscriptFormatError) as info:
        read_transcript(path)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert path.name in message
    assert re.search(match, message), message
    return message


def _write_docx(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def _textgrid(tiers: list[tuple[str, list[tuple[str, str, str]]]], *, short: bool = False) -> str:
    """A TextGrid text; tiers are (name, [(xmin, xmax, text)]); text is written Praat-escaped."""
    end = max((b for _, intervals in tiers for _, b, _ in intervals), key=Decimal, default="1")

    def esc(s: str) -> str:
        return s.replace('"', '""')

    if short:
        out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "0", end, "<exists>"]
        out.append(str(len(tiers)))
        for name, intervals in tiers:
            out += ['"IntervalTier"', f'"{esc(name)}"', "0", end, str(len(intervals))]
            for a, b, t in intervals:
                out += [a, b, f'"{esc(t)}"']
        return "\n".join(out) + "\n"
    out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "xmin = 0 "]
    out += [f"xmax = {end} ", "tiers? <exists> ", f"size = {len(tiers)} ", "item []: "]
    for i, (name, intervals) in enumerate(tiers, start=1):
        out += [
            f"    item [{i}]:",
            '        class = "IntervalTier" ',
            f'        name = "{esc(name)}" ',
        ]
        out += [
            "        xmin = 0 ",
            f"        xmax = {end} ",
            f"        intervals: size = {len(intervals)} ",
        ]
        for j, (a, b, t) in enumerate(intervals, start=1):
            out += [
                f"        intervals [{j}]:",
                f"            xmin = {a} ",
                f"            xmax = {b} ",
            ]
            out += [f'            text = "{esc(t)}" ']
    return "\n".join(out) + "\n"


MULTILINGUAL = [
    ("المريض", "لا أستطيع النوم منذ أسابيع"),
    ("بیمار", "خواب\u200cهایم بد است"),
    ("ሕሙም", "ሰላም እየ"),
    ("Doctor", "👩🏽\u200d⚕️ asks: how is your cafe\u0301 habit? 👨‍👩‍👧 👋🏿"),
    ("Patient", "Zoe\u0308 says <UNSURE>fine</UNSURE> (..) <UNIN/>"),
]


# ---------------------------------------------------------------- PriMock57 TextGrids


@pytest.mark.parametrize("consultation", CONSULTATIONS)
def test_primock_textgrids_merge_into_doctor_and_patient(consultation: str) -> None:
    doctor = PRIMOCK / f"{consultation}_doctor.TextGrid"
    patient = PRIMOCK / f"{consultation}_patient.TextGrid"
    parsed = read_transcripts([doctor, patient])

    expected = sorted(_scan_textgrid(doctor) + _scan_textgrid(patient), key=lambda x: x[0])
    assert set(parsed.speakers) == {"Doctor", "Patient"}
    assert parsed.format == "merged"
    assert parsed.encoding == "utf-8"
    assert len(parsed.utterances) == len(expected)
    first, last = parsed.utterances[0], parsed.utterances[-1]
    assert (first.start_ms, first.end_ms, first.text) == expected[0]
    assert (last.start_ms, last.end_ms, last.text) == expected[-1]
    starts = [u.start_ms for u in parsed.utterances]
    assert starts == sorted(starts)  # type: ignore[type-var]
    assert all(u.text == u.text.strip() and u.text for u in parsed.utterances)


@pytest.mark.parametrize("consultation", CONSULTATIONS)
def test_primock_speakers_follow_their_channel(consultation: str) -> None:
    doctor = PRIMOCK / f"{consultation}_doctor.TextGrid"
    patient = PRIMOCK / f"{consultation}_patient.TextGrid"
    parsed = read_transcripts([doctor, patient])
    doctor_texts = [t for _, _, t in _scan_textgrid(doctor)]
    assert [u.text for u in parsed.utterances if u.speaker == "Doctor"] == doctor_texts


def test_day1_diarrhea_turns() -> None:
    parsed = read_transcripts(
        [
            PRIMOCK / "day1_consultation01_doctor.TextGrid",
            PRIMOCK / "day1_consultation01_patient.TextGrid",
        ]
    )
    hits = [u for u in parsed.utterances if "diarrhea" in u.text]
    assert (hits[0].speaker, hits[0].start_ms) == ("Patient", 12596)  # xmin 12.59634606050819
    assert (hits[1].speaker, hits[1].start_ms) == ("Doctor", 25666)  # xmin 25.665919347794443
    assert hits[0].text.startswith("<UNSURE>Oh</UNSURE> <UNSURE>hey</UNSURE>, um,")
    assert hits[1].text.startswith("<UNIN/> Sorry to hear that.")


def test_single_textgrid_uses_tier_name_and_keeps_crlf_file_text() -> None:
    path = PRIMOCK / "day1_consultation01_patient.TextGrid"
    assert b"\r\n" in path.read_bytes()
    parsed = read_transcript(path)
    assert parsed.format == "textgrid"
    assert parsed.speakers == ("Patient",)
    assert parsed.utterances[0].text == "Hello, how are you?"
    assert (parsed.utterances[0].start_ms, parsed.utterances[0].end_ms) == (3907, 4907)
    assert all("\r" not in u.text for u in parsed.utterances)


def test_generic_tier_names_are_named_after_the_files() -> None:
    parsed = read_transcripts(
        [
            PRIMOCK / "day2_consultation03_doctor.TextGrid",
            PRIMOCK / "day2_consultation03_patient.TextGrid",
        ]
    )
    assert set(parsed.speakers) == {"Doctor", "Patient"}
    assert any("Speaker" in w and "Doctor" in w for w in parsed.warnings)
    # Read alone, the tier's own name is kept.
    assert read_transcript(PRIMOCK / "day2_consultation03_doctor.TextGrid").speakers == ("Speaker",)


# ---------------------------------------------------------------- plain-text transcripts


@pytest.mark.parametrize("consultation", CONSULTATIONS)
def test_primock_merged_txt(consultation: str) -> None:
    path = PRIMOCK / f"{consultation}.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    turns = [line for line in lines if line.startswith(("Doctor: ", "Patient: "))]
    parsed = read_transcript(path)
    assert parsed.format == "txt"
    assert parsed.encoding == "utf-8"
    assert parsed.warnings == ()
    assert set(parsed.speakers) == {"Doctor", "Patient"}
    assert len(parsed.utterances) == len(turns)
    for utterance, line in zip(parsed.utterances, turns, strict=True):
        label, _, text = line.partition(": ")
        assert (utterance.speaker, utterance.text) == (label, text.strip())
        assert utterance.start_ms is None and utterance.end_ms is None


def test_day1_txt_keeps_transcriber_tags_verbatim() -> None:
    parsed = read_transcript(PRIMOCK / "day1_consultation01.txt")
    assert len(parsed.utterances) == 89
    assert parsed.speakers == ("Doctor", "Patient")
    second = parsed.utterances[1]
    assert second.speaker == "Patient"
    assert second.text.startswith("Hello, how are you? <UNSURE>Oh</UNSURE> <UNSURE>hey</UNSURE>")
    assert parsed.utterances[2].text.startswith("<UNIN/> Sorry to hear that.")
    assert sum("<UNIN/>" in u.text for u in parsed.utterances) > 5


def test_qualcoder_bracketed_ids() -> None:
    path = QUALCODER / "transcript.txt"
    parsed = read_transcript(path)
    assert parsed.speakers == ("id1", "id2", "id3")
    expected = sum(1 for line in path.read_text().split("\n") if line.startswith("[id"))
    assert len(parsed.utterances) == expected == 7
    assert parsed.utterances[1].text == (
        "I am struggling with the lecture slides. "
        "I felt that they were too busy and I switched off."
    )


def test_qualcoder_docx_without_labels_gives_paragraphs() -> None:
    parsed = read_transcript(QUALCODER / "ID1.docx")
    document = docx.Document(str(QUALCODER / "ID1.docx"))
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    assert parsed.format == "docx"
    assert parsed.speakers == ()
    assert [u.text for u in parsed.utterances] == paragraphs
    assert len(paragraphs) == 3
    assert any("no speaker labels found" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    ("line_a", "line_b", "labels"),
    [
        ("Doctor: hello there", "Patient: hi", ("Doctor", "Patient")),
        ("Patient 2: one", "Patient 1: two", ("Patient 2", "Patient 1")),
        ("I: how are you", "R: fine", ("I", "R")),
        ("Interviewer - so tell me", "Participant - well", ("Interviewer", "Participant")),
        ("Interviewer – so tell me", "Participant – well", ("Interviewer", "Participant")),
        ("[P1] one", "[P2] two", ("P1", "P2")),
        ("[id1] one", "[id2] two", ("id1", "id2")),
        ("P1: one", "P2: two", ("P1", "P2")),
        ("DR. SMITH: one", "MRS. JONES: two", ("DR. SMITH", "MRS. JONES")),
        ("Interpreter (Arabic): one", "Doctor: two", ("Interpreter (Arabic)", "Doctor")),
        ("Jean-Paul - one", "Marie - two", ("Jean-Paul", "Marie")),
        ("المريض: لا أستطيع النوم", "الطبيب: منذ متى؟", ("المريض", "الطبيب")),
    ],
)
def test_label_forms(tmp_path: Path, line_a: str, line_b: str, labels: tuple[str, str]) -> None:
    path = tmp_path / "t.txt"
    path.write_text(f"{line_a}\n{line_b}\n{line_a}\n", encoding="utf-8")
    parsed = read_transcript(path)
    assert parsed.speakers == labels
    assert len(parsed.utterances) == 3
    assert parsed.utterances[0].text == re.split(r": |\] | [-–] ", line_a, maxsplit=1)[1]


def test_a_single_recurring_label_counts(tmp_path: Path) -> None:
    path = tmp_path / "mono.txt"
    path.write_text("Participant: first\nstill first\n\nParticipant: second\n", encoding="utf-8")
    parsed = read_transcript(path)
    assert [(u.speaker, u.text) for u in parsed.utterances] == [
        ("Participant", "first still first"),
        ("Participant", "second"),
    ]


def test_lone_note_in_prose_is_not_a_speaker(tmp_path: Path) -> None:
    path = tmp_path / "prose.txt"
    path.write_text(
        "We met at the clinic.\nIt was raining.\n\nNote: the recorder failed at 10:30 so "
        "this is from memory.\n\n10:30 we started again.\nSee http://example.org for more.\n",
        encoding="utf-8",
    )
    parsed = read_transcript(path)
    assert parsed.speakers == ()
    assert [u.text for u in parsed.utterances] == [
        "We met at the clinic. It was raining.",
        "Note: the recorder failed at 10:30 so this is from memory.",
        "10:30 we started again. See http://example.org for more.",
    ]
    assert parsed.warnings and "no speaker labels found" in parsed.warnings[0]


def test_prose_colon_inside_a_labelled_transcript_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "Doctor: what did he tell you?\nPatient: he said it twice\n"
        "and then he said: go home\n[laughs] so I went home\nhttp: odd line\nDoctor: okay\n",
        encoding="utf-8",
    )
    parsed = read_transcript(path)
    assert parsed.speakers == ("Doctor", "Patient")
    assert parsed.utterances[1].text == (
        "he said it twice and then he said: go home [laughs] so I went home http: odd line"
    )


def test_continuations_blank_lines_and_preamble(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "Interview 3, ward B\n\n  Doctor:   first line  \n   second line\n\n third line\n"
        "Patient:\n  answer on the next line\n",
        encoding="utf-8",
    )
    parsed = read_transcript(path)
    assert [(u.speaker, u.text) for u in parsed.utterances] == [
        (None, "Interview 3, ward B"),
        ("Doctor", "first line second line third line"),
        ("Patient", "answer on the next line"),
    ]


def test_label_with_no_text_is_skipped_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Doctor: hello\nPatient:\nDoctor: anyone?\n", encoding="utf-8")
    parsed = read_transcript(path)
    assert [u.text for u in parsed.utterances] == ["hello", "anyone?"]
    assert any("without any text" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    ("line", "start_ms"),
    [
        ("[00:01:23] Doctor: text", 83_000),
        ("[01:23] Doctor: text", 83_000),
        ("[0:01:23.5] Doctor: text", 83_500),
        ("(00:01:23) Doctor: text", 83_000),
        ("00:01:23 Doctor: text", 83_000),
        ("Doctor: [00:01:23] text", 83_000),
        ("Doctor [00:01:23]: text", 83_000),
        ("[01:02:03,250] Doctor: text", 3_723_250),
    ],
)
def test_timestamp_forms(tmp_path: Path, line: str, start_ms: int) -> None:
    path = tmp_path / "t.txt"
    path.write_text(f"{line}\n[02:00:00] Patient: reply\n", encoding="utf-8")
    parsed = read_transcript(path)
    first, second = parsed.utterances
    assert (first.speaker, first.start_ms, first.end_ms, first.text) == (
        "Doctor",
        start_ms,
        7_200_000,
        "text",
    )
    assert (second.start_ms, second.end_ms) == (7_200_000, None)


def test_end_time_needs_both_starts(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "[00:00:01] A: one\nB: two (no time)\n[00:00:05] A: three\n[00:00:09] B: four\n",
        encoding="utf-8",
    )
    times = [(u.start_ms, u.end_ms) for u in read_transcript(path).utterances]
    assert times == [(1000, None), (None, None), (5000, 9000), (9000, None)]


def test_timestamped_lines_without_labels(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("[00:00:01] hello\n[00:00:04] again\nmore\n", encoding="utf-8")
    parsed = read_transcript(path)
    assert [(u.speaker, u.start_ms, u.end_ms, u.text) for u in parsed.utterances] == [
        (None, 1000, 4000, "hello"),
        (None, 4000, None, "again more"),
    ]


def test_timestamp_before_a_rejected_label_keeps_the_words(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("[00:00:01] Note: we began\nthen stopped\n[00:00:09] later\n", encoding="utf-8")
    parsed = read_transcript(path)
    assert [(u.speaker, u.start_ms, u.text) for u in parsed.utterances] == [
        (None, 1000, "Note: we began then stopped"),
        (None, 9000, "later"),
    ]


def test_line_endings_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"Doctor: one\r\ntwo\r\rPatient: three\rfour\r\n")
    parsed = read_transcript(path)
    assert [(u.speaker, u.text) for u in parsed.utterances] == [
        ("Doctor", "one two"),
        ("Patient", "three four"),
    ]


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "INTERVIEW.TXT"
    path.write_text("A: x\nB: y\n", encoding="utf-8")
    assert read_transcript(path).format == "txt"
    other = tmp_path / "notes.text"
    other.write_text("A: x\nB: y\n", encoding="utf-8")
    assert read_transcript(other).speakers == ("A", "B")


# ---------------------------------------------------------------- exact text, encodings


def _multilingual_text() -> str:
    return "\n".join(f"{label}: {text}" for label, text in MULTILINGUAL) + "\n"


def _assert_multilingual(parsed: ParsedTranscript) -> None:
    got = [(u.speaker, u.text) for u in parsed.utterances]
    assert got == MULTILINGUAL
    for (_, expected), utterance in zip(MULTILINGUAL, parsed.utterances, strict=True):
        assert [ord(c) for c in utterance.text] == [ord(c) for c in expected]
    assert "\u200c" in parsed.utterances[1].text
    assert "e\u0301" in parsed.utterances[3].text
    assert not unicodedata.is_normalized("NFC", parsed.utterances[3].text)


@pytest.mark.parametrize(
    ("codec", "reported"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-be-bom", "utf-16"),
    ],
)
def test_multilingual_round_trip(tmp_path: Path, codec: str, reported: str) -> None:
    text = _multilingual_text()
    if codec == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(codec)
    path = tmp_path / "multi.txt"
    path.write_bytes(data)
    parsed = read_transcript(path)
    assert parsed.encoding == reported
    _assert_multilingual(parsed)


def test_multilingual_round_trip_docx(tmp_path: Path) -> None:
    path = _write_docx(tmp_path / "multi.docx", [f"{a}: {b}" for a, b in MULTILINGUAL])
    parsed = read_transcript(path)
    assert parsed.format == "docx"
    _assert_multilingual(parsed)


def test_docx_soft_breaks_and_continuations(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Doctor: first")
    paragraph.add_run().add_break()
    paragraph.add_run("still the doctor")
    document.add_paragraph("")
    document.add_paragraph("Patient: reply")
    document.add_paragraph("more reply")
    path = tmp_path / "t.docx"
    document.save(str(path))
    parsed = read_transcript(path)
    assert [(u.speaker, u.text) for u in parsed.utterances] == [
        ("Doctor", "first still the doctor"),
        ("Patient", "reply more reply"),
    ]


def test_multilingual_textgrid_utf16(tmp_path: Path) -> None:
    tiers = [(label, [("0", "1.5", text)]) for label, text in MULTILINGUAL]
    path = tmp_path / "multi.TextGrid"
    path.write_bytes(_textgrid(tiers).encode("utf-16"))
    parsed = read_transcript(path)
    assert parsed.encoding == "utf-16"
    _assert_multilingual(parsed)


def test_cp1256_arabic(tmp_path: Path) -> None:
    text = (
        "المريض: لا أستطيع النوم منذ أسابيع، وأشعر بالتعب طوال اليوم.\n"
        "الطبيب: متى بدأت هذه المشكلة؟ هل تتناول أي أدوية حالياً؟\n"
    ) * 3
    path = tmp_path / "arabic.txt"
    path.write_bytes(text.encode("cp1256"))
    parsed = read_transcript(path)
    assert parsed.encoding == "cp1256"
    assert parsed.speakers == ("المريض", "الطبيب")
    assert parsed.utterances[0].text == "لا أستطيع النوم منذ أسابيع، وأشعر بالتعب طوال اليوم."


LEGACY = {
    "cp1252": "Médecin: Le résultat était encourageant, et la patiente était très soulagée.\n"
    "Patiente: J'ai demandé où acheter les médicaments prescrits — c'était déjà fermé.\n",
    "cp1250": "Lekarz: Jak się pani dziś czuje? Czy boli panią brzuch?\n"
    "Pacjentka: Tak, źle spałam, mam mdłości i żołądek mnie boli od wczoraj.\n",
    "cp1254": "Doktor: Bugün nasıl hissediyorsunuz? Karnınız ağrıyor mu?\n"
    "Hasta: Evet, dün geceden beri midem bulanıyor ve başım ağrıyor, uyuyamadım.\n",
    "cp1251": "Врач: Как вы себя сегодня чувствуете? Болит ли живот?\n"
    "Пациентка: Да, я плохо спала, меня тошнит со вчерашнего дня.\n",
    "cp1255": "רופא: איך אתה מרגיש היום? האם כואבת לך הבטן?\n"
    "מטופל: כן, לא ישנתי טוב ויש לי בחילה מאתמול.\n",
}


@pytest.mark.parametrize("codec", sorted(LEGACY))
def test_legacy_code_pages_decode_without_mojibake(codec: str) -> None:
    """Short Latin texts are where detectors pick a neighbouring code page ("trčs", "¿o³¹dek")."""
    text = LEGACY[codec] * 2
    assert decode_text(text.encode(codec), "legacy.txt") == (text, codec)


def test_legacy_german_cp1252_is_reported_as_cp1252() -> None:
    text = "Ärztin: Wie geht es Ihnen? Haben Sie Schmerzen?\nPatient: Ja, mir ist übel. Größer.\n"
    assert decode_text(text.encode("cp1252"), "de.txt") == (text, "cp1252")


def test_legacy_file_gets_a_check_warning(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes((LEGACY["cp1252"] * 2).encode("cp1252"))
    parsed = read_transcript(path)
    assert parsed.encoding == "cp1252"
    assert parsed.speakers == ("Médecin", "Patiente")
    assert "cp1252" in parsed.warnings[0]


def test_decode_text_reports_boms_and_strips_them() -> None:
    assert decode_text("x\r\ny".encode("utf-8-sig"), "a") == ("x\ny", "utf-8-sig")
    no_bom = "Doctor: how are you today?\r\nPatient: not too bad, thank you.\r\n" * 3
    assert decode_text(no_bom.encode("utf-16-le"), "a")[0] == no_bom.replace("\r\n", "\n")
    assert decode_text(b"\xff\xfe" + "x".encode("utf-16-le"), "a") == ("x", "utf-16")
    assert decode_text(b"\xfe\xff" + "x".encode("utf-16-be"), "a") == ("x", "utf-16")
    assert decode_text("é".encode(), "a") == ("é", "utf-8")


# ---------------------------------------------------------------- refusals


def test_refuses_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    _refused(path, match="empty")


@pytest.mark.parametrize(
    "data", [b" \n\t\r\n  ", "  \n \u3000".encode("utf-16"), b"\xef\xbb\xbf\n"]
)
def test_refuses_whitespace_only_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(data)
    _refused(path, match="empty")


def test_refuses_binary_bytes(tmp_path: Path) -> None:
    data = random.Random(20240501).randbytes(4096) + bytes(range(256))
    assert b"\x00" in data
    path = tmp_path / "noise.txt"
    path.write_bytes(data)
    _refused(path, match="cannot tell the text encoding")
    with pytest.raises(TranscriptFormatError, match="cannot tell the text encoding"):
        decode_text(b"Doctor: hello\x00\x00\x00 there", "nul.txt")
    with pytest.raises(TranscriptFormatError, match="cannot tell"):
        decode_text(b"\x01\x02\x03\x04 abc \x05\x06\x07\x08", "controls.txt")


def test_refuses_docx_that_is_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "renamed.docx"
    path.write_text("Doctor: this is really a text file\nPatient: yes\n", encoding="utf-8")
    _refused(path, match="is not a Word .docx file")


def test_refuses_truncated_docx(tmp_path: Path) -> None:
    good = _write_docx(tmp_path / "good.docx", ["Doctor: hello", "Patient: hi"])
    path = tmp_path / "truncated.docx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _refused(path, match="is not a Word .docx file")


def test_refuses_zip_that_is_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "Doctor: hi")
    _refused(path, match="is not a Word .docx file")


def test_refuses_zip_with_too_many_members(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(2_001):
            archive.writestr(f"m{i}.xml", "")
    _refused(path, match="far too large")


def test_refuses_old_doc(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    _refused(path, match=r"old Word \.doc")


def test_refuses_textgrid_with_overlapping_intervals_in_one_tier(tmp_path: Path) -> None:
    text = _textgrid([("Doctor", [("0", "2.5", "one"), ("2.0", "3", "two")])])
    path = tmp_path / "overlap.TextGrid"
    path.write_text(text, encoding="utf-8")
    message = _refused(path, match="overlap")
    assert "Doctor" in message and "2.0" in message


def test_textgrid_boundaries_touching_within_a_millisecond_are_fine(tmp_path: Path) -> None:
    text = _textgrid([("Doctor", [("0", "2.5", "one"), ("2.4995", "3", "two")])])
    path = tmp_path / "touch.TextGrid"
    path.write_text(text, encoding="utf-8")
    assert [u.text for u in read_transcript(path).utterances] == ["one", "two"]


def test_refuses_textgrid_interval_ending_before_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "backwards.TextGrid"
    path.write_text(_textgrid([("Doctor", [("2", "1", "one")])]), encoding="utf-8")
    _refused(path, match="ends .* before it starts")


def test_refuses_truncated_textgrid(tmp_path: Path) -> None:
    text = _textgrid([("Doctor", [("0", "1", "one"), ("1", "2", "two")])])
    path = tmp_path / "cut.TextGrid"
    path.write_text(text[: text.index("intervals [2]")], encoding="utf-8")
    _refused(path, match="ends early")


def test_refuses_binary_praat(tmp_path: Path) -> None:
    path = tmp_path / "bin.TextGrid"
    path.write_bytes(b"ooBinaryFile\x08TextGrid" + bytes(40))
    _refused(path, match="binary Praat file")


def test_separate_textgrids_may_overlap_in_time(tmp_path: Path) -> None:
    a = tmp_path / "a.TextGrid"
    b = tmp_path / "b.TextGrid"
    a.write_text(_textgrid([("Doctor", [("0", "3", "long question"), ("5", "6", "ok")])]))
    b.write_text(_textgrid([("Patient", [("2", "4", "interrupting"), ("5", "5.5", "same")])]))
    parsed = read_transcripts([a, b])
    assert [(u.speaker, u.start_ms, u.end_ms) for u in parsed.utterances] == [
        ("Doctor", 0, 3000),
        ("Patient", 2000, 4000),
        ("Doctor", 5000, 6000),  # tie at 5 s: the first file's utterance first
        ("Patient", 5000, 5500),
    ]


def test_refuses_srt_with_broken_timestamp(tmp_path: Path) -> None:
    path = tmp_path / "broken.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:0X,500\nDoctor: hello\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nPatient: hi\n",
        encoding="utf-8",
    )
    message = _refused(path, match="cannot read the times")
    assert "line 2" in message


def test_refuses_vtt_with_broken_timing(tmp_path: Path) -> None:
    path = tmp_path / "broken.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:xx.000\nhello\n", encoding="utf-8")
    _refused(path, match="cannot read the times")
    path.write_text("NOT A VTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n", encoding="utf-8")
    _refused(path, match="WEBVTT")


def test_refuses_unknown_extension_with_prose(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("Doctor: hello\nPatient: hi\n", encoding="utf-8")
    _refused(path, match="not a transcript format")


def test_refuses_missing_file(tmp_path: Path) -> None:
    _refused(tmp_path / "nowhere.txt", match="cannot open")


def test_file_name_with_newline_still_gives_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad\nname.txt"
    path.write_bytes(b"")
    with pytest.raises(TranscriptFormatError) as info:
        read_transcript(path)
    assert "\n" not in str(info.value) and "bad name.txt" in str(info.value)


# ---------------------------------------------------------------- merging


def test_merge_refuses_files_without_times(tmp_path: Path) -> None:
    timed = tmp_path / "a.TextGrid"
    timed.write_text(_textgrid([("Doctor", [("0", "1", "hello")])]), encoding="utf-8")
    untimed = tmp_path / "b.txt"
    untimed.write_text("Patient: hi\nPatient: again\n", encoding="utf-8")
    with pytest.raises(TranscriptFormatError) as info:
        read_transcripts([timed, untimed])
    assert "b.txt" in str(info.value) and "\n" not in str(info.value)


def test_merge_reports_differing_encodings_and_prefixes_warnings(tmp_path: Path) -> None:
    a = tmp_path / "doctor.TextGrid"
    b = tmp_path / "patient.srt"
    a.write_bytes(_textgrid([("Doctor", [("0", "1", "hello")])]).encode("utf-16"))
    b.write_text(
        "1\n00:00:00,500 --> 00:00:02,000\nhi\n\n2\n00:00:03,000 --> 00:00:04,000\n<i></i>\n",
        encoding="utf-8",
    )
    parsed = read_transcripts([a, b])
    assert parsed.format == "merged"
    assert parsed.encoding == "utf-16, utf-8"
    assert [(u.speaker, u.text) for u in parsed.utterances] == [
        ("Doctor", "hello"),
        ("Patient", "hi"),  # unnamed channel: named after the file
    ]
    assert any(w.startswith("patient.srt: ") for w in parsed.warnings)


def test_merge_of_one_file_is_that_file() -> None:
    path = PRIMOCK / "day1_consultation01_doctor.TextGrid"
    assert read_transcripts([path]) == read_transcript(path)


def test_merge_refuses_the_same_file_twice() -> None:
    path = PRIMOCK / "day1_consultation01_doctor.TextGrid"
    with pytest.raises(TranscriptFormatError, match="chosen twice"):
        read_transcripts([path, path])


# ---------------------------------------------------------------- TextGrid details


def test_textgrid_short_format_escapes_and_multiline(tmp_path: Path) -> None:
    tiers = [
        ("Doctor", [("0", "1.0005", 'He said "no" twice'), ("1.0005", "2", "  ")]),
        ("Patient", [("0.5", "1.5", "line one\nline two")]),
    ]
    for short in (False, True):
        path = tmp_path / f"t{short}.TextGrid"
        text = _textgrid(tiers, short=short)  # the helper writes " as Praat's ""
        assert '""no""' in text
        path.write_text(text, encoding="utf-8")
        parsed = read_transcript(path)
        assert [(u.speaker, u.start_ms, u.end_ms, u.text) for u in parsed.utterances] == [
            ("Doctor", 0, 1001, 'He said "no" twice'),  # 1.0005 s rounds half up
            ("Patient", 500, 1500, "line one\nline two"),
        ]


def test_textgrid_point_tier_is_ignored_with_warning(tmp_path: Path) -> None:
    text = (
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n2\n<exists>\n2\n'
        '"TextTier"\n"events"\n0\n2\n1\n1.5\n"cough"\n'
        '"IntervalTier"\n"Doctor"\n0\n2\n1\n0\n2\n"hello"\n'
    )
    path = tmp_path / "points.TextGrid"
    path.write_text(text, encoding="utf-8")
    parsed = read_transcript(path)
    assert [u.text for u in parsed.utterances] == ["hello"]
    assert any("point tier" in w and "events" in w for w in parsed.warnings)


def test_textgrid_tiers_of_one_file_merge_by_time(tmp_path: Path) -> None:
    text = _textgrid(
        [("A", [("0", "1", "a1"), ("4", "5", "a2")]), ("B", [("2", "3", "b1"), ("4", "4.5", "b2")])]
    )
    path = tmp_path / "two.TextGrid"
    path.write_text(text, encoding="utf-8")
    assert [u.text for u in read_transcript(path).utterances] == ["a1", "b1", "a2", "b2"]


# ---------------------------------------------------------------- SRT and WebVTT


def test_srt_cues_labels_and_tags(tmp_path: Path) -> None:
    path = tmp_path / "talk.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,500\nDoctor: <i>hello</i>\nthere\n\n"
        "2\n00:00:03,000 --> 00:00:04,250\nPatient: hi <UNSURE>doc</UNSURE>\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nDoctor: bye\n",
        encoding="utf-8",
    )
    parsed = read_transcript(path)
    assert parsed.format == "srt"
    assert [(u.speaker, u.start_ms, u.end_ms, u.text) for u in parsed.utterances] == [
        ("Doctor", 1000, 2500, "hello there"),
        ("Patient", 3000, 4250, "hi <UNSURE>doc</UNSURE>"),
        ("Doctor", 5000, 6000, "bye"),
    ]


def test_srt_lone_label_is_not_a_speaker(tmp_path: Path) -> None:
    path = tmp_path / "talk.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nNote: hello\n\n2\n00:00:03,000 --> 00:00:04,000\nok\n",
        encoding="utf-8",
    )
    parsed = read_transcript(path)
    assert [(u.speaker, u.text) for u in parsed.utterances] == [(None, "Note: hello"), (None, "ok")]


def test_vtt_voices_tags_and_entities(tmp_path: Path) -> None:
    path = tmp_path / "talk.vtt"
    path.write_text(
        "WEBVTT\n\nNOTE made by hand\n\n"
        "1\n00:00:01.000 --> 00:00:02.500 align:start\n<v Dr. Amal>Hello <i>there</i></v>\n\n"
        "00:00:03.000 --> 00:00:04.000\n<v.loud Patient>fish &amp; chips <c.yellow>now</c>\n"
        "second line\n\n"
        "01:00:05.000 --> 01:00:06.000\n<v Dr. Amal><00:00:05.500>ok</v>\n",
        encoding="utf-8",
    )
    parsed = read_transcript(path)
    assert parsed.format == "vtt"
    assert [(u.speaker, u.start_ms, u.end_ms, u.text) for u in parsed.utterances] == [
        ("Dr. Amal", 1000, 2500, "Hello there"),
        ("Patient", 3000, 4000, "fish & chips now second line"),
        ("Dr. Amal", 3_605_000, 3_606_000, "ok"),
    ]


def test_vtt_leading_labels(tmp_path: Path) -> None:
    path = tmp_path / "talk.vtt"
    path.write_text(
        "WEBVTT\n\n00:01.000 --> 00:02.000\nI: question\n\n00:03.000 --> 00:04.000\nR: answer\n",
        encoding="utf-8",
    )
    parsed = read_transcript(path)
    assert [(u.speaker, u.text) for u in parsed.utterances] == [("I", "question"), ("R", "answer")]


@pytest.mark.parametrize(
    ("content", "fmt"),
    [
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n", "vtt"),
        ("1\n00:00:01,000 --> 00:00:02,000\nhello\n", "srt"),
        (_textgrid([("Doctor", [("0", "1", "hello")])]), "textgrid"),
    ],
)
@pytest.mark.parametrize("file_name", ["export.dat", "saved-as.txt"])
def test_unknown_extension_is_sniffed(
    tmp_path: Path, content: str, fmt: str, file_name: str
) -> None:
    path = tmp_path / file_name
    path.write_text(content, encoding="utf-8")
    parsed = read_transcript(path)
    assert parsed.format == fmt
    assert parsed.utterances[0].text == "hello"
    assert parsed.utterances[0].start_ms in (0, 1000)


# ---------------------------------------------------------------- speed


def test_ten_thousand_utterances_parse_quickly(tmp_path: Path) -> None:
    speakers = ["Interviewer", "Participant 1", "Participant 2"]
    lines = [
        f"[{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}] {speakers[i % 3]}: utterance {i} "
        "with some words, an <UNSURE>unsure</UNSURE> bit and so on."
        for i in range(10_000)
    ]
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 250_000
    # The CPU time of this process, not the wall time: a machine busy with other work does not
    # slow the parse it measures (about 0.1 s; a parse that went quadratic takes far longer).
    started = time.process_time()
    parsed = read_transcript(path)
    elapsed = time.process_time() - started
    assert len(parsed.utterances) == 10_000
    assert parsed.speakers == tuple(speakers)
    assert parsed.utterances[-1].start_ms == 9_999_000
    assert elapsed < 2.0, f"took {elapsed:.2f} s of CPU time"


def test_an_explicitly_mapped_label_is_a_label_even_on_a_single_line(tmp_path: Path) -> None:
    from workbench.coding.study import add_interview, add_participant, new_study
    from workbench.coding.transcripts import utterances
    from workbench.exchange.transcript_import import import_transcript_files

    path = tmp_path / "one.txt"
    path.write_text("Patient: I am here.\n", encoding="utf-8")
    # Without a mapping, a lone label is prose (it stays in the text).
    assert [u.text for u in read_transcript(path).utterances] == ["Patient: I am here."]
    with new_study(tmp_path / "s.dyad", title="One line") as p:
        add_participant(p, "P1", "patient")
        add_interview(p, "I1", wave="baseline", participants=[("P1", None)])
        import_transcript_files(p, "I1", [path], speakers={"Patient": "P1"})
        assert [(u.speaker, u.text) for u in utterances(p, "I1")] == [("P1", "I am here.")]


def test_damaged_utf8_is_refused_with_its_byte_offset_unless_an_encoding_is_given(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.txt"
    data = "Doctor: café ça va? Patient: АБю, été.\n".encode() + b"Doctor: caf\xe9 \xff ok.\n"
    path.write_bytes(data)
    offset = data.index(b"\xe9")
    with pytest.raises(TranscriptFormatError, match=f"not valid UTF-8 at byte {offset}"):
        read_transcript(path)
    assert path.read_bytes() == data
    with pytest.raises(TranscriptFormatError, match="not valid utf-8 at byte"):
        read_transcript(path, encoding="utf-8")
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Doctor: café.\nPatient: ça va.\n".encode("latin-1"))
    assert read_transcript(legacy, encoding="latin-1").utterances[0].text == "café."


def test_a_docx_declaring_entities_is_refused_by_the_one_xml_guard(tmp_path: Path) -> None:
    good = tmp_path / "good.docx"
    document = docx.Document()
    document.add_paragraph("Doctor: Hello.")
    document.save(str(good))
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(bomb, "w") as out:
        for item in z.infolist():
            data = z.read(item)
            if item.filename == "word/document.xml":
                head, _, rest = data.partition(b"?>")
                data = head + b'?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]>' + rest
            out.writestr(item, data)
    with pytest.raises(TranscriptFormatError, match="refused as unsafe"):
        read_transcript(bomb)
    assert read_transcript(good).utterances[0].text == "Doctor: Hello."  # a lone label is prose
