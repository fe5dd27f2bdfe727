"""Speech to text on this machine with faster-whisper (CTranslate2), with word timings.

Many items are transcribed in one batched pass of faster-whisper's ``BatchedInferencePipeline``.
Every item's audio is decoded and laid out in windows of at most 29 s (the model hears 30 s at a
time, whatever the audio's length): with packing on (the default), short items share a window,
one second of silence apart, as faster-whisper itself packs the speech of one long recording;
with packing off, each item (or each <=29 s piece of a longer one) has a window of its own, so
that an item's text does not depend on the rest of its batch. The words are then split back to
their items by where they were heard.
faster-whisper is imported only when the model is first needed, so the API and the worker
import this module without it.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import attrs

from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.ports.transcriber import (
    TranscriptionFailure,
    TranscriptionResult,
    TranscriptionUnavailable,
)

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
MAX_WINDOW_SECONDS = 29.0
"""Longest piece of one item in one Whisper window (the model sees 30 s at a time)."""
MIN_ITEM_SECONDS = 0.2
"""Shorter audio holds no word; Whisper would only invent one."""

LEAD_MARGIN = 0.1
"""Seconds of the quiet before an item's first sound that its first window keeps."""
SILENCE_FLOOR = 1e-4
"""RMS under which a 20 ms frame is digital silence, whatever the item's loudness."""
SOUND_SHARE = 0.05
"""A frame louder than this share of the item's loudest frame is sound, not quiet."""

PACK_GAP_SECONDS = 1.0
"""Silence between two items that share a window: Whisper hears a pause, and a word heard in
it is still nearest its own item."""

Resolver = Callable[[str], Path]
"""Turns an audio reference into a local file; raises ``ValueError`` with the reason."""


def local_file(reference: str) -> Path:
    """A local path or ``file://`` URL as a path; anything else is refused."""
    parts = urlsplit(reference)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"{reference}: file URLs on other hosts are not readable here")
        return Path(url2pathname(unquote(parts.path)))
    if parts.scheme and len(parts.scheme) > 1:  # one letter: a Windows drive, not a scheme
        raise ValueError(f"{reference}: only local paths and file:// URLs can be read here")
    return Path(reference)


@attrs.frozen
class WhisperOptions:
    """How the model runs. ``compute_type`` "default" means int8 on CPU, float16 on a GPU."""

    device: str = "auto"
    compute_type: str = "default"
    batch_size: int = 8
    beam_size: int = 5
    language: str | None = None
    """ISO 639-1 code, or None to detect it (once per batch, from its first items)."""
    cpu_threads: int = 0
    pack: bool = True
    """Let short items share a window: several times faster on many short items, but an item's
    text can then differ a little from what it gives alone (Whisper hears its neighbours)."""


@attrs.frozen
class Piece:
    """A stretch of one item's audio and where it lies in the batch's joined audio (samples)."""

    item: int
    source: int
    """First sample in the item's own audio."""
    length: int
    at: int = 0
    """First sample in the joined audio."""

    @property
    def end(self) -> int:
        return self.at + self.length


@attrs.frozen
class Window:
    """What Whisper hears at once: one or more pieces, in order, a gap of silence apart."""

    pieces: tuple[Piece, ...]

    @property
    def start(self) -> int:
        return self.pieces[0].at

    @property
    def end(self) -> int:
        return self.pieces[-1].end


class FasterWhisperTranscriber:
    """The :class:`~clipnet.ports.transcriber.Transcriber` port on faster-whisper."""

    def __init__(
        self,
        model: str | Callable[[], str],
        options: WhisperOptions | None = None,
        *,
        resolve: Resolver = local_file,
    ) -> None:
        """``model``: a model folder or name, or what gives one when the model first loads
        (so a packaged model is assembled only when speech is first needed)."""
        self._model_name = model
        self._options = options or WhisperOptions()
        self._resolve = resolve
        self._pipeline: Any = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return bool(self._model_name)

    @property
    def device(self) -> str:
        return _device(self._options.device)

    @property
    def options(self) -> WhisperOptions:
        return self._options

    def transcribe(self, audio: Sequence[str]) -> list[TranscriptionResult]:
        results: list[TranscriptionResult | None] = [None] * len(audio)
        decoded: dict[int, Any] = {}
        for index, reference in enumerate(audio):
            try:
                decoded[index] = self._decode(reference)
            except Exception as error:  # any unreadable input fails only its item
                results[index] = TranscriptionFailure(f"{reference}: {_reason(error)}")
        with self._lock:
            pipeline = self._load()
            results = self._run(pipeline, decoded, results)
        return [r if r is not None else TranscriptionFailure("no result") for r in results]

    # -- model ---------------------------------------------------------------------------------

    def _load(self) -> Any:
        if self._pipeline is not None:
            return self._pipeline
        try:
            from faster_whisper import BatchedInferencePipeline, WhisperModel
        except ImportError as error:
            raise TranscriptionUnavailable(
                "faster-whisper is not installed (pip install 'clipnet[whisper]')"
            ) from error
        device = self.device
        compute = self._options.compute_type
        if compute == "default":
            compute = "int8" if device == "cpu" else "float16"
        model_name = self._model_name
        name = "the packaged model" if callable(model_name) else model_name
        try:
            name = model_name() if callable(model_name) else model_name
            log.info("loading Whisper model %s on %s (%s)", name, device, compute)
            model = WhisperModel(
                name,
                device=device,
                compute_type=compute,
                cpu_threads=self._options.cpu_threads,
            )
        except Exception as error:  # a missing or broken model: nothing can be transcribed
            raise TranscriptionUnavailable(
                f"Whisper model {name!r} could not be loaded: {_reason(error)}"
            ) from error
        self._pipeline = BatchedInferencePipeline(model)
        return self._pipeline

    # -- audio ---------------------------------------------------------------------------------

    def _decode(self, reference: str) -> Any:
        from faster_whisper.audio import decode_audio

        path = self._resolve(reference)
        if not path.is_file():
            raise ValueError("no such file")
        return decode_audio(str(path), sampling_rate=SAMPLE_RATE)

    # -- inference -----------------------------------------------------------------------------

    def _run(
        self,
        pipeline: Any,
        decoded: dict[int, Any],
        results: list[TranscriptionResult | None],
    ) -> list[TranscriptionResult | None]:
        spoken = {
            i: a
            for i, a in decoded.items()
            if len(a) >= MIN_ITEM_SECONDS * SAMPLE_RATE and sound_start(a) is not None
        }
        for index in decoded.keys() - spoken.keys():
            results[index] = Transcript((), self._options.language or "")
        if not spoken:
            return results
        try:
            for index, transcript in self._batched(pipeline, spoken).items():
                results[index] = transcript
        except Exception as error:  # one bad item must not sink the batch: try each alone
            log.warning("batched transcription failed (%s); retrying item by item", error)
            for index, samples in spoken.items():
                try:
                    results[index] = self._batched(pipeline, {index: samples})[index]
                except Exception as item_error:
                    results[index] = TranscriptionFailure(_reason(item_error))
        return results

    def _batched(self, pipeline: Any, items: dict[int, Any]) -> dict[int, Transcript]:
        """Transcribe ``items`` (index -> samples) in one batched pass."""
        order = sorted(items)
        windows = lay_out(
            [item_pieces(index, items[index]) for index in order],
            pack=self._options.pack,
            limit=int(MAX_WINDOW_SECONDS * SAMPLE_RATE),
            gap=int(PACK_GAP_SECONDS * SAMPLE_RATE),
        )
        segments, info = pipeline.transcribe(
            joined_audio(windows, items),
            language=self._options.language,
            batch_size=self._options.batch_size,
            beam_size=self._options.beam_size,
            word_timestamps=True,
            clip_timestamps=[
                {"start": w.start / SAMPLE_RATE, "end": w.end / SAMPLE_RATE} for w in windows
            ],
        )
        find = PieceFinder(windows)
        words: dict[int, list[Word]] = {index: [] for index in order}
        for segment in segments:
            for word in segment.words or ():
                text = word.word.strip()
                if text:
                    piece = find.nearest((float(word.start) + float(word.end)) / 2)
                    words[piece.item].append(_heard_in(segment, _word(text, word, piece)))
        return {index: Transcript(words[index], info.language or "") for index in order}


def item_pieces(index: int, samples: Any) -> list[Piece]:
    """An item's audio from just before its first sound, in pieces that each fit a window."""
    # Whisper gives a leading silence to the first word: start just before the sound.
    lead = sound_start(samples) or 0
    return [Piece(index, lead + start, end - start) for start, end in split_points(samples[lead:])]


def lay_out(items: Sequence[Sequence[Piece]], *, pack: bool, limit: int, gap: int) -> list[Window]:
    """Windows for the items' pieces, in order, each at most ``limit`` samples long, and every
    piece placed in the joined audio a ``gap`` after the one before. With ``pack``, items of one
    piece share a window while they fit; an item of several pieces never shares."""
    groups: list[list[Piece]] = []
    last_takes_more = False
    for pieces in items:
        shareable = pack and len(pieces) == 1
        if shareable and last_takes_more and _span([*groups[-1], pieces[0]], gap) <= limit:
            groups[-1].append(pieces[0])
        else:
            groups.extend([piece] for piece in pieces)
            last_takes_more = shareable
    windows, at = [], 0
    for group in groups:
        placed = []
        for piece in group:
            placed.append(attrs.evolve(piece, at=at))
            at += piece.length + gap
        windows.append(Window(tuple(placed)))
    return windows


def _span(pieces: Sequence[Piece], gap: int) -> int:
    return sum(p.length for p in pieces) + gap * (len(pieces) - 1)


def joined_audio(windows: Sequence[Window], items: dict[int, Any]) -> Any:
    """The batch's audio: every piece where :func:`lay_out` placed it, silence elsewhere."""
    import numpy as np

    joined = np.zeros(windows[-1].end, dtype=np.float32)
    for window in windows:
        for p in window.pieces:
            joined[p.at : p.end] = items[p.item][p.source : p.source + p.length]
    return joined


class PieceFinder:
    """Which piece a moment of the joined audio (seconds) belongs to: the one it falls in, or
    else the nearest one (a word heard in a gap, or rounded past a piece's edge)."""

    def __init__(self, windows: Sequence[Window]) -> None:
        self._pieces = [p for w in windows for p in w.pieces]
        self._ends = [p.end / SAMPLE_RATE for p in self._pieces]

    def nearest(self, moment: float) -> Piece:
        after = bisect.bisect_left(self._ends, moment)  # the first piece not over by then
        if after in (0, len(self._pieces)):
            return self._pieces[min(after, len(self._pieces) - 1)]
        previous, following = self._pieces[after - 1], self._pieces[after]
        to_following = following.at / SAMPLE_RATE - moment  # <= 0: the moment falls inside it
        return following if to_following < moment - self._ends[after - 1] else previous


def _word(text: str, word: Any, piece: Piece) -> Word:
    """A word with times relative to its item, kept inside the piece it was heard in."""
    shift = (piece.source - piece.at) / SAMPLE_RATE
    first, last = piece.source / SAMPLE_RATE, (piece.source + piece.length) / SAMPLE_RATE
    start = min(max(first, float(word.start) + shift), last)
    end = min(max(start, float(word.end) + shift), last)
    probability = min(1.0, max(0.0, float(word.probability)))
    return Word(text, round(start, 3), round(end, 3), probability)


def _heard_in(segment: Any, word: Word) -> Word:
    """The word with what Whisper said of its segment, for the domain's hallucination filter."""
    return attrs.evolve(
        word,
        no_speech=min(1.0, max(0.0, float(getattr(segment, "no_speech_prob", 0.0)))),
        compression=max(0.0, float(getattr(segment, "compression_ratio", 0.0))),
        logprob=min(0.0, float(getattr(segment, "avg_logprob", 0.0))),
    )


def sound_start(samples: Any, margin: float = LEAD_MARGIN) -> int | None:
    """Where an item's first window starts: ``margin`` seconds before its first 20 ms frame
    that is not quiet; None when the item holds only digital silence."""
    import numpy as np

    hop = SAMPLE_RATE // 50
    usable = (len(samples) // hop) * hop
    if usable == 0:
        return None
    rms = np.sqrt((samples[:usable].astype("float64") ** 2).reshape(-1, hop).mean(axis=1))
    loudest = float(rms.max())
    if loudest < SILENCE_FLOOR:
        return None
    first = int(np.argmax(rms > max(SILENCE_FLOOR, SOUND_SHARE * loudest)))
    return max(0, first * hop - int(margin * SAMPLE_RATE))


def split_points(samples: Any, limit: float = MAX_WINDOW_SECONDS) -> list[tuple[int, int]]:
    """Pieces of at most ``limit`` seconds, each cut at the quietest moment of its last 5 s."""
    import numpy as np

    total, most = len(samples), int(limit * SAMPLE_RATE)
    search, hop = 5 * SAMPLE_RATE, SAMPLE_RATE // 10
    pieces: list[tuple[int, int]] = []
    start = 0
    while total - start > most:
        low = start + most - search
        frames = samples[low : start + most][: (search // hop) * hop].reshape(-1, hop)
        quietest = int(np.argmin((frames.astype("float64") ** 2).sum(axis=1)))
        cut = low + quietest * hop + hop // 2
        pieces.append((start, cut))
        start = cut
    pieces.append((start, total))
    return pieces


def _device(wanted: str) -> str:
    if wanted != "auto":
        return wanted
    try:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except Exception:  # no CTranslate2 or no CUDA runtime: the CPU it is
        return "cpu"


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
