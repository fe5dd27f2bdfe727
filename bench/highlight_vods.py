"""Seeded, labelled test recordings for the highlight benchmark (:mod:`bench.highlight_eval`).

Each recording is calm (``clipnet sample``'s still picture over a quiet hum) with two true
highlights and two decoys placed in it, built from ``clipnet sample``'s pieces plus a few of
its own, and comes with

* ``NAME.mp4``: 320x180, 25 fps, H.264/AAC, 2-4 minutes;
* ``NAME.chat.csv``: a chat replay (``offset_seconds,author,message``): baseline chatter
  everywhere and a burst of hype 5-15 s after each true highlight (the most after the
  chat spike, which nothing else shows);
* rows in the set's ``labels.csv`` (``source,start,end,kind``: true highlights only) and
  ``decoys.csv`` (the same columns: the moments made to fool a picker).

Highlights: ``action-shout`` (fast motion and cuts, a shouted "NO WAY! LET'S GO!"),
``laughing`` (a loud laughing fit over the calm picture), ``chat-spike`` (a calm moment only
the chat reacts to), ``clutch`` (motion and cuts, moderate noise, no speech). Decoys:
``loud-music`` (steady loud chords), ``static-loud`` (a still test card over loud noise),
``steady-talk`` (calm speech at a normal level), ``loud-ad`` (colour cards cut every 3 s over a
loud jingle). The same seed makes the same recordings, labels and chat, byte for byte in the
CSVs (the MP4s are made once and kept in the work folder).
"""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import ffmpeg

from clipnet.adapters.ffmpeg.sample import (
    SampleSpec,
    calm_stretch,
    encoded,
    exciting_shot,
    write_media,
)

HIGHLIGHTS = ("action-shout", "laughing", "chat-spike", "clutch")
DECOYS = ("loud-music", "static-loud", "steady-talk", "loud-ad")
#: Part of the cache folder's name: raise it whenever the same seed would make other media.
VERSION = 1
SETS = {"small": 3, "full": 12}
"""Set name -> how many recordings."""

SPEC = SampleSpec(width=320, height=180, fps=25, preset="veryfast")
#: How long a moment lasts, and the calm between moments (s).
MOMENT_SECONDS = (12, 22)
GAP_SECONDS = (18, 34)
#: Length of each shot where a moment cuts (s).
SHOT_SECONDS = 3.0
#: Chat: baseline messages a second, hype messages a second during a burst, the burst's lag.
#: Amplitude of the background noise under everything.
BACKGROUND = 0.08
CHAT_BASELINE = 0.4
CHAT_HYPE = 2.0
CHAT_SPIKE_HYPE = 5.0
CHAT_LAG = (5.0, 15.0)
HYPE = ("LUL", "KEKW", "POG", "POGGERS", "clip it", "CLIP IT", "no way", "W", "OMEGALUL", "!!!")
CHATTER = ("hi", "hello chat", "what game is this", "lol", "gg", "nice", "brb", "ok", "o7")
AUTHORS = tuple(f"viewer{n:02d}" for n in range(40))

SHOUTS = ("NO WAY! LET'S GO!", "OH MY GOD! YES! YES!", "WHAT! GET IN THERE!")
LAUGHS = ("HA HA HA HA HA HA HA! HA HA HA!", "HAHAHA HA HA HAHAHA HA!")
TALK = (
    "so today we are going to look at the inventory and then plan the next route",
    "I think the settings menu has an option for that, let me check it slowly",
    "thanks for joining the stream everyone, we will keep going for another hour",
)
AD_LINES = ("BUY NOW! FIFTY PERCENT OFF! LIMITED TIME ONLY!",)


@attrs.frozen
class Moment:
    kind: str
    start: float
    end: float

    @property
    def is_highlight(self) -> bool:
        return self.kind in HIGHLIGHTS


@attrs.frozen
class VodPlan:
    name: str
    seed: int
    seconds: float
    moments: tuple[Moment, ...]

    @property
    def highlights(self) -> list[Moment]:
        return [m for m in self.moments if m.is_highlight]


def plan_vod(set_seed: int, index: int) -> VodPlan:
    """Where each moment lies in recording ``index``: two highlights and two decoys, with
    kinds rotated so any three recordings in a row hold every kind."""
    rng = random.Random(f"highlight-vod-{set_seed}-{index}")
    kinds = [
        HIGHLIGHTS[index % 4],
        HIGHLIGHTS[(index + 1) % 4],
        DECOYS[index % 4],
        DECOYS[(index + 2) % 4],
    ]
    rng.shuffle(kinds)
    moments, at = [], float(rng.randint(*GAP_SECONDS))
    for kind in kinds:
        length = float(rng.randint(*MOMENT_SECONDS))
        moments.append(Moment(kind, at, at + length))
        at += length + rng.randint(*GAP_SECONDS)
    return VodPlan(f"vod-{set_seed}-{index:02d}", rng.randrange(2**16), at, tuple(moments))


def plan_set(name: str, seed: int) -> list[VodPlan]:
    if name not in SETS:
        raise ValueError(f"unknown set {name!r} (known: {', '.join(SETS)})")
    return [plan_vod(seed, index) for index in range(SETS[name])]


# -- pictures and sounds -------------------------------------------------------------------------

Piece = tuple[Any, Any]
"""A (video, audio) pair of streams of one length."""


class _Inputs:
    """Makes every FFmpeg input of a graph distinct: ffmpeg-python merges identical nodes, and
    one node cannot feed concat twice (a no-op queue size differs per input)."""

    def __init__(self) -> None:
        self._count = 0

    def lavfi(self, graph: str) -> Any:
        self._count += 1
        return ffmpeg.input(graph, f="lavfi", thread_queue_size=512 + self._count)

    def file(self, path: Path) -> Any:
        self._count += 1
        return ffmpeg.input(str(path), thread_queue_size=512 + self._count)


def _uniform(piece: Piece, seconds: float) -> Piece:
    """Both streams in the one format concat needs, exactly ``seconds`` long."""
    video, audio = piece
    video = (
        video.filter("scale", SPEC.width, SPEC.height)
        .filter("fps", SPEC.fps)
        .filter("setsar", 1)
        .filter("format", "yuv420p")
        .filter("trim", duration=f"{seconds:.3f}")
        .filter("setpts", "PTS-STARTPTS")
    )
    audio = (
        audio.filter("aformat", sample_rates=48000, channel_layouts="mono")
        .filter("apad")
        .filter("atrim", duration=f"{seconds:.3f}")
        .filter("asetpts", "PTS-STARTPTS")
    )
    return video, audio


def _voice(inputs: _Inputs, wav: Path, gain: float) -> Any:
    return inputs.file(wav).audio.filter("aloop", loop=-1, size=2**30).filter("volume", gain)


def _mixed(a: Any, b: Any) -> Any:
    return ffmpeg.filter([a, b], "amix", inputs=2, duration="longest", dropout_transition=0)


def _shots(seconds: float) -> list[float]:
    count = max(1, round(seconds / SHOT_SECONDS))
    return [seconds / count] * count


class _Builder:
    """The pieces of one recording's moments."""

    def __init__(self, plan: VodPlan, voices: Path) -> None:
        self._plan = plan
        self._voices = voices
        self._inputs = _Inputs()
        self._shot = 0

    def _next(self) -> int:
        """A number no other piece of this recording has (seeds, shot indexes)."""
        self._shot += 1
        return self._shot

    def _piece(self, video: Any, audio: Any, seconds: float) -> Piece:
        """A piece over the stream's steady background sound (game audio, room noise), so
        that any sound is not a burst by itself."""
        background = self._inputs.lavfi(
            f"anoisesrc=color=brown:amplitude={BACKGROUND}:r=48000:d={seconds:.3f}"
            f":seed={self._next()}"
        )
        return _uniform((video, _mixed(audio, background)), seconds)

    def calm(self, seconds: float) -> list[Piece]:
        return [self._piece(*self._calm_picture(seconds), seconds)]

    def _calm_picture(self, seconds: float) -> Piece:
        """The sample's calm stretch: a still, grainy picture over a quiet hum."""
        return calm_stretch(SPEC, seconds, self._next())

    def moment(self, moment: Moment, number: int) -> list[Piece]:
        seconds = moment.end - moment.start
        makers: dict[str, Callable[[float, int], list[Piece]]] = {
            "action-shout": self._action_shout,
            "laughing": self._laughing,
            "chat-spike": self._chat_spike,
            "clutch": self._clutch,
            "loud-music": self._loud_music,
            "static-loud": self._static_loud,
            "steady-talk": self._steady_talk,
            "loud-ad": self._loud_ad,
        }
        return makers[moment.kind](seconds, number)

    def _busy(self, seconds: float, audio: Callable[[float], Any]) -> list[Piece]:
        pieces = []
        for length in _shots(seconds):
            video, _noise = exciting_shot(SPEC, self._next(), length)
            pieces.append(self._piece(video, audio(length), length))
        return pieces

    def _noise(self, amplitude: float, length: float) -> Any:
        return self._inputs.lavfi(
            f"anoisesrc=color=pink:amplitude={amplitude}:r=48000:d={length:.3f}:seed={self._next()}"
        )

    def _still(self, graph: str, seconds: float) -> Any:
        options = f"s={SPEC.width}x{SPEC.height}:r={SPEC.fps}:d={seconds:.3f}"
        return self._inputs.lavfi(f"{graph}{':' if '=' in graph else '='}{options}")

    def _spoken(self, texts: Sequence[str], number: int, amplitude: int, speed: int) -> Path:
        text = texts[(self._plan.seed + number) % len(texts)]
        return speak(text, self._voices / f"{self._plan.name}-{number}.wav", amplitude, speed)

    def _action_shout(self, seconds: float, number: int) -> list[Piece]:
        shout = self._spoken(SHOUTS, number, 200, 190)
        return self._busy(
            seconds, lambda n: _mixed(_voice(self._inputs, shout, 3.0), self._noise(0.35, n))
        )

    def _clutch(self, seconds: float, _number: int) -> list[Piece]:
        return self._busy(seconds, lambda n: self._noise(0.3, n))

    def _laughing(self, seconds: float, number: int) -> list[Piece]:
        laugh = self._spoken(LAUGHS, number, 200, 200)
        video, _ = self._calm_picture(seconds)
        return [self._piece(video, _voice(self._inputs, laugh, 3.0), seconds)]

    def _chat_spike(self, seconds: float, _number: int) -> list[Piece]:
        return self.calm(seconds)

    def _steady_talk(self, seconds: float, number: int) -> list[Piece]:
        talk = self._spoken(TALK, number, 100, 150)
        video, _ = self._calm_picture(seconds)
        return [self._piece(video, _voice(self._inputs, talk, 1.0), seconds)]

    def _loud_music(self, seconds: float, _number: int) -> list[Piece]:
        chords = "+".join(f"0.22*sin(2*PI*{f}*t)" for f in (220, 277.18, 329.63, 440))
        music = self._inputs.lavfi(f"aevalsrc='{chords}':s=48000:d={seconds:.3f}")
        video, _ = self._calm_picture(seconds)
        return [self._piece(video, music, seconds)]

    def _static_loud(self, seconds: float, _number: int) -> list[Piece]:
        card = self._still("smptebars", seconds)
        return [self._piece(card, self._noise(0.7, seconds), seconds)]

    def _loud_ad(self, seconds: float, number: int) -> list[Piece]:
        line = self._spoken(AD_LINES, number, 200, 170)
        cards = ("color=c=red", "color=c=yellow", "color=c=blue", "color=c=white", "smptehdbars")
        pieces = []
        for shot, length in enumerate(_shots(seconds)):
            jingle = self._inputs.lavfi(
                f"aevalsrc='0.5*sin(2*PI*(660+220*mod(floor(4*t),3))*t)':s=48000:d={length:.3f}"
            )
            audio = _mixed(jingle, _voice(self._inputs, line, 2.0))
            pieces.append(self._piece(self._still(cards[shot % len(cards)], length), audio, length))
        return pieces

    def pieces(self) -> Iterator[Piece]:
        at = 0.0
        for number, moment in enumerate(self._plan.moments):
            yield from self.calm(moment.start - at)
            yield from self.moment(moment, number)
            at = moment.end
        yield from self.calm(self._plan.seconds - at)


def speak(text: str, out: Path, amplitude: int, speed: int) -> Path:
    """``text`` spoken by espeak-ng into a WAV file (kept: a second run reuses it)."""
    if out.exists():
        return out
    if shutil.which("espeak-ng") is None:
        raise SystemExit("the highlight bench needs espeak-ng (apt-get install espeak-ng)")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".partial-{out.name}")
    command = ["espeak-ng", "-a", str(amplitude), "-s", str(speed), "-w", str(partial), text]
    subprocess.run(command, check=True, capture_output=True)
    partial.replace(out)
    return out


# -- chat ----------------------------------------------------------------------------------------


def chat_replay(plan: VodPlan) -> list[tuple[float, str, str]]:
    """(offset s, author, message), in time order: chatter throughout, hype after highlights."""
    rng = random.Random(f"chat-{plan.name}-{plan.seed}")
    messages = []
    at = rng.expovariate(CHAT_BASELINE)
    while at < plan.seconds:
        messages.append((at, rng.choice(AUTHORS), rng.choice(CHATTER)))
        at += rng.expovariate(CHAT_BASELINE)
    for moment in plan.highlights:
        rate = CHAT_SPIKE_HYPE if moment.kind == "chat-spike" else CHAT_HYPE
        for _ in range(round(rate * (moment.end - moment.start))):
            said = rng.uniform(moment.start, moment.end) + rng.uniform(*CHAT_LAG)
            if said < plan.seconds:
                messages.append((said, rng.choice(AUTHORS), rng.choice(HYPE)))
    return sorted(messages)


def write_chat(plan: VodPlan, out: Path) -> Path:
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["offset_seconds", "author", "message"])
        for at, author, message in chat_replay(plan):
            writer.writerow([f"{at:.2f}", author, message])
    return out


# -- the set -------------------------------------------------------------------------------------


def chat_file(video: Path) -> Path:
    """Where a recording's chat replay lies: ``NAME.chat.csv`` next to ``NAME.mp4``."""
    return video.with_name(f"{video.stem}.chat.csv")


def make_vod(plan: VodPlan, folder: Path) -> Path:
    """The recording (made unless already in ``folder``) and its chat replay."""
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / f"{plan.name}.mp4"
    write_chat(plan, chat_file(video))
    if not video.exists():
        builder = _Builder(plan, folder / "voices")
        pieces = list(builder.pieces())
        write_media(lambda partial: encoded(pieces, SPEC, partial), video, plan.seconds)
    return video


def _write_moments(rows: Sequence[tuple[Path, Moment]], out: Path) -> Path:
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["source", "start", "end", "kind"])
        for video, m in rows:
            writer.writerow([video.name, f"{m.start:.1f}", f"{m.end:.1f}", m.kind])
    return out


def make_set(name: str, seed: int, workdir: Path) -> Path:
    """Make (or reuse) a set's recordings in ``workdir/NAME-SEED-vVERSION`` and return its
    labels.csv."""
    folder = workdir / f"{name}-{seed}-v{VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    labels: list[tuple[Path, Moment]] = []
    decoys: list[tuple[Path, Moment]] = []
    for plan in plan_set(name, seed):
        video = make_vod(plan, folder)
        for moment in plan.moments:
            (labels if moment.is_highlight else decoys).append((video, moment))
    _write_moments(decoys, folder / "decoys.csv")
    return _write_moments(labels, folder / "labels.csv")
