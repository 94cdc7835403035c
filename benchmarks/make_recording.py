"""Build a long English recording from the shared clips, with its reference transcript.

    python benchmarks/make_recording.py OUT.flac [--minutes 5] [--clips DIR]
    python benchmarks/make_recording.py OUT.flac --hours 4 --sparse   (memory: a clip every 5 min)

Clips follow each other like turns (0.8 s apart, a 2.5 s pause after every round), written a
second at a time, so even a 4-hour file is made in little memory. The reference (the clips'
known sentences in order) is written beside it as OUT.txt.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.transcribe.long_audio import write_recording  # noqa: E402
from workbench.transcribe.audio import SAMPLE_RATE, decode  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "audio"
CLIPS = {
    "jfk.flac": "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country.",
    "ds_LDC93S1.wav": "She had your dark suit in greasy wash water all year.",
    "sr_english_one_two_three.wav": "one two three",
    "fw_stereo_left.wav": "He began a confused complaint against the wizard, who had vanished "
    "behind the curtain on the left.",
    "fw_stereo_right.wav": "The horizon seems extremely distant.",
}


def build(out: Path, *, seconds: float, clips: Path, sparse: bool = False) -> tuple[str, float]:
    folder = clips if (clips / "fw_stereo_left.wav").exists() else ROOT / "tests/data/audio"
    names = [n for n in CLIPS if (folder / n).exists()]
    lengths = {n: len(decode(folder / n)) / SAMPLE_RATE for n in names}
    placed: list[tuple[Path, float]] = []
    words: list[str] = []
    at = 1.0
    while True:
        for name in names:
            if at + lengths[name] > seconds - 1:
                break
            placed.append((folder / name, at))
            words.append(CLIPS[name])
            at += lengths[name] + 0.8
        else:
            at += 1.7 if not sparse else 300 - sum(lengths.values()) - 0.8 * len(names)
            continue
        break
    write_recording(out, None, [], seconds, clips=placed)
    reference = " ".join(words)
    out.with_suffix(".txt").write_text(reference, encoding="utf-8")
    return reference, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--hours", type=float)
    parser.add_argument("--sparse", action="store_true", help="one round of clips every 5 min")
    parser.add_argument("--clips", type=Path, default=SHARED)
    args = parser.parse_args()
    seconds = args.hours * 3600 if args.hours else args.minutes * 60
    reference, length = build(args.out, seconds=seconds, clips=args.clips, sparse=args.sparse)
    print(f"{args.out}: {length / 60:.1f} min, {len(reference.split())} reference words")


if __name__ == "__main__":
    main()
