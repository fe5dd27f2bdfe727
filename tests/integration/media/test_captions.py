"""Word-level captions rendered by real FFmpeg and libass, checked in the finished frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.ffmpeg import processor as processor_module
from clipnet.adapters.ffmpeg.captions import caption_plan
from clipnet.adapters.ffmpeg.layouts import keep_clear
from clipnet.domain.highlights.captions import CAPTION_STYLES
from clipnet.domain.highlights.templates import Template, TemplateCatalogue
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.shared.geometry import Box
from clipnet.domain.shared.spans import TimeSpan
from tests.integration.media.probing import frame

pytestmark = pytest.mark.ffmpeg

TEMPLATES = TemplateCatalogue()
#: A still stretch of the sample (a dark blue picture), so only captions change the frame.
STILL = TimeSpan(10.0, 14.0)
#: Three words of one length, spoken 1.0-2.4 s into the clip, on one line.
WORDS = (Word("most", 1.0, 1.4), Word("wins", 1.5, 1.9), Word("here", 2.0, 2.4))
#: A pixel brighter or darker than this (any channel) than the caption-less frame is drawn.
DRAWN = 60


def _render(
    processor: FfmpegMediaProcessor,
    video: Path,
    template: Template,
    out: Path,
    transcript: Transcript | None = None,
) -> Path:
    return processor.polish(video, STILL, template, out, transcript=transcript)


def _highlighted(picture: np.ndarray, colour: str) -> np.ndarray:
    """Pixels within 60 of the highlight colour in every channel."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return np.abs(picture - target).max(axis=2) < 60


def test_the_frame_at_a_words_time_shows_that_word_highlighted(
    processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    # given: bold-pop captions (the active word yellow) of three words, over a blue picture
    template = TEMPLATES.get("center-crop")
    style = template.captions
    assert style is not None and style is CAPTION_STYLES["bold-pop"]
    clip = _render(processor, sample_video, template, tmp_path / "c.mp4", Transcript(WORDS))
    box = _caption_box(template)
    # when: a frame in the middle of each word, and one before the first
    columns = []
    for index, word in enumerate(WORDS):
        picture = frame(clip, (word.start + word.end) / 2, tmp_path / f"w{index}.png")
        lit = _highlighted(picture, style.highlight_colour)
        assert lit.sum() > 300, f"no highlighted word while {word.text!r} is spoken"
        ys, xs = np.nonzero(lit)
        assert box.y <= ys.min() and ys.max() < box.bottom, "highlight outside the caption box"
        columns.append((xs.min(), xs.max()))
    before = frame(clip, 0.5, tmp_path / "before.png")
    # then: the highlight moves left to right, one word at a time, and is absent before
    assert columns[0][1] < columns[1][0] and columns[1][1] < columns[2][0], columns
    assert columns[0][1] < template.width / 2 < columns[2][0]
    assert _highlighted(before, style.highlight_colour).sum() == 0


def test_words_of_a_revealing_style_appear_only_once_spoken(
    processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    template = TEMPLATES.get("blur-pad")
    assert template.captions is CAPTION_STYLES["lower-third"]
    plain = _render(processor, sample_video, template, tmp_path / "p.mp4")
    clip = _render(processor, sample_video, template, tmp_path / "c.mp4", Transcript(WORDS))
    drawn = []
    for index, word in enumerate(WORDS):
        at = (word.start + word.end) / 2
        difference = np.abs(
            frame(clip, at, tmp_path / f"c{index}.png")
            - frame(plain, at, tmp_path / f"p{index}.png")
        ).max(axis=2)
        drawn.append(np.nonzero((difference > DRAWN).any(axis=0))[0].max())
    # left-aligned: the rightmost drawn column moves right as each word appears
    assert drawn[0] < drawn[1] < drawn[2], drawn


@pytest.mark.parametrize("name", [t.name for t in TEMPLATES])
def test_nothing_is_drawn_outside_the_caption_safe_box(
    name: str, processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    # given: two long sentences, so two-line pages are drawn
    template = TEMPLATES.get(name)
    text = "Okay this one is really long, so it has to wrap onto two lines. Then another one"
    words = [Word(t, 0.2 + 0.25 * i, 0.4 + 0.25 * i) for i, t in enumerate(text.split())]
    plain = _render(processor, sample_video, template, tmp_path / "plain.mp4")
    clip = _render(processor, sample_video, template, tmp_path / "c.mp4", Transcript(words))
    box = _caption_box(template, Transcript(words))
    outside = np.ones((template.height, template.width), dtype=bool)
    outside[box.y : box.bottom, box.x : box.right] = False
    inside_total = 0
    for at in (0.5, 1.5, 2.6, 3.5):
        difference = np.abs(
            frame(clip, at, tmp_path / "c.png") - frame(plain, at, tmp_path / "p.png")
        ).max(axis=2)
        drawn = difference > DRAWN
        # then: every changed pixel lies in the caption box; and the box does hold captions
        assert not (drawn & outside).any(), f"{(drawn & outside).sum()} pixels drawn outside"
        inside_total += int(drawn.sum())
    assert inside_total > 2000
    if name == "split":  # the face cam's top third stays clear
        assert box.y >= template.height // 3


def test_a_transcript_without_words_gives_no_caption_events_and_no_subtitles_filter(
    processor: FfmpegMediaProcessor,
    sample_video: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands: list[list[str]] = []
    real_run = processor_module.run

    def recording_run(args: list[str], **kwargs: Any) -> Any:
        commands.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(processor_module, "run", recording_run)
    template = TEMPLATES.get("center-crop")
    only_emoji = Transcript((Word("🔥🔥", 1.0, 1.5),), "en")
    for transcript in (Transcript((), "en"), only_emoji):
        assert caption_plan(template, STILL.duration, transcript).cues == ()  # type: ignore[union-attr]
        _render(processor, sample_video, template, tmp_path / "c.mp4", transcript)
    polish_commands = [c for c in commands if any("libx264" in a for a in c)]
    assert len(polish_commands) == 2
    for command in polish_commands:
        assert not any("ass=" in arg or "subtitles" in arg for arg in command), command


def test_captions_follow_the_output_size(
    processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    # a square and a landscape output: the highlighted word lies inside that frame's box
    for width, height in ((1080, 1080), (1280, 720)):
        template = attrs.evolve(TEMPLATES.get("center-crop"), width=width, height=height)
        clip = _render(processor, sample_video, template, tmp_path / "c.mp4", Transcript(WORDS))
        picture = frame(clip, 1.2, tmp_path / "f.png")
        assert picture.shape[:2] == (height, width)
        lit = _highlighted(picture, CAPTION_STYLES["bold-pop"].highlight_colour)
        ys, xs = np.nonzero(lit)
        box = _caption_box(template)
        assert len(xs) > 100
        assert box.x <= xs.min() and xs.max() < box.right
        assert box.y <= ys.min() and ys.max() < box.bottom


def _caption_box(template: Template, transcript: Transcript | None = None) -> Box:
    words = transcript or Transcript(WORDS)
    plan = caption_plan(template, STILL.duration, words, keep_clear(template))
    assert plan is not None
    return plan.layout.box
