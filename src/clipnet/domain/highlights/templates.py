"""Output templates: how a clip is framed, captioned and which highlights it favours."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence

import attrs

from clipnet.domain.highlights.aspects import DEFAULT_ASPECT, check_aspect, output_size
from clipnet.domain.highlights.captions import CAPTION_STYLES, CaptionStyle
from clipnet.domain.highlights.scoring import CHAT_WEIGHT, DEFAULT_WEIGHTS, Weights
from clipnet.domain.shared.converters import strings
from clipnet.domain.shared.errors import InvalidInput


class Layout(enum.StrEnum):
    """How a landscape source is fitted into a vertical frame."""

    REFRAME = "reframe"
    """A window of the output's aspect that follows the subject (faces, else motion)."""
    CENTER_CROP = "center-crop"
    """Crop the middle of the frame to the output's aspect."""
    BLUR_PAD = "blur-pad"
    """The whole frame, over a blurred, enlarged copy of itself."""
    SPLIT = "split"
    """A face-cam rectangle on top, gameplay below."""


@attrs.frozen
class Template:
    """A named recipe for turning a span into a finished clip."""

    name: str
    """Stable identifier, e.g. "center-crop"."""
    layout: Layout
    aspect: str = attrs.field(default=DEFAULT_ASPECT, validator=lambda _i, _a, v: check_aspect(v))
    """Output aspect ratio, one of :data:`clipnet.domain.highlights.aspects.ASPECTS`."""
    width: int = attrs.field(
        default=attrs.Factory(lambda t: output_size(t.aspect)[0], takes_self=True)
    )
    """Output width in pixels (by default the aspect's)."""
    height: int = attrs.field(
        default=attrs.Factory(lambda t: output_size(t.aspect)[1], takes_self=True)
    )
    captions: CaptionStyle | None = CAPTION_STYLES["bold-pop"]
    """How word-level captions look when the clip has a transcript; None: no captions."""
    overlay_title: bool = False
    """Burn the clip's title into the top of the frame."""
    tag_rules: tuple[str, ...] = attrs.field(converter=strings, default=())
    """Words in vision tags or captions that make this template a good fit."""
    weights: Weights = DEFAULT_WEIGHTS
    """How this template weighs highlight features."""
    prompts: tuple[str, ...] = attrs.field(
        converter=strings, default=("an exciting moment in a video game",)
    )
    """Texts a CLIP model compares frames with to judge a highlight for this template."""
    face_cam: tuple[float, float, float, float] = (0.0, 0.0, 0.3, 0.3)
    """For ``split``: x, y, width, height of the face cam, as fractions of the source frame,
    where none is found in the clip and none is set for the source (``CLIPNET_FACE_CAMS``)."""
    max_fps: int = 30
    """The most frames a second the clip has: a 60 fps stream is rendered at 30 (about 0.7x
    the polish's CPU, and what the short-video platforms play) unless a template asks for
    more."""

    def at_aspect(self, aspect: str) -> Template:
        """This template framing to ``aspect`` instead ("" = its own)."""
        if not aspect or aspect == self.aspect:
            return self
        width, height = output_size(aspect)
        return attrs.evolve(self, aspect=aspect, width=width, height=height)

    def matches(self, words: Iterable[str]) -> int:
        """How many of this template's tag rules appear among ``words``."""
        lowered = {w.lower() for w in words}
        return sum(1 for rule in self.tag_rules if rule.lower() in lowered)


DEFAULT_TEMPLATES: tuple[Template, ...] = (
    # First, so the default: it follows the subject, and on a source whose picture already has
    # the output's aspect it is the whole picture.
    Template("reframe", Layout.REFRAME, tag_rules=("person", "face", "talking")),
    Template("center-crop", Layout.CENTER_CROP),
    Template(
        "blur-pad",
        Layout.BLUR_PAD,
        captions=CAPTION_STYLES["lower-third"],
        tag_rules=("landscape", "map", "scoreboard", "text", "screen"),
        overlay_title=True,
    ),
    Template(
        "split",
        Layout.SPLIT,
        captions=CAPTION_STYLES["boxed"],
        tag_rules=("game", "gameplay", "shooter", "streamer", "webcam"),
        weights=Weights(
            {"loudness": 1.0, "motion": 1.2, "speech": 0.8, "scene": 0.4, "chat": CHAT_WEIGHT}
        ),
    ),
)


class TemplateCatalogue:
    """The templates a deployment offers, looked up by name or chosen by content."""

    def __init__(
        self, templates: Sequence[Template] = DEFAULT_TEMPLATES, default: str = ""
    ) -> None:
        if not templates:
            raise InvalidInput("a template catalogue needs at least one template")
        self._by_name: Mapping[str, Template] = {t.name: t for t in templates}
        self.default = self._by_name[default] if default else templates[0]

    def __iter__(self) -> Iterator[Template]:
        return iter(self._by_name.values())

    @property
    def names(self) -> list[str]:
        return list(self._by_name)

    def get(self, name: str) -> Template:
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(self._by_name)
            raise InvalidInput(f"unknown template {name!r} (known: {known})") from None

    def choose(self, tags: Iterable[str] = (), captions: Iterable[str] = ()) -> Template:
        """The template whose tag rules best match the tags and caption words; else the default.

        Ties keep catalogue order, so the choice is deterministic.
        """
        words = [*tags, *(w.strip(".,!?") for c in captions for w in c.split())]
        best, best_hits = self.default, 0
        for template in self._by_name.values():
            hits = template.matches(words)
            if hits > best_hits:
                best, best_hits = template, hits
        return best
