"""SubRip (.srt) and WebVTT (.vtt) files: one utterance per cue, with its times."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import srt
import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from workbench.domain.transcript import UtteranceDraft
from workbench.exchange._transcripts.common import fail, timedelta_to_ms
from workbench.exchange._transcripts.labels import LineHead, accepted_labels, read_line_head

_SRT_TIME = r"\d+:\d{1,2}:\d{1,2}(?:[,.]\d{1,3})?"
# srt.parse reads "00:00:0X,500" as 00:00:00 plus "proprietary" junk; we refuse such lines.
_SRT_TIMING_RE = re.compile(rf"\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s.*)?$")
_VTT_TIME = r"(?:\d+:)?\d{1,2}:\d{1,2}\.\d{1,3}"
_VTT_TIMING_RE = re.compile(rf"\s*{_VTT_TIME}\s*-->\s*{_VTT_TIME}(?:\s.*)?$")

# Only the formatting tags these formats define are removed, so a researcher's own
# <UNSURE>-style markup in the cue text survives.
_VTT_TAG_RE = re.compile(r"</?(?:c|i|b|u|v|lang|ruby|rt)(?:[.\s][^<>]*)?>|<\d[\d:.]*>")
_VTT_VOICE_RE = re.compile(r"<v(?:\.[^\s<>]+)*\s+([^<>]+)>")
_SRT_TAG_RE = re.compile(r"</?(?:i|b|u|s|font)(?:\s[^<>]*)?>|\{\\[^{}]*\}")


@dataclass(frozen=True, slots=True)
class _Cue:
    start_ms: int
    end_ms: int
    voice: str | None
    text: str


def parse_srt(text: str, name: str) -> tuple[list[UtteranceDraft], list[str]]:
    """Utterances from SubRip text; raises TranscriptFormatError when malformed."""
    _check_timing_lines(text, _SRT_TIMING_RE, name)
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as e:
        line = text.count("\n", 0, e.expected_start) + 1
        raise fail(
            name, f"is not a valid SRT subtitle file (unreadable text at line {line})"
        ) from None
    cues = []
    for sub in subtitles:
        start, end = timedelta_to_ms(sub.start), timedelta_to_ms(sub.end)
        if end < start:
            raise fail(name, f"subtitle {sub.index} ends before it starts")
        cues.append(_Cue(start, end, None, _join_lines(_SRT_TAG_RE.sub("", sub.content))))
    return _cues_to_utterances(cues, name, "SRT subtitles")


def parse_vtt(text: str, name: str) -> tuple[list[UtteranceDraft], list[str]]:
    """Utterances from WebVTT text; a ``<v Name>`` voice tag or a label names the speaker."""
    _check_timing_lines(text, _VTT_TIMING_RE, name)
    try:
        captions = webvtt.from_string(text).captions
    except MalformedFileError:
        raise fail(name, 'is not a WebVTT file (it must start with "WEBVTT")') from None
    except MalformedCaptionError:
        raise fail(name, "is not a valid WebVTT file (a cue cannot be read)") from None
    # The lenient parser skips cue blocks it cannot read; a skipped cue is lost text, so count.
    arrows = sum(1 for line in text.split("\n") if "-->" in line)
    if len(captions) != arrows:
        raise fail(name, "is not a valid WebVTT file (some cues cannot be read)")
    cues = []
    for caption in captions:
        start = caption.start_time.in_milliseconds()
        end = caption.end_time.in_milliseconds()
        if end < start:
            raise fail(name, f"the cue at {caption.start} ends before it starts")
        raw = caption.raw_text
        voice = _VTT_VOICE_RE.search(raw)
        cue_text = html.unescape(_VTT_TAG_RE.sub("", raw))
        speaker = voice.group(1).strip() if voice else None
        cues.append(_Cue(start, end, speaker or None, _join_lines(cue_text)))
    return _cues_to_utterances(cues, name, "WebVTT cues")


def _check_timing_lines(text: str, pattern: re.Pattern[str], name: str) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        if "-->" in line and pattern.match(line) is None:
            shown = line.strip()[:60]
            raise fail(name, f"line {number}: cannot read the times in “{shown}”")


def _join_lines(text: str) -> str:
    return " ".join(part for line in text.split("\n") if (part := line.strip()))


def _cues_to_utterances(
    cues: list[_Cue], name: str, what: str
) -> tuple[list[UtteranceDraft], list[str]]:
    if not cues:
        raise fail(name, f"contains no {what}")
    heads: list[LineHead | None] = [
        read_line_head(c.text) if c.voice is None and c.text else None for c in cues
    ]
    labels = accepted_labels(h for h in heads if h is not None)
    out: list[UtteranceDraft] = []
    empty = 0
    for cue, head in zip(cues, heads, strict=True):
        speaker, text = cue.voice, cue.text
        if head is not None and head.label in labels:
            speaker, text = head.label, head.rest
        if not text:
            empty += 1
            continue
        out.append(UtteranceDraft(speaker, cue.start_ms, cue.end_ms, text))
    warnings = [f"{empty} cue(s) without text were skipped"] if empty else []
    return out, warnings
