"""How well ClipNET picks highlights, on labelled recordings, with each feature switched off.

    .venv/bin/python -m bench.highlight_eval [--set small|full] [--labels CSV] [--seed 1]
                                             [--workdir DIR] [--picker timeline|command]
                                             [--analysis full|two-stage|auto] [--json]

Without ``--labels`` a seeded set of generated recordings is made (:mod:`bench.highlight_vods`:
``small`` 3, ``full`` 12; kept in ``--workdir`` between runs) with true highlights (action
with shouting, a laughing fit, a chat spike over a quiet moment, a clutch play without speech)
and decoys (loud music, a static loud screen, steady talk, a loud ad break). ``--labels``
scores any labelled set instead: a CSV with ``source,start,end`` rows (extra columns ignored;
sources relative to the CSV's folder; a recording's chat replay, when it has one, lies next to
it as ``NAME.chat.csv``).

Figures, per picker run (:mod:`bench.highlight_metrics`): **hit@1** (the best clip overlaps a
labelled highlight), **recall@3** (share of the labels overlapped by one of the top 3),
**mean IoU** of the best clip with its best label, and the **false-clip rate** (share of
returned clips overlapping no label). The ablation table repeats the run with each weighted
feature of the default template's weights switched off in turn (a weight of 0), iterating
over the weights' names, so a feature added to them appears in the table by itself. When
the labels have a ``kind`` column (and, for a generated set, its decoys.csv), a second table
counts, per kind, the moments one of the top 3 clips overlaps: which highlights are found and
which decoys fool the picker.

Pickers:

* ``timeline`` (default): the real analysis pass (``FfmpegMediaProcessor.analyze``, the one
  ``clipnet clip`` runs; its timeline cached in the work folder) and the domain's
  ``find_highlights``, in process, with the weights of the row and the clip lengths and score
  floor of the settings (``CLIPNET_MIN_CLIP_SECONDS`` and so on). ``clipnet clip`` picks its
  spans with exactly these two, then renders them; the command has no option for weights,
  so the ablation can only run here. ``--analysis`` picks the analysis mode (else
  ``CLIPNET_ANALYSIS``'s); each mode's timelines are cached apart.
* ``command``: the real ``clipnet clip SRC --out DIR --top 3`` (plus ``--chat FILE`` when the
  command has that option and the recording a chat replay), spans and order from its
  clips.json; the "all features" row only. Measured on one 190 s, 320x180 recording of the
  small set, on the 2-core development machine while other runs shared it: 226 s wall (57 s
  CPU: three clips rendered at 1080x1920 and transcribed), against about 4 s for analysis and
  picking in process; it picked the same three spans (to 0.1 s) as the in-process picker, and
  over the small set (6 min 16 s wall, 2 min CPU) gave the same four figures.

A recording's chat replay (``NAME.chat.csv`` beside it) reaches both pickers: ``command``
passes it as ``--chat FILE``; ``timeline`` reads it with the same reader and tally and applies
the same delay (``CLIPNET_CHAT_DELAY``) as ``clipnet clip --chat``, so ``chat`` has its own
ablation row.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from bench.highlight_metrics import Scores, score_set
from bench.highlight_vods import SETS, chat_file, make_set
from clipnet.adapters.chat_replay import ChatReplayFiles
from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.ffmpeg.two_stage import MODES
from clipnet.adapters.sqlalchemy.rows import timeline_from_json, timeline_to_json
from clipnet.container.core import default_clip_bounds
from clipnet.domain.highlights.candidates import find_highlights
from clipnet.domain.highlights.chat import ChatTally
from clipnet.domain.highlights.chat_timeline import with_chat
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.scoring import DEFAULT_WEIGHTS, Weights
from clipnet.domain.highlights.selection import ScoreFloor
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.media import MediaError
from clipnet.settings import load_settings

TOP = 3
"""Clips asked for per recording (recall@3 looks at all of them)."""
ALL_FEATURES = "all features"

Labels = Mapping[Path, Sequence[TimeSpan]]
"""Recording -> its labelled highlights."""
Picker = Callable[[Path, Weights], list[TimeSpan]]
"""A recording and the weights -> the clips picked, best first."""


class BenchError(SystemExit):
    """A one-line reason the bench cannot run (bad labels, a missing file)."""


# -- labels --------------------------------------------------------------------------------------


@attrs.frozen
class Moment:
    """One labelled row: where, and its kind (the ``kind`` column, "" without one)."""

    source: Path
    span: TimeSpan
    kind: str = ""


def read_moments(path: Path) -> list[Moment]:
    """The rows of a ``source,start,end[,kind]`` CSV (other columns ignored)."""
    if not path.is_file():
        raise BenchError(f"{path}: no such labels file")
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        missing = {"source", "start", "end"} - set(reader.fieldnames or ())
        if missing:
            raise BenchError(f"{path}: no {', '.join(sorted(missing))} column")
        moments = [
            Moment(
                (path.parent / row["source"]).resolve(),
                _span(path, line, row),
                row.get("kind") or "",
            )
            for line, row in enumerate(reader, start=2)
        ]
    for source in {m.source for m in moments}:
        if not source.is_file():
            raise BenchError(f"{path}: source {source} does not exist")
    return moments


def read_labels(path: Path) -> dict[Path, list[TimeSpan]]:
    """``source,start,end`` rows (extra columns ignored) -> recording -> labelled spans."""
    labels: dict[Path, list[TimeSpan]] = {}
    for moment in read_moments(path):
        labels.setdefault(moment.source, []).append(moment.span)
    return labels


def _span(path: Path, line: int, row: Mapping[str, str]) -> TimeSpan:
    try:
        start, end = float(row["start"]), float(row["end"])
    except ValueError:
        raise BenchError(f"{path}:{line}: start and end must be seconds") from None
    if not 0 <= start < end:
        raise BenchError(f"{path}:{line}: a label must end after it starts, at 0 s or later")
    return TimeSpan(start, end)


# -- what the tool supports ----------------------------------------------------------------------


def clipnet_command() -> list[str]:
    """The installed ``clipnet`` next to this Python (the one a user runs), else its module."""
    installed = Path(sys.executable).with_name("clipnet")
    if installed.exists():
        return [str(installed)]
    return [sys.executable, "-m", "clipnet.entrypoints.cli"]


def ablations(weights: Weights = DEFAULT_WEIGHTS) -> list[tuple[str, Weights]]:
    """The weights as they are, then each positively weighted feature switched off in turn."""
    rows = [(ALL_FEATURES, weights)]
    for name, weight in weights.values.items():
        others = {k: v for k, v in weights.values.items() if k != name}
        if weight > 0 and any(v > 0 for v in others.values()):
            rows.append((f"no {name}", Weights({**others, name: 0.0})))
    return rows


# -- pickers -------------------------------------------------------------------------------------


@attrs.frozen
class Analysed:
    timeline: FeatureTimeline
    duration: float


class TimelinePicker:
    """Analysis pass + ``find_highlights`` in process; each timeline cached in ``cache``."""

    def __init__(self, cache: Path, analysis: str | None = None) -> None:
        self._cache = cache
        media = load_settings().media  # the clip lengths and score floor clipnet clip uses
        self.analysis = analysis or media.analysis
        """The analysis mode (``CLIPNET_ANALYSIS`` unless ``--analysis`` is given)."""
        self._chat_delay = media.chat_delay  # CLIPNET_CHAT_DELAY, as clipnet clip --chat
        self._media = FfmpegMediaProcessor(media.ffmpeg, analysis=self.analysis)
        self._bounds = default_clip_bounds(media)
        self._floor = ScoreFloor(media.min_relative_score)
        self._analysed: dict[Path, Analysed] = {}

    def __call__(self, source: Path, weights: Weights) -> list[TimeSpan]:
        analysed = self._analyse(source)
        picks = find_highlights(
            analysed.timeline,
            TOP,
            self._bounds,
            weights,
            duration=analysed.duration,
            floor=self._floor,
        )
        return [p.segment.span for p in picks]

    def _analyse(self, source: Path) -> Analysed:
        if source not in self._analysed:
            analysed = self._cached(source) or self._measure(source)
            self._analysed[source] = self._with_chat(source, analysed)
        return self._analysed[source]

    def _with_chat(self, source: Path, analysed: Analysed) -> Analysed:
        """The recording's chat replay (``NAME.chat.csv``) on its timeline, read and applied
        as ``clipnet clip --chat`` does (the same reader, tally and delay)."""
        replay = chat_file(source)
        if not replay.exists():
            return analysed
        with replay.open("rb") as stream:
            stats = ChatTally().extend(ChatReplayFiles().messages(stream, replay.name)).stats()
        timeline = with_chat(analysed.timeline, stats, self._chat_delay).timeline
        return Analysed(timeline, analysed.duration)

    def _cache_file(self, source: Path) -> Path:
        stat = source.stat()
        key = hashlib.sha256(f"{source}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()
        # one timeline per analysis mode; "full" keeps the name timelines had before modes
        mode = "" if self.analysis == "full" else f"-{self.analysis}"
        return self._cache / f"{source.stem}-{key[:16]}{mode}.json"

    def _cached(self, source: Path) -> Analysed | None:
        file = self._cache_file(source)
        if not file.exists():
            return None
        document = json.loads(file.read_text("utf-8"))
        timeline = timeline_from_json(document["timeline"])
        return None if timeline is None else Analysed(timeline, float(document["duration"]))

    def _measure(self, source: Path) -> Analysed:
        duration = self._media.probe(source).duration
        analysed = Analysed(self._media.analyze(source), duration)
        self._cache.mkdir(parents=True, exist_ok=True)
        document = {"duration": duration, "timeline": timeline_to_json(analysed.timeline)}
        self._cache_file(source).write_text(json.dumps(document), "utf-8")
        return analysed


class CommandPicker:
    """The real ``clipnet clip``, one fresh data folder per recording; default weights only."""

    def __init__(self, work: Path, *, analysis: str | None = None) -> None:
        self._work = work
        self._analysis = {"CLIPNET_ANALYSIS": analysis} if analysis else {}

    def __call__(self, source: Path, weights: Weights) -> list[TimeSpan]:
        if weights != DEFAULT_WEIGHTS:
            raise BenchError("clipnet clip takes no weights: the ablation needs --picker timeline")
        # the run's clips and data folder go once its spans are read
        with tempfile.TemporaryDirectory(prefix=f"{source.stem}-", dir=self._work) as folder:
            return self._run(source, Path(folder))

    def _run(self, source: Path, folder: Path) -> list[TimeSpan]:
        out = folder / "clips"
        args = [*clipnet_command(), "clip", str(source), "--out", str(out), "--top", str(TOP)]
        if chat_file(source).exists():
            args += ["--chat", str(chat_file(source))]
        env = {**os.environ, "CLIPNET_DATA_DIR": str(folder / "data"), **self._analysis}
        result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
            raise BenchError(f"clipnet clip {source.name} failed: {reason}")
        clips = json.loads((out / "clips.json").read_text("utf-8"))["clips"]
        return [TimeSpan(c["start"], c["end"]) for c in sorted(clips, key=lambda c: c["rank"])]


# -- the run -------------------------------------------------------------------------------------


Picks = Mapping[Path, Sequence[TimeSpan]]
"""Recording -> the clips picked, best first."""


@attrs.frozen
class Row:
    name: str
    scores: Scores
    picks: Picks
    seconds: float


def pick_all(labels: Labels, picker: Picker, weights: Weights) -> dict[Path, list[TimeSpan]]:
    return {source: picker(source, weights) for source in labels}


def run_ablation(labels: Labels, picker: Picker, rows: Sequence[tuple[str, Weights]]) -> list[Row]:
    results = []
    for name, weights in rows:
        started = time.perf_counter()
        picks = pick_all(labels, picker, weights)
        scores = score_set([(picks[source], spans) for source, spans in labels.items()])
        results.append(Row(name, scores, picks, time.perf_counter() - started))
    return results


def picked_by_kind(moments: Sequence[Moment], picks: Picks) -> dict[str, tuple[int, int]]:
    """Kind -> (moments of that kind, how many of them one of the top picks overlaps)."""
    counts: dict[str, tuple[int, int]] = {}
    for moment in moments:
        total, picked = counts.get(moment.kind, (0, 0))
        hit = any(moment.span.overlaps(pick) for pick in picks.get(moment.source, ()))
        counts[moment.kind] = (total + 1, picked + hit)
    return dict(sorted(counts.items()))


def read_decoys(labels_csv: Path) -> list[Moment]:
    """The decoys of a generated set (decoys.csv, the labels' columns, next to labels.csv)."""
    decoys = labels_csv.with_name("decoys.csv")
    return read_moments(decoys) if decoys.exists() else []


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def table(rows: Sequence[Row]) -> str:
    header = f"{'weights':<16} {'hit@1':>6} {'recall@3':>9} {'mean IoU':>9} {'false clips':>12}"
    lines = [header, "-" * len(header)]
    for row in rows:
        s = row.scores
        lines.append(
            f"{row.name:<16} {s.hit_at_1:>6.2f} {s.recall_at_3:>9.2f} {s.mean_iou:>9.2f} "
            f"{s.false_clip_rate:>12.2f}"
        )
    return "\n".join(lines)


def kind_rows(
    highlights: Sequence[Moment], decoys: Sequence[Moment], picks: Picks
) -> list[dict[str, Any]]:
    """Per kind of labelled highlight and of decoy: how many a top-3 clip overlaps."""
    rows = []
    for is_highlight, moments in ((True, highlights), (False, decoys)):
        for kind, (total, picked) in picked_by_kind(moments, picks).items():
            if kind:
                rows.append(
                    {"kind": kind, "highlight": is_highlight, "moments": total, "picked": picked}
                )
    return rows


def report(
    rows: Sequence[Row],
    labels: Labels,
    kinds: Sequence[Mapping[str, Any]],
    *,
    picker: str,
    chat: str,
    set_name: str,
) -> dict[str, Any]:
    return {
        "set": set_name,
        "recordings": len(labels),
        "labels": sum(len(spans) for spans in labels.values()),
        "picker": picker,
        "features": sorted(DEFAULT_WEIGHTS.values),
        "chat": chat,
        "machine": machine(),
        "rows": [
            {"weights": r.name, **r.scores.as_dict(), "clips": r.scores.clips, "seconds": r.seconds}
            for r in rows
        ],
        "kinds": list(kinds),
    }


def kinds_table(kinds: Sequence[Mapping[str, Any]]) -> str:
    lines = [f"{'kind (all features)':<22} {'moments':>8} {'in top 3':>9}"]
    for row in kinds:
        name = f"{row['kind']}{'' if row['highlight'] else ' (decoy)'}"
        lines.append(f"{name:<22} {row['moments']:>8} {row['picked']:>9}")
    return "\n".join(lines)


def print_report(document: Mapping[str, Any], rows: Sequence[Row]) -> None:
    print(
        f"{document['set']}: {document['recordings']} recordings, {document['labels']} labelled "
        f"highlights; picker: {document['picker']}; machine: {document['machine']}"
    )
    print(f"features: {', '.join(document['features'])}; chat: {document['chat']}")
    print(table(rows))
    if document["kinds"]:
        print()
        print(kinds_table(document["kinds"]))


def chat_line(picker: str) -> str:
    if picker == "command":
        return "each NAME.chat.csv passed to clipnet clip (--chat FILE)"
    return "each NAME.chat.csv read onto the timeline as clipnet clip --chat does"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="small")
    parser.add_argument("--labels", type=Path, help="a labelled set: source,start,end CSV")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "hbench")
    parser.add_argument("--picker", choices=("timeline", "command"), default="timeline")
    parser.add_argument(
        "--analysis", choices=MODES, help="the analysis mode (default: CLIPNET_ANALYSIS's)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    workdir: Path = args.workdir.resolve()
    labels_csv = args.labels or make_set(args.set, args.seed, workdir / "sets")
    labels = read_labels(labels_csv)
    decoys = [m for m in read_decoys(labels_csv) if m.source in labels]
    picker: Picker
    if args.picker == "command":
        (workdir / "runs").mkdir(parents=True, exist_ok=True)
        picker, rows = CommandPicker(workdir / "runs", analysis=args.analysis), ablations()[:1]
    else:
        picker, rows = TimelinePicker(workdir / "timelines", args.analysis), ablations()
    try:
        results = run_ablation(labels, picker, rows)
    except MediaError as error:  # an unreadable recording: its name and why, no traceback
        raise BenchError(str(error)) from None
    set_name = str(args.labels) if args.labels else f"{args.set} (seed {args.seed})"
    kinds = kind_rows(read_moments(labels_csv), decoys, results[0].picks)
    chat = chat_line(args.picker)
    document = report(results, labels, kinds, picker=args.picker, chat=chat, set_name=set_name)
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        print_report(document, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
