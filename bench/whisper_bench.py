"""Transcription throughput on the real Whisper base model: batched vs one by one, and ours vs a
plain faster-whisper script.

    .venv/bin/python -m bench.whisper_bench [--segments 24] [--batch-size 8] [--repeats 2]
        [--device auto] [--compute-type default] [--model DIR] [--json FILE]

The bench speaks ``--segments`` short sentences with espeak-ng (4 to 7 random words, 1.5-3 s
each, fixed seed), then times, on the same audio and in the same run:

- ``ours, one by one``: :class:`FasterWhisperTranscriber`, one ``transcribe`` call per segment;
- ``ours, packed``: the same transcriber, every segment in one call, short segments sharing
  windows (the default; ``--batch-size`` windows per forward pass);
- ``ours, own windows``: every segment in one call, each in a window of its own (packing off);
- ``plain, packed``: a plain faster-whisper script: the files laid end to end with a second of
  silence between, through ``BatchedInferencePipeline`` with its voice detection (which packs
  the speech into windows of up to 30 s), words split back to their files by time;
- ``plain, own windows``: the same, one window per file (``clip_timestamps``), no detection;
- ``plain, per file``: ``BatchedInferencePipeline.transcribe(file)`` once per file, which is
  what faster-whisper does with many short files out of the box.

All use the same model folder, device, compute type, batch size, beam size and word timestamps.
Models are loaded and warmed up before the clocks start. Each measurement is the fastest of
``--repeats`` runs, the runs taking turns (the machine may be shared). The real-time factor is
processing time over audio time (below 1: faster than real time); the word error rate compares
each segment's text with the words espeak-ng spoke.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from clipnet.adapters.whisper_local import (
    PACK_GAP_SECONDS,
    SAMPLE_RATE,
    FasterWhisperTranscriber,
    WhisperOptions,
)
from clipnet.adapters.whisper_model import packaged_base_model
from clipnet.domain.highlights.transcripts import Transcript

PHRASES = (
    "the quick brown fox jumps over lazy dog",
    "seven green apples sit on the kitchen table",
    "please call me tomorrow morning",
    "we won the final round that was an amazing shot",
    "look at this play nobody saw it coming",
    "red balloon quiet library purple elephant good evening everyone",
)
Timed = tuple[float, list[str]]
"""Seconds and the texts transcribed."""

WORDS = tuple(word for phrase in PHRASES for word in phrase.split())


def speak_segments(folder: Path, count: int, seed: int = 7) -> tuple[list[Path], list[str]]:
    """``count`` WAV files of 4 to 7 random words spoken by espeak-ng, and what each says."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("the bench needs espeak-ng (apt-get install espeak-ng)")
    rng = random.Random(seed)
    paths, spoken = [], []
    for index in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 7)))
        path = folder / f"segment-{index:03d}.wav"
        subprocess.run(["espeak-ng", "-s", "160", "-w", str(path), text], check=True)
        paths.append(path)
        spoken.append(text)
    return paths, spoken


def word_error_rate(heard: Sequence[str], spoken: Sequence[str]) -> float:
    """Word edits (substitutions, insertions, deletions) over the words spoken, all segments."""
    edits = 0
    for said, truth in zip(heard, spoken, strict=True):
        a, b = _normal(said).split(), truth.split()
        row = list(range(len(b) + 1))
        for i, word in enumerate(a, 1):
            previous, row[0] = row[0], i
            for j, expected in enumerate(b, 1):
                previous, row[j] = (
                    row[j],
                    min(row[j] + 1, row[j - 1] + 1, previous + (word != expected)),
                )
        edits += row[-1]
    return edits / sum(len(t.split()) for t in spoken)


def seconds_of(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return float(audio.getnframes() / audio.getframerate())


def fastest(repeats: int, runs: dict[str, Callable[[], list[str]]]) -> dict[str, Timed]:
    """Each run's fastest of ``repeats`` tries, the runs taking turns (so that a change in the
    machine's load falls on all of them), and the texts of its last try."""
    best: dict[str, Timed] = {}
    for _ in range(repeats):
        for name, work in runs.items():
            started = time.perf_counter()
            texts = work()
            spent = time.perf_counter() - started
            if name not in best or spent < best[name][0]:
                best[name] = (spent, texts)
    return best


class Ours:
    def __init__(self, model: str, options: WhisperOptions) -> None:
        self.transcriber = FasterWhisperTranscriber(model, options)
        self.unpacked = FasterWhisperTranscriber(model, attrs.evolve(options, pack=False))

    def packed(self, paths: Sequence[Path]) -> list[str]:
        return [_text(r) for r in self.transcriber.transcribe([str(p) for p in paths])]

    def own_windows(self, paths: Sequence[Path]) -> list[str]:
        return [_text(r) for r in self.unpacked.transcribe([str(p) for p in paths])]

    def one_by_one(self, paths: Sequence[Path]) -> list[str]:
        return [_text(self.transcriber.transcribe([str(p)])[0]) for p in paths]


class Plain:
    """faster-whisper alone, configured like ours."""

    def __init__(self, model: str, device: str, compute_type: str, options: WhisperOptions):
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        whisper = WhisperModel(
            model, device=device, compute_type=compute_type, cpu_threads=options.cpu_threads
        )
        self.pipeline = BatchedInferencePipeline(whisper)
        self.options = options

    def _run(
        self, audio: Any, clips: list[dict[str, float]] | None, vad: bool = False
    ) -> list[Any]:
        segments, _info = self.pipeline.transcribe(
            audio,
            language=self.options.language,
            batch_size=self.options.batch_size,
            beam_size=self.options.beam_size,
            word_timestamps=True,
            clip_timestamps=clips,
            vad_filter=vad,
        )
        return list(segments)

    def packed(self, paths: Sequence[Path]) -> list[str]:
        import numpy as np
        from faster_whisper.audio import decode_audio

        gap = np.zeros(int(PACK_GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
        pieces = [decode_audio(str(p), sampling_rate=SAMPLE_RATE) for p in paths]
        joined = np.concatenate([part for piece in pieces for part in (piece, gap)])
        starts = np.cumsum([0, *(len(p) + len(gap) for p in pieces)]) / SAMPLE_RATE
        texts = [""] * len(pieces)
        for segment in self._run(joined, None, vad=True):
            for word in segment.words or ():
                middle = (word.start + word.end) / 2
                index = max(0, int(np.searchsorted(starts, middle, side="right")) - 1)
                texts[min(index, len(texts) - 1)] += word.word
        return [text.strip() for text in texts]

    def own_windows(self, paths: Sequence[Path]) -> list[str]:
        import numpy as np
        from faster_whisper.audio import decode_audio

        pieces = [decode_audio(str(p), sampling_rate=SAMPLE_RATE) for p in paths]
        starts = np.cumsum([0, *(len(p) for p in pieces)]) / SAMPLE_RATE
        clips = [{"start": starts[i], "end": starts[i + 1]} for i in range(len(pieces))]
        texts = [""] * len(pieces)
        for segment in self._run(np.concatenate(pieces), clips, vad=False):
            index = max(0, int(np.searchsorted(starts, segment.start + 0.05, side="right")) - 1)
            texts[index] = (texts[index] + segment.text).strip()
        return texts

    def per_file(self, paths: Sequence[Path]) -> list[str]:
        return ["".join(s.text for s in self._run(str(p), None, vad=True)).strip() for p in paths]


def _text(result: object) -> str:
    return result.text if isinstance(result, Transcript) else f"<failed: {result}>"


def _normal(text: str) -> str:
    return " ".join(w.strip(".,!?").lower() for w in text.split())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--compute-type", default="default", help="default: int8 CPU, fp16 GPU")
    parser.add_argument("--language", default=None, help="e.g. en; default: detect")
    parser.add_argument("--model", default="", help="model folder; default: the packaged base")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    model = args.model or str(packaged_base_model())
    options = WhisperOptions(
        device=args.device,
        compute_type=args.compute_type,
        batch_size=args.batch_size,
        language=args.language,
    )
    ours = Ours(model, options)
    device = ours.transcriber.device
    compute = args.compute_type
    if compute == "default":
        compute = "int8" if device == "cpu" else "float16"
    plain = Plain(model, device, compute, options)

    with tempfile.TemporaryDirectory(prefix="whisper-bench-") as tmp:
        paths, spoken = speak_segments(Path(tmp), args.segments)
        audio = sum(seconds_of(p) for p in paths)
        ours.one_by_one(paths[:1])  # load and warm up the models
        ours.own_windows(paths[:1])
        plain.per_file(paths[:1])
        runs = {
            "ours, one by one": lambda: ours.one_by_one(paths),
            "ours, packed": lambda: ours.packed(paths),
            "ours, own windows": lambda: ours.own_windows(paths),
            "plain, packed": lambda: plain.packed(paths),
            "plain, own windows": lambda: plain.own_windows(paths),
            "plain, per file": lambda: plain.per_file(paths),
        }
        timed = fastest(args.repeats, runs)

    seconds = {name: t for name, (t, _texts) in timed.items()}
    texts = {name: [_normal(t) for t in texts] for name, (_t, texts) in timed.items()}
    reference = texts["ours, one by one"]
    figures = {
        "device": device,
        "compute_type": compute,
        "batch_size": args.batch_size,
        "segments": args.segments,
        "audio_seconds": round(audio, 2),
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "real_time_factor": {k: round(v / audio, 4) for k, v in seconds.items()},
        "same_texts_as_ours_one_by_one": {
            k: sum(a == b for a, b in zip(v, reference, strict=True)) for k, v in texts.items()
        },
        "word_error_rate": {k: round(word_error_rate(v, spoken), 3) for k, v in texts.items()},
        "batching_speedup": _ratio(seconds, "ours, one by one", "ours, packed"),
        "batching_speedup_own_windows": _ratio(seconds, "ours, one by one", "ours, own windows"),
        "ours_vs_plain_packed": _ratio(seconds, "ours, packed", "plain, packed", 3),
        "ours_vs_plain_own_windows": _ratio(seconds, "ours, own windows", "plain, own windows", 3),
        "plain_per_file_vs_ours_packed": _ratio(seconds, "plain, per file", "ours, packed"),
    }
    _report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


def _ratio(seconds: dict[str, float], slower: str, faster: str, digits: int = 2) -> float:
    return round(seconds[slower] / seconds[faster], digits)


def _report(figures: dict[str, Any]) -> None:
    print(
        f"Whisper base, {figures['device']} {figures['compute_type']}, batch size "
        f"{figures['batch_size']}: {figures['segments']} segments, "
        f"{figures['audio_seconds']} s of speech"
    )
    same = figures["same_texts_as_ours_one_by_one"]
    for name, spent in figures["seconds"].items():
        rtf = figures["real_time_factor"][name]
        print(
            f"  {name:<18} {spent:8.2f} s   RTF {rtf:.4f} ({1 / rtf:6.1f}x real time)   "
            f"WER {figures['word_error_rate'][name]:.3f}   "
            f"same text as one by one: {same[name]}/{figures['segments']}"
        )
    print(f"  batching speed-up, packed (one by one / packed): {figures['batching_speedup']}x")
    print(f"  batching speed-up, own windows: {figures['batching_speedup_own_windows']}x")
    print(f"  ours / plain, packed: {figures['ours_vs_plain_packed']}x")
    print(f"  ours / plain, own windows: {figures['ours_vs_plain_own_windows']}x")
    print(f"  plain per file / ours packed: {figures['plain_per_file_vs_ours_packed']}x")


if __name__ == "__main__":
    main(sys.argv[1:])
